package dev.kb.core.fetch;

import java.net.URI;

/**
 * What a fetch produced.
 *
 * @param notModified  the server answered 304 to a conditional request; no file was written,
 *                     {@code sha256Hex} is null and {@code size} is -1
 * @param requestedUri the URI the caller asked for
 * @param finalUri     the URI the body came from, after redirects
 * @param contentType  the response's Content-Type header as sent, or null; it is a hint only,
 *                     the document type is decided from the bytes elsewhere
 * @param nameHint     one path segment suggesting a file name (Content-Disposition, else the final
 *                     URL's last path segment, else the host); never empty, ".", ".." or containing
 *                     '/', '\' or control characters, but still to be sanitised by the caller
 * @param etag         the ETag header, or null
 * @param lastModified the Last-Modified header, or null
 * @param sha256Hex    lower-case hex SHA-256 of the decoded body as written to the destination
 * @param size         bytes written to the destination
 * @param nameIsHost   the name hint is the host (the URL had no usable path segment), so its dots
 *                     are part of the name, not an extension: {@code 127.0.0.1} is not "127.0.0"
 *                     of type "1"
 *
 * <p>Neither URI carries userinfo: credentials given in a URL are sent, never passed on.
 */
public record FetchResult(boolean notModified, URI requestedUri, URI finalUri, String contentType, String nameHint,
                          String etag, String lastModified, String sha256Hex, long size, boolean nameIsHost) {
}
