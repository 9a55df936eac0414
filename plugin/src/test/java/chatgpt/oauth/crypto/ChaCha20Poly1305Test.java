package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chatgpt.oauth.Hex;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ChaCha20Poly1305Test {
    private static final byte[] NONCE_2_8_2 = Hex.bytes("07000000 4041424344454647");
    private static final byte[] AAD_2_8_2 = Hex.bytes("50515253c0c1c2c3c4c5c6c7");
    private static final String SEALED_2_8_2 = """
            d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2
            a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
            3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b
            1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
            92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58
            fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
            3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b
            61 16
            1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91""";

    @Test
    void sealsRfc8439Section282() {
        byte[] sealed = ChaCha20Poly1305.seal(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, Rfc8439.SUNSCREEN, AAD_2_8_2);
        assertArrayEquals(Hex.bytes(SEALED_2_8_2), sealed);
        assertArrayEquals(Rfc8439.SUNSCREEN, ChaCha20Poly1305.open(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, sealed, AAD_2_8_2));
    }

    @Test
    void opensRfc8439AppendixA5() {
        byte[] sealed = Hex.bytes("""
                64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd
                5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2
                4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0
                bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf
                33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81
                14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55
                97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38
                36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4
                b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9
                90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e
                af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a
                0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a
                0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e
                ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10
                49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30
                30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29
                a6 ad 5c b4 02 2b 02 70 9b
                ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38""");
        byte[] plaintext = ChaCha20Poly1305.open(Rfc8439.KEY_1C92, Hex.bytes("000000000102030405060708"), sealed,
                Hex.bytes("f33388860000000000004e91"));
        assertEquals("Internet-Drafts are draft documents valid for a maximum of six months and may be updated,"
                + " replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts"
                + " as reference material or to cite them other than as /\u201cwork in progress./\u201d",
                new String(plaintext, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void anyFlippedBitInCiphertextTagAadOrNonceIsRefused() {
        byte[] key = Rfc8439.KEY_80_TO_9F;
        byte[] nonce = NONCE_2_8_2;
        byte[] aad = AAD_2_8_2;
        byte[] sealed = ChaCha20Poly1305.seal(key, nonce, "a refresh token, say".getBytes(), aad);
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            assertNull(ChaCha20Poly1305.open(key, nonce, flip(sealed, bit), aad), "sealed bit " + bit);
        }
        for (int bit = 0; bit < aad.length * 8; bit++) {
            assertNull(ChaCha20Poly1305.open(key, nonce, sealed, flip(aad, bit)), "aad bit " + bit);
        }
        for (int bit = 0; bit < nonce.length * 8; bit++) {
            assertNull(ChaCha20Poly1305.open(key, flip(nonce, bit), sealed, aad), "nonce bit " + bit);
        }
        for (int bit = 0; bit < key.length * 8; bit++) {
            assertNull(ChaCha20Poly1305.open(flip(key, bit), nonce, sealed, aad), "key bit " + bit);
        }
        assertNull(ChaCha20Poly1305.open(key, nonce, sealed, null), "aad dropped");
        byte[] truncated = new byte[sealed.length - 1];
        System.arraycopy(sealed, 0, truncated, 0, truncated.length);
        assertNull(ChaCha20Poly1305.open(key, nonce, truncated, aad), "last byte dropped");
        assertArrayEquals("a refresh token, say".getBytes(), ChaCha20Poly1305.open(key, nonce, sealed, aad));
    }

    @Test
    void inputShorterThanATagIsRefused() {
        for (int length = 0; length < ChaCha20Poly1305.TAG_BYTES; length++) {
            assertNull(ChaCha20Poly1305.open(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, new byte[length], null), "length " + length);
        }
        assertNull(ChaCha20Poly1305.open(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, null, null));
    }

    @Test
    void anEmptyPlaintextIsJustATag() {
        byte[] sealed = ChaCha20Poly1305.seal(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, new byte[0], null);
        assertEquals(ChaCha20Poly1305.TAG_BYTES, sealed.length);
        assertArrayEquals(new byte[0], ChaCha20Poly1305.open(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, sealed, new byte[0]));
        assertNull(ChaCha20Poly1305.open(Rfc8439.KEY_80_TO_9F, NONCE_2_8_2, sealed, new byte[1]));
    }

    @Test
    void refusesKeysAndNoncesOfTheWrongSize() {
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.seal(new byte[31], new byte[12], new byte[1], null));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.seal(new byte[32], new byte[8], new byte[1], null));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.open(new byte[33], new byte[12], new byte[16], null));
    }

    /**
     * Poly1305's input at the limit: aad and ciphertext padded to 16 plus 16 bytes of lengths must fit
     * an array (so ciphertext and tag do too); one more byte is refused, where the sum would wrap.
     */
    @Test
    void macInputLengthAtTheLargestArray() {
        int max = Integer.MAX_VALUE;
        assertEquals(16, ChaCha20Poly1305.macInputLength(0, 0));
        assertEquals(64, ChaCha20Poly1305.macInputLength(1, 17));
        assertEquals(max - 15, ChaCha20Poly1305.macInputLength(0, max - 31));
        assertEquals(max - 15, ChaCha20Poly1305.macInputLength(max - 31, 0));
        assertEquals(max - 15, ChaCha20Poly1305.macInputLength((1 << 30) - 16, (1 << 30) - 16));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.macInputLength(0, max - 30));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.macInputLength(max - 30, 0));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.macInputLength(1 << 30, 1 << 30));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.macInputLength(0, max));
    }

    /** Random keys, nonces, plaintexts and aad of 0 to 300 bytes: the same bytes as the JDK's cipher, both ways. */
    @Test
    void agreesWithTheJdk() throws Exception {
        Random random = new Random(7539);
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[ChaCha20Poly1305.KEY_BYTES];
            byte[] nonce = new byte[ChaCha20Poly1305.NONCE_BYTES];
            byte[] plaintext = new byte[random.nextInt(301)];
            byte[] aad = new byte[random.nextInt(301)];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(plaintext);
            random.nextBytes(aad);
            Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            byte[] expected = jdk.doFinal(plaintext);
            String lengths = "plaintext " + plaintext.length + ", aad " + aad.length;
            assertArrayEquals(expected, ChaCha20Poly1305.seal(key, nonce, plaintext, aad), lengths);
            assertArrayEquals(plaintext, ChaCha20Poly1305.open(key, nonce, expected, aad), lengths);
        }
    }

    private static byte[] flip(byte[] bytes, int bit) {
        byte[] copy = bytes.clone();
        copy[bit >> 3] ^= (byte) (1 << (bit & 7));
        return copy;
    }
}
