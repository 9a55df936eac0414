package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatgpt.oauth.Hex;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ChaCha20Test {
    @Test
    void blockFunctionRfc8439Section232() {
        byte[] block = ChaCha20.block(Rfc8439.KEY_00_TO_1F, 1, Hex.bytes("000000090000004a00000000"));
        assertArrayEquals(Hex.bytes("""
                10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4
                c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
                d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2
                b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e"""), block);
    }

    @Test
    void encryptionRfc8439Section242() {
        byte[] ciphertext = ChaCha20.xor(Rfc8439.KEY_00_TO_1F, 1, Hex.bytes("000000000000004a00000000"), Rfc8439.SUNSCREEN);
        assertArrayEquals(Hex.bytes("""
                6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81
                e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
                f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57
                16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
                07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e
                52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
                5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42
                87 4d"""), ciphertext);
        assertArrayEquals(Rfc8439.SUNSCREEN, ChaCha20.xor(Rfc8439.KEY_00_TO_1F, 1, Hex.bytes("000000000000004a00000000"),
                ciphertext));
    }

    @Test
    void encryptionRfc8439AppendixA2Vector3StartsAtBlock42() {
        byte[] ciphertext = ChaCha20.xor(Rfc8439.KEY_1C92, 42, Hex.bytes("000000000000000000000002"), Rfc8439.JABBERWOCKY);
        assertEquals("62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf"
                + "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb"
                + "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77"
                + "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1", Hex.of(ciphertext));
    }

    @Test
    void poly1305KeyGenerationRfc8439Section262() {
        byte[] block = ChaCha20.block(Rfc8439.KEY_80_TO_9F, 0, Hex.bytes("000000000001020304050607"));
        assertEquals("8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646", Hex.of(block).substring(0, 64));
    }

    /**
     * RFC 8439's block counter is 32 bits: block 2^32 - 1 is the last. An input that needs more is
     * refused, at whatever counter it starts; the longest array needs 2^25 blocks.
     */
    @Test
    void blocksEndAtTheLastCounter() {
        assertEquals(0, ChaCha20.blocks(-1, 0));
        assertEquals(1, ChaCha20.blocks(-1, 64));
        assertEquals(2, ChaCha20.blocks(-2, 65));
        assertEquals(2, ChaCha20.blocks(-2, 128));
        assertEquals(1 << 25, ChaCha20.blocks(0, Integer.MAX_VALUE));
        assertEquals(1 << 25, ChaCha20.blocks(-(1 << 25), Integer.MAX_VALUE));
        assertEquals(1 << 25, ChaCha20.blocks(Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20.blocks(-1, 65));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20.blocks(-2, 129));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20.blocks(-(1 << 25) + 1, Integer.MAX_VALUE));
    }

    /** At the counter's end on real arrays: up to block 2^32 - 1 as the JDK computes it, then refused, not wrapped. */
    @Test
    void encryptsUpToTheLastBlockAndRefusesPastIt() throws Exception {
        byte[] key = Rfc8439.KEY_1C92;
        byte[] nonce = Hex.bytes("000000000000000000000002");
        for (int length : new int[] {1, 63, 64}) {
            assertArrayEquals(jdk(key, -1, nonce, new byte[length]), ChaCha20.xor(key, -1, nonce, new byte[length]));
        }
        assertArrayEquals(jdk(key, -2, nonce, new byte[128]), ChaCha20.xor(key, -2, nonce, new byte[128]));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ChaCha20.xor(key, -1, nonce, new byte[65]));
        assertTrue(refused.getMessage().contains("2^32 - 1"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChaCha20.xor(key, -2, nonce, new byte[129]));
        assertThrows(IllegalArgumentException.class, () -> ChaCha20.xor(key, -4, nonce, new byte[300]));
    }

    /**
     * Counters around 2^31 (where an int turns negative) and 2^32 (the last blocks), lengths around
     * the block edges: the same bytes as the JDK's cipher.
     */
    @Test
    void agreesWithTheJdkAtCounterAndBlockEdges() throws Exception {
        Random random = new Random(2_147_483_648L);
        int[] counters = {Integer.MAX_VALUE - 2, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -6, -5};
        int[] lengths = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 300};
        for (int counter : counters) {
            for (int length : lengths) {
                byte[] key = new byte[32];
                byte[] nonce = new byte[12];
                byte[] input = new byte[length];
                random.nextBytes(key);
                random.nextBytes(nonce);
                random.nextBytes(input);
                assertArrayEquals(jdk(key, counter, nonce, input), ChaCha20.xor(key, counter, nonce, input),
                        "counter " + Integer.toUnsignedString(counter) + ", length " + length);
            }
        }
    }

    private static byte[] jdk(byte[] key, int counter, byte[] nonce, byte[] input) throws Exception {
        Cipher jdk = Cipher.getInstance("ChaCha20");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(nonce, counter));
        return jdk.doFinal(input);
    }

    @Test
    void agreesWithTheJdkOverManyBlocks() throws Exception {
        Random random = new Random(20);
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[12];
            byte[] input = new byte[random.nextInt(301)];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(input);
            int counter = random.nextInt(1000);
            Cipher jdk = Cipher.getInstance("ChaCha20");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(nonce, counter));
            assertArrayEquals(jdk.doFinal(input), ChaCha20.xor(key, counter, nonce, input), "length " + input.length);
        }
    }
}
