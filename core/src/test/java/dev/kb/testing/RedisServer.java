package dev.kb.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A real {@code redis-server} (Debian's package) for tests: started on a free loopback port in a
 * directory of the test's, with nothing saved to disk, and stopped by {@link #close}. The tests of
 * the Redis cache need it; without it they fail, saying how to install it, rather than skip (a
 * CI run that skipped them would pass having tested nothing).
 *
 * <p>Depends on nothing but the JDK (the e2e tests use it too, without Jedis): {@link #command}
 * speaks enough RESP for a test to look at or damage what a cache wrote.
 */
public final class RedisServer implements AutoCloseable {
    /** How long a server may take to answer its first PING (a loaded CI machine included). */
    private static final Duration READY = Duration.ofSeconds(20);

    private final Process process;
    private final int port;
    private int tlsPort = -1;
    private final Path dir;
    private final String password;
    private boolean paused;
    private volatile String loginUser;
    private volatile String loginPassword;

    private RedisServer(Process process, int port, Path dir, String password) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.password = password;
    }

    /** The {@code redis-server} binary: {@code $REDIS_SERVER}, else on PATH, else /usr/bin's. */
    public static Path binary() {
        String env = System.getenv("REDIS_SERVER");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "redis-server");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Path usual = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(usual)) {
            return usual;
        }
        throw new AssertionError("redis-server is not installed, and the Redis cache tests need a real one: "
                + "install it (Debian/Ubuntu: apt-get update && apt-get install -y redis-server; "
                + ".ci/run does this), or set REDIS_SERVER to its path");
    }

    /** Starts a server without a password. */
    public static RedisServer start(Path dir, String... options) throws IOException {
        return startWithPassword(dir, null, options);
    }

    /**
     * Starts a server in {@code dir} (its working directory and log), on a free loopback port, with
     * {@code --requirepass password} when it is not null, and the given further options (e.g.
     * {@code --maxmemory 2mb}). Returns once it answers.
     */
    public static RedisServer startWithPassword(Path dir, String password, String... options) throws IOException {
        Path bin = binary();
        Files.createDirectories(dir);
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
            if (password != null) {
                cmd.addAll(List.of("--requirepass", password));
            }
            cmd.addAll(List.of(options));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
            RedisServer s = new RedisServer(p, port, dir, password);
            try {
                s.awaitReady();
                return s;
            } catch (IOException e) {
                // the port was taken between the probe and the start: another one
                s.close();
                last = e;
            }
        }
        throw last;
    }

    /**
     * Starts a server that also takes TLS connections on {@link #tlsPort()}, with the PEM
     * certificate and key given (no client certificates asked for). Its plain port is still there
     * for {@link #command} and the readiness check.
     */
    public static RedisServer startTls(Path dir, Path certPem, Path keyPem, String... options) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int tls = freePort();
            List<String> all = new ArrayList<>(List.of("--tls-port", String.valueOf(tls), "--tls-cert-file",
                    certPem.toString(), "--tls-key-file", keyPem.toString(), "--tls-auth-clients", "no"));
            all.addAll(List.of(options));
            try {
                RedisServer s = startWithPassword(dir, null, all.toArray(String[]::new));
                s.tlsPort = tls;
                return s;
            } catch (IOException e) {
                last = e; // the TLS port was taken meanwhile
            }
        }
        throw last;
    }

    /** The TLS port of a server made by {@link #startTls}. */
    public int tlsPort() {
        if (tlsPort < 0) {
            throw new IllegalStateException("not started with TLS");
        }
        return tlsPort;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException {
        long end = System.nanoTime() + READY.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(1000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                int first = s.getInputStream().read();
                if (first == '+' || first == '-') { // PONG, or NOAUTH: it answers
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                throw new IOException("redis-server did not answer PING on port " + port + " within " + READY
                        + ": " + log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:PORT}, without a password. */
    public String url() {
        return "redis://" + host() + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    public Path dir() {
        return dir;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The server's log and output so far. */
    public String log() {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("redis.out", "redis.log")) {
            try {
                b.append(Files.readString(dir.resolve(f)));
            } catch (IOException e) {
                // not written yet
            }
        }
        return b.toString().strip();
    }

    /** Kills the server (SIGKILL) and waits until it is gone: an outage, as a crash would make it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("redis-server " + pid() + " did not die");
        }
    }

    /** Stops the server with SIGSTOP (it keeps its connections and answers nothing) and waits until it is stopped. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
        paused = true;
        await(() -> state() == 'T' || state() == 't', "redis-server to stop");
    }

    /** SIGCONT. */
    public void resume() throws IOException, InterruptedException {
        if (paused) {
            signal("-CONT");
            paused = false;
            await(() -> state() != 'T' && state() != 't', "redis-server to continue");
        }
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", sig, String.valueOf(pid())).redirectErrorStream(true).start();
        String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (k.waitFor() != 0) {
            throw new IOException("kill " + sig + " " + pid() + ": " + out);
        }
    }

    /** The process state letter from /proc (R, S, T, ...), or '?' once it is gone. */
    private char state() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + READY.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Logs {@link #command} in as this ACL user from now on (for a server whose default user is off). */
    public RedisServer login(String user, String password) {
        this.loginUser = user;
        this.loginPassword = password;
        return this;
    }

    /**
     * Runs one command on a new connection (logged in with the server's password, or as the
     * {@link #login} user) in database 0 and returns the reply: a String for a status, a byte[] for
     * a bulk string (null for none), a Long, or a List. An error reply is thrown as an {@link IOException}.
     */
    public Object command(Object... args) throws IOException {
        return commandIn(0, args);
    }

    /** {@link #command} in database {@code db}. */
    public Object commandIn(int db, Object... args) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            if (loginUser != null) {
                write(out, "AUTH", loginUser, loginPassword);
                read(in);
            } else if (password != null) {
                write(out, "AUTH", password);
                read(in);
            }
            if (db != 0) {
                write(out, "SELECT", db);
                read(in);
            }
            write(out, args);
            return read(in);
        }
    }

    /** {@link #command} for a bulk-string reply, as UTF-8 text. */
    public String text(Object... args) throws IOException {
        Object r = command(args);
        return r instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : r == null ? null : r.toString();
    }

    private static void write(OutputStream out, Object... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (Object a : args) {
            byte[] bytes = a instanceof byte[] raw ? raw : String.valueOf(a).getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(b.toByteArray());
        out.flush();
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n);
                line(in);
                return b;
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: " + (char) type + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-reply");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Kills the server (a paused one too) and waits for it. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
