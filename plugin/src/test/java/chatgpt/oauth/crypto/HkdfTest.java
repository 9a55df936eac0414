package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chatgpt.oauth.Hex;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HkdfTest {
    @Test
    void rfc5869Case1() {
        byte[] okm = Hkdf.sha256(Sha256Test.repeat(0x0b, 22), Hex.bytes("000102030405060708090a0b0c"),
                Hex.bytes("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                Hex.of(okm));
    }

    @Test
    void rfc5869Case2LongInputs() {
        byte[] okm = Hkdf.sha256(range(0x00, 80), range(0x60, 80), range(0xb0, 80), 82);
        assertEquals("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                + "cc30c58179ec3e87c14c01d5c1f3434f1d87", Hex.of(okm));
    }

    @Test
    void rfc5869Case3NoSaltNoInfo() {
        String expected = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8";
        byte[] ikm = Sha256Test.repeat(0x0b, 22);
        assertEquals(expected, Hex.of(Hkdf.sha256(ikm, new byte[0], new byte[0], 42)));
        assertEquals(expected, Hex.of(Hkdf.sha256(ikm, null, null, 42)));
    }

    /** Every length up to the maximum: the same as extract-and-expand written with the JDK's HMAC. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 31, 32, 33, 64, 65, 255 * 32})
    void agreesWithTheJdkHmacAtBlockEdges(int length) throws Exception {
        byte[] ikm = range(7, 50);
        byte[] salt = range(100, 20);
        byte[] info = range(200, 30);
        assertArrayEquals(jdkHkdf(ikm, salt, info, length), Hkdf.sha256(ikm, salt, info, length));
    }

    @Test
    void infoSeparatesKeys() {
        byte[] ikm = range(1, 40);
        byte[] a = Hkdf.sha256(ikm, null, new byte[] {'a'}, 32);
        byte[] b = Hkdf.sha256(ikm, null, new byte[] {'b'}, 32);
        assertFalse(Arrays.equals(a, b));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 255 * 32 + 1})
    void refusesLengthsOutsideTheRfc(int length) {
        assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(new byte[1], null, null, length));
    }

    private static byte[] jdkHkdf(byte[] ikm, byte[] salt, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        for (int done = 0, i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            System.arraycopy(t, 0, out, done, Math.min(32, length - done));
            done += 32;
        }
        return out;
    }

    private static byte[] range(int first, int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }
}
