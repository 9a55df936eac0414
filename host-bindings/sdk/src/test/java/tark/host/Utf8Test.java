package tark.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {
    @Test
    void encodesLikeTheJdk() {
        String[] samples = {"", "plain ascii", "Zoë", "日本語", "🚀 rocket", "mixed é日🚀a", "\u0000\u007f\u0080\u07ff\u0800\uffff"};
        for (String sample : samples) {
            assertArrayEquals(sample.getBytes(StandardCharsets.UTF_8), Utf8.encode(sample), sample);
            assertEquals(sample.getBytes(StandardCharsets.UTF_8).length, Utf8.encodedLength(sample));
        }
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        String text = "a\ud800b\udc00c\ud83d";
        String replaced = "a\ufffdb\ufffdc\ufffd";
        assertArrayEquals(replaced.getBytes(StandardCharsets.UTF_8), Utf8.encode(text));
        assertEquals(replaced.getBytes(StandardCharsets.UTF_8).length, Utf8.encodedLength(text));
        assertEquals("a\ufffdb\ufffdc\ufffd", Utf8.decode(Utf8.encode(text)));
    }

    @Test
    void roundTripsRandomText() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                int codePoint;
                do {
                    codePoint = random.nextInt(4) == 0 ? random.nextInt(0x110000) : random.nextInt(0x3000);
                } while (codePoint >= 0xD800 && codePoint <= 0xDFFF);
                text.appendCodePoint(codePoint);
            }
            String sample = text.toString();
            byte[] bytes = Utf8.encode(sample);
            assertArrayEquals(sample.getBytes(StandardCharsets.UTF_8), bytes);
            assertEquals(sample, Utf8.decode(bytes));
        }
    }

    @Test
    void decodesLikeTheJdkOnValidInput() {
        String text = "Zoë 日本語 🚀 ✓";
        assertEquals(text, Utf8.decode(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void malformedSequencesBecomeReplacementCharacters() {
        assertEquals("\ufffd", Utf8.decode(new byte[] {(byte) 0xff}));
        assertEquals("a\ufffd", Utf8.decode(new byte[] {'a', (byte) 0xc3}), "truncated two-byte sequence");
        assertEquals("\ufffd", Utf8.decode(new byte[] {(byte) 0xc0, (byte) 0x80}).substring(0, 1), "overlong");
        assertEquals("\ufffdb", Utf8.decode(new byte[] {(byte) 0xe6, (byte) 0x97, 'b'}), "truncated three-byte");
        assertEquals("\ufffd", Utf8.decode(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}), "encoded surrogate");
        assertEquals("\ufffda", Utf8.decode(new byte[] {(byte) 0x80, 'a'}), "stray continuation byte");
    }
}
