package dev.kb.core.convert;

import dev.kb.core.KbException;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading a text file whole, as kb did before it streamed: the oracle for {@link TextStream}. */
final class TextFiles {

    private TextFiles() {
    }

    /**
     * The file as text. Sniffing saw only the head, so bad UTF-8 further on is replaced (U+FFFD)
     * with a warning rather than failing a file that is almost all good.
     */
    static String read(Path file, List<String> warnings) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read file: " + Causes.oneLine(e), e);
        }
        // The byte-order mark decides; without one, UTF-8 (the sniffer refused anything else).
        Charset charset = StandardCharsets.UTF_8;
        int start = 0;
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xFE && (bytes[1] & 0xff) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            start = 2;
        } else if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            start = 2;
        }
        String text;
        try {
            text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
        } catch (CharacterCodingException e) {
            text = new String(bytes, start, bytes.length - start, charset);
            warnings.add("invalid " + charset.name() + " replaced with U+FFFD");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }
}
