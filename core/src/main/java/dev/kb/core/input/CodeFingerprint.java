package dev.kb.core.input;

import dev.kb.core.Version;
import dev.kb.core.fs.Hashing;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The identity of the code that made a cached thing: kb's version and a hash of every file of one
 * package (its classes, and the {@code libraries.properties} that names the versions of the
 * libraries it uses). A cached conversion carries it as its key's version, so a build whose
 * converters differ in any way, however slightly (a development build whose version number
 * stayed the same), never serves another's output. Without it, a fixed HTML converter would go
 * on serving the old, wrong Markdown from every cache in the team.
 *
 * <p>Computed once per process, from the jar's central directory (entry names, sizes and
 * CRC-32s, no decompression), or from the class files of a build directory. Every HTML or PDF
 * conversion and every cloud import needs it, cache or not: the row it commits records the key
 * its page was made under ({@link dev.kb.core.store.PageOrigin}). Going through the 8,000 entries
 * of kb's jar takes some 60 ms on a cold JVM, so it is computed on a thread of its own, started
 * when the first such document is met ({@link #prefetchConverters}, {@link #prefetchCloud}), while
 * that document is being converted or fetched.
 */
final class CodeFingerprint {
    private CodeFingerprint() {
    }

    /** Started when the class is first touched. */
    private static final class Conversions {
        static final FutureTask<String> ID = started(() -> of(dev.kb.core.convert.Converter.class, "convert"));
    }

    private static final class Cloud {
        static final FutureTask<String> ID = started(() -> of(dev.kb.core.cloud.CloudMarkdown.class, "cloud"));
    }

    private static FutureTask<String> started(Callable<String> c) {
        FutureTask<String> t = new FutureTask<>(c);
        Thread th = new Thread(t, "kb-fingerprint");
        th.setDaemon(true); // a process that ends first does not wait for it
        th.start();
        return t;
    }

    /** Starts computing {@link #converters} if it is not yet known; does not wait for it. */
    static void prefetchConverters() {
        Conversions.ID.isDone();
    }

    /** Starts computing {@link #cloud} if it is not yet known; does not wait for it. */
    static void prefetchCloud() {
        Cloud.ID.isDone();
    }

    /** The identity and version of kb's converters. */
    static String converters() {
        return await(Conversions.ID);
    }

    /** The identity and version of the PageIndex Cloud rendering. */
    static String cloud() {
        return await(Cloud.ID);
    }

    /**
     * The identity {@code t} computes. A wait that is interrupted (the batch being stopped) gets an
     * identity of its own, which no cache entry and no other KB's row has: a miss, never a match.
     */
    private static String await(FutureTask<String> t) {
        try {
            return t.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown-" + java.util.UUID.randomUUID();
        } catch (ExecutionException e) {
            return "unknown-" + java.util.UUID.randomUUID(); // hash() catches all it expects
        }
    }

    static String of(Class<?> anchor, String label) {
        String h = hash(anchor);
        return "kb-" + label + "/" + Version.get() + "/" + (h.length() == 64 ? h.substring(0, 16) : h);
    }

    /** Hex SHA-256 over the files of {@code anchor}'s package; "unknown-<nanos>" when they cannot be read. */
    static String hash(Class<?> anchor) {
        String dir = anchor.getPackageName().replace('.', '/') + "/";
        MessageDigest md = Hashing.sha256();
        try {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                List<Path> files = new ArrayList<>();
                try (Stream<Path> s = Files.list(location.resolve(dir))) {
                    s.filter(Files::isRegularFile).forEach(files::add);
                }
                Collections.sort(files);
                for (Path f : files) {
                    md.update((f.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(f));
                }
            } else {
                List<String> lines = new ArrayList<>();
                try (JarFile jar = new JarFile(location.toFile(), false)) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        JarEntry j = e.nextElement();
                        String name = j.getName();
                        if (name.startsWith(dir) && name.indexOf('/', dir.length()) < 0 && !j.isDirectory()) {
                            lines.add(name + " " + j.getSize() + " " + j.getCrc());
                        }
                    }
                }
                Collections.sort(lines);
                lines.forEach(l -> md.update((l + "\n").getBytes(StandardCharsets.UTF_8)));
            }
            return Hashing.hex(md.digest());
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // unknown code: an identity of its own, so nothing cached by another build is served
            return "unknown-" + java.util.UUID.randomUUID();
        }
    }
}
