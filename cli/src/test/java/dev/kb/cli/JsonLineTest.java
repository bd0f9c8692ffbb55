package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLineTest {

    @Test
    void writesFieldsInOrderOnOneLine() {
        JsonLine n = new JsonLine().put("kb", "/tmp/my \"kb\"\n").put("documents", 7420L).put("ok", true)
                .put("lock", null).put("problems", List.of("a", "ü"));
        n.putObject("summary").put("added", 3).put("ratio", 0.5);
        assertEquals("{\"kb\":\"/tmp/my \\\"kb\\\"\\n\",\"documents\":7420,\"ok\":true,\"lock\":null,"
                + "\"problems\":[\"a\",\"ü\"],\"summary\":{\"added\":3,\"ratio\":0.5}}", n.toString());
    }

    @Test
    void refusesWhatIsNotAJsonValue() {
        assertThrows(IllegalArgumentException.class, () -> new JsonLine().put("x", new Object()));
    }
}
