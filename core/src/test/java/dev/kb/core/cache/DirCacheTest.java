package dev.kb.core.cache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The contract, for {@code dir:PATH}. */
class DirCacheTest extends SourceCacheContractTest {
    @Override
    protected String spec() {
        return "dir:dir-cache";
    }

    static Path entryFile(Path root, CacheKey key) {
        return root.resolve("entries").resolve(key.id().substring(0, 2)).resolve(key.id());
    }

    static Path blobFile(Path root, String sha) {
        return root.resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha);
    }

    @Override
    protected void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how) throws Exception {
        Path root = ((DirCache) cache).directory();
        switch (how) {
            case TRUNCATE_ENTRY -> truncate(entryFile(root, key));
            case TRUNCATE_BLOB -> truncate(blobFile(root, blob.sha256()));
            case FLIP_BLOB_BYTE -> {
                Path f = blobFile(root, blob.sha256());
                byte[] b = Files.readAllBytes(f);
                b[b.length / 2] ^= 0x20;
                Files.write(f, b);
            }
        }
    }

    private static void truncate(Path f) throws Exception {
        long size = Files.size(f);
        try (var ch = Files.newByteChannel(f, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
    }
}
