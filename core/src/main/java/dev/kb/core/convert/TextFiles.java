package dev.kb.core.convert;

import dev.kb.core.KbException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading a UTF-8 text file for conversion: BOM dropped, line ends made LF. */
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
            throw KbException.inputFailed("cannot read file: " + Conversions.oneLine(e), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            text = new String(bytes, StandardCharsets.UTF_8);
            warnings.add("invalid UTF-8 replaced with U+FFFD");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }
}
