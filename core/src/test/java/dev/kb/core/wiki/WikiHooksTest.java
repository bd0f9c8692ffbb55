package dev.kb.core.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WikiHooksTest {
    @Test
    void anIndexLineIsOneLineWhateverTheTitleHolds() {
        assertEquals("- [[a]] — Plain title\n", WikiHooks.indexLine("a", "Plain  title\n"));
        assertEquals("- [[a]] — evil \\u202etxt.exe\n", WikiHooks.indexLine("a", "evil \u202etxt.exe"));
        assertEquals("- [[a]]\n", WikiHooks.indexLine("a", "a"));
    }
}
