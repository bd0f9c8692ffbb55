package dev.kb.core.input;

import dev.kb.core.cache.CacheKey;

/** The keys the prepare path looks conversions and cloud documents up by, for tests of other packages. */
public final class ConversionKeys {
    private ConversionKeys() {
    }

    /** The key of a local file's conversion: its bytes' SHA-256, its name and stem, no declared type or base URL. */
    public static CacheKey localFile(String rawSha256, String fileName) {
        return CachedConversion.key(rawSha256, fileName, null, null, FileSource.stem(fileName));
    }

    /** The key of a conversion with every input given. */
    public static CacheKey of(String rawSha256, String fileName, String contentType, String baseUri, String stem) {
        return CachedConversion.key(rawSha256, fileName, contentType, baseUri, stem);
    }

    /** The key of a PageIndex Cloud document, at this kb's rendering. */
    public static CacheKey cloud(String docId) {
        return new CacheKey(CacheKey.Kind.CLOUD, docId, CodeFingerprint.cloud());
    }

    /** This kb's converters' identity: a conversion key's version. */
    public static String converters() {
        return CodeFingerprint.converters();
    }
}
