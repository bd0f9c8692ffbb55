package dev.kb.core.cache.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;

/**
 * Loads the client's classes before the first call that has a deadline. On a cold JVM, loading,
 * verifying and linking the classes of a first Jedis connection costs 0.1 to 0.3 s of CPU (more
 * on a busy host), all of it inside {@code initialize}, which {@link dev.kb.core.cache.SourceCaches}
 * gives 250 ms: a healthy server then "failed to answer in time", and the cache was off for the
 * run. So {@link RedisCacheProvider#create} (no deadline, on the caller's thread) runs one PING
 * through the real code path against canned bytes in memory: no network, no server, and every
 * class the real first connection needs is loaded.
 */
final class ClientWarmup {
    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final AtomicBoolean TLS = new AtomicBoolean();

    private ClientWarmup() {
    }

    static void once() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        try {
            DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(1)
                    .socketTimeoutMillis(1).serverDefaultProtocol()
                    .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build();
            GenericObjectPoolConfig<Connection> poolConfig = new GenericObjectPoolConfig<>();
            poolConfig.setJmxEnabled(false);
            poolConfig.setMaxWait(Duration.ofMillis(1));
            // a pool makes no connection until one is asked for
            new ConnectionPool(new HostAndPort("127.0.0.1", 1), config, poolConfig).close();
            try (Connection c = new Connection(Canned::new, config)) {
                c.executeCommand(new CommandArguments(Protocol.Command.PING));
            }
        } catch (RuntimeException | LinkageError e) {
            // only an optimisation: the real connection loads what is missing
        }
    }

    /**
     * The same for TLS ({@code rediss://}): on a cold JVM the first handshake cost 0.4 to 0.7 s,
     * most of it loading the trust store and the TLS classes and making the client's key share.
     * Writing a ClientHello in memory (an {@link SSLEngine}, no socket) does all that here; the
     * handshake that remains in {@code initialize} took 0.13 to 0.18 s on a loaded machine.
     */
    static void tls(String host, int port) {
        if (!TLS.compareAndSet(false, true)) {
            return;
        }
        try {
            SSLEngine engine = SSLContext.getDefault().createSSLEngine(host, port);
            engine.setUseClientMode(true);
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
            engine.beginHandshake();
            engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
            engine.closeOutbound();
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
            // only an optimisation; a trust store that cannot be read fails the real handshake, with its cause
        }
    }

    /** A socket that is not one: it answers "+PONG" to whatever is written. */
    private static final class Canned extends Socket {
        private final InputStream in = new ByteArrayInputStream("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
        private final OutputStream out = new ByteArrayOutputStream();

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public int getSoTimeout() {
            return 1;
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isBound() {
            return true;
        }
    }
}
