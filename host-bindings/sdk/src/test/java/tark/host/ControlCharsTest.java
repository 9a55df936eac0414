package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ControlCharsTest {
    @Test
    void everyControlCharacterIsWrittenOutVisibly() {
        assertEquals("\\x1b]8;;https://evil\\x07link\\x1b]8;;\\x07", ControlChars.escape("\u001b]8;;https://evil\u0007link\u001b]8;;\u0007"));
        assertEquals("a\\x0drewritten\\x0a\\x09\\x00", ControlChars.escape("a\rrewritten\n\t\u0000"));
        assertEquals("\\x7f \\x80 \\x9b2K \\x9f", ControlChars.escape("\u007f \u0080 \u009b2K \u009f"));
    }

    @Test
    void everythingElseIsLeftAsItIs() {
        String text = "C:\\Users\\zo\u00eb\\chatgpt.json \u00a0\u00e9\u6771\ud83d\ude80 ~/.config \\x1b";
        assertEquals(text, ControlChars.escape(text));
    }

    @Test
    void escapingTwiceChangesNothing() {
        String once = ControlChars.escape("\u001b[31mred\u009b0m\r");
        assertEquals(once, ControlChars.escape(once));
    }

    @Test
    void theControlCharactersAreC0DelAndC1() {
        for (char c = 0; c < 0x100; c++) {
            boolean control = c < 0x20 || c >= 0x7f && c <= 0x9f;
            assertEquals(control, ControlChars.isControl(c), "U+" + Integer.toHexString(c));
            String escaped = ControlChars.escape(String.valueOf(c));
            assertEquals(control, escaped.startsWith("\\x") && escaped.length() == 4, escaped);
        }
        assertFalse(ControlChars.isControl('\u2028'));
        assertTrue(ControlChars.escape("\u0085").equals("\\x85"));
    }
}
