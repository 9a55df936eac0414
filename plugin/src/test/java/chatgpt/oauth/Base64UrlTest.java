package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Base64UrlTest {
    @Test
    void decodesLikeTheJdkWithAndWithoutPadding() {
        Random random = new Random(7);
        for (int length = 0; length < 200; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String unpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            String padded = Base64.getUrlEncoder().encodeToString(bytes);
            assertArrayEquals(bytes, Base64Url.decode(unpadded), unpadded);
            assertArrayEquals(bytes, Base64Url.decode(padded), padded);
        }
    }

    @Test
    void decodesBothUrlSafeCharacters() {
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Base64Url.decode("-_8"));
        assertEquals("???>>>", new String(Base64Url.decode("Pz8_Pj4-"), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void decodesTheStandardAlphabetWithAndWithoutPadding() {
        Random random = new Random(9);
        for (int length = 0; length < 200; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String padded = Base64.getEncoder().encodeToString(bytes);
            assertArrayEquals(bytes, Base64Url.decode(padded), padded);
            assertArrayEquals(bytes, Base64Url.decode(padded.replace("=", "")), padded);
        }
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Base64Url.decode("+/8="));
    }

    @Test
    void encodesUrlSafeWithoutPaddingLikeTheJdk() {
        Random random = new Random(11);
        for (int length = 0; length < 200; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            assertEquals(expected, Base64Url.encode(bytes));
            assertArrayEquals(bytes, Base64Url.decode(Base64Url.encode(bytes)));
        }
    }

    @Test
    void emptyIsEmpty() {
        assertEquals(0, Base64Url.decode("").length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "abcde", "ab c", "ab.c", "é", "ab=c", "abc\n", "ab*c", "a=bc"})
    void invalidTextIsNull(String text) {
        assertNull(Base64Url.decode(text));
    }
}
