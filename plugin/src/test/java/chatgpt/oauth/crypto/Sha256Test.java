package chatgpt.oauth.crypto;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chatgpt.oauth.Hex;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Sha256Test {
    private static String sha256(String ascii) {
        return Hex.of(Sha256.digest(ascii.getBytes(US_ASCII)));
    }

    @Test
    void fipsExamples() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha256(""));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha256("abc"));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        assertEquals("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
                sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"));
    }

    @Test
    void aMillionAs() {
        byte[] million = new byte[1_000_000];
        Arrays.fill(million, (byte) 'a');
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Hex.of(Sha256.digest(million)));
    }

    /** Around the padding edges: 55 bytes still fit one block with the length, 56 need a second. */
    @ParameterizedTest
    @ValueSource(ints = {55, 56, 63, 64, 65, 119, 120, 128})
    void paddingEdgesAgreeWithTheJdk(int length) throws Exception {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), Sha256.digest(data));
    }

    @Test
    void randomInputsAgreeWithTheJdk() throws Exception {
        Random random = new Random(8439);
        MessageDigest jdk = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 300; i++) {
            byte[] data = new byte[random.nextInt(301)];
            random.nextBytes(data);
            assertArrayEquals(jdk.digest(data), Sha256.digest(data), "length " + data.length);
        }
    }

    /**
     * The padded copy's length at the limit: the most a message may have is 2^31 - 73 bytes (its copy
     * then takes 2^31 - 64); one more is refused, where the length would wrap negative.
     */
    @Test
    void paddedLengthAtTheLargestArray() {
        assertEquals(64, Sha256.paddedLength(0));
        assertEquals(64, Sha256.paddedLength(55));
        assertEquals(128, Sha256.paddedLength(56));
        assertEquals(128, Sha256.paddedLength(119));
        assertEquals(192, Sha256.paddedLength(120));
        assertEquals(Integer.MAX_VALUE - 63, Sha256.paddedLength(Integer.MAX_VALUE - 72));
        assertThrows(IllegalArgumentException.class, () -> Sha256.paddedLength(Integer.MAX_VALUE - 71));
        assertThrows(IllegalArgumentException.class, () -> Sha256.paddedLength(Integer.MAX_VALUE));
    }

    @Test
    void hmacRfc4231() {
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                hmac(repeat(0x0b, 20), "Hi There".getBytes(US_ASCII)));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                hmac("Jefe".getBytes(US_ASCII), "what do ya want for nothing?".getBytes(US_ASCII)));
        assertEquals("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                hmac(repeat(0xaa, 20), repeat(0xdd, 50)));
        assertEquals("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                hmac(Hex.bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)));
        // Test case 5 publishes the first 128 bits only.
        assertEquals("a3b6167473100ee06e0c796c2955552b",
                hmac(repeat(0x0c, 20), "Test With Truncation".getBytes(US_ASCII)).substring(0, 32));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                hmac(repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(US_ASCII)));
        assertEquals("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                hmac(repeat(0xaa, 131), ("This is a test using a larger than block-size key and a larger than block-size"
                        + " data. The key needs to be hashed before being used by the HMAC algorithm.").getBytes(US_ASCII)));
    }

    @Test
    void hmacAgreesWithTheJdkForKeysShorterLongerAndAtTheBlockSize() throws Exception {
        Random random = new Random(4231);
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[i < 3 ? 63 + i : 1 + random.nextInt(300)];
            byte[] data = new byte[random.nextInt(301)];
            random.nextBytes(key);
            random.nextBytes(data);
            Mac jdk = Mac.getInstance("HmacSHA256");
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            assertArrayEquals(jdk.doFinal(data), Sha256.hmac(key, data), "key " + key.length + ", data " + data.length);
        }
    }

    @Test
    void hmacWithAnEmptyKeyIsTheZeroKey() {
        byte[] data = "data".getBytes(US_ASCII);
        assertArrayEquals(Sha256.hmac(new byte[32], data), Sha256.hmac(new byte[0], data));
    }

    private static String hmac(byte[] key, byte[] data) {
        return Hex.of(Sha256.hmac(key, data));
    }

    static byte[] repeat(int value, int count) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
