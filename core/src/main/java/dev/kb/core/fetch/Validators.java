package dev.kb.core.fetch;

/**
 * What a previous fetch of the same URL returned, so the server can answer 304 Not Modified
 * instead of sending the document again. Either value may be null.
 */
public record Validators(String etag, String lastModified) {

    /** Null when the result carried neither validator, so nothing would be gained by sending it. */
    public static Validators of(FetchResult result) {
        if (result == null || (result.etag() == null && result.lastModified() == null)) {
            return null;
        }
        return new Validators(result.etag(), result.lastModified());
    }
}
