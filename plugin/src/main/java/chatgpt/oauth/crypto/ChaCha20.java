package chatgpt.oauth.crypto;

/**
 * The ChaCha20 stream cipher (RFC 8439 sections 2.3 and 2.4): the cipher half of
 * {@link ChaCha20Poly1305}. Add, rotate and xor on ints only, so it needs nothing from the JDK.
 */
final class ChaCha20 {
    static final int BLOCK_BYTES = 64;

    private ChaCha20() {
    }

    /** One 64-byte keystream block: the block function's serialized output. */
    static byte[] block(byte[] key, int counter, byte[] nonce) {
        return xor(key, counter, nonce, new byte[BLOCK_BYTES]);
    }

    /**
     * The input xored with the keystream from block {@code counter} (unsigned) on; encrypts and decrypts
     * alike. Refuses an input that needs a block past 2^32 - 1 (see {@link #blocks}).
     */
    static byte[] xor(byte[] key, int counter, byte[] nonce, byte[] input) {
        int blocks = blocks(counter, input.length);
        int[] state = new int[16];
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            state[4 + i] = littleEndian(key, i << 2);
        }
        state[12] = counter;
        for (int i = 0; i < 3; i++) {
            state[13 + i] = littleEndian(nonce, i << 2);
        }
        byte[] out = new byte[input.length];
        int[] keystream = new int[16];
        for (int block = 0; block < blocks; block++) {
            blockFunction(state, keystream);
            int at = block * BLOCK_BYTES;
            int end = Math.min(BLOCK_BYTES, input.length - at);
            for (int i = 0; i < end; i++) {
                out[at + i] = (byte) (input[at + i] ^ keystream[i >> 2] >>> ((i & 3) << 3));
            }
            state[12]++;
        }
        return out;
    }

    /**
     * The keystream blocks {@code length} bytes take from block {@code counter} on. RFC 8439's block
     * counter is 32 bits: past block 2^32 - 1 it would wrap to 0 and repeat the keystream (block 0 keys
     * the AEAD's Poly1305), so such an input is refused, never wrapped. (Some libraries carry into the
     * nonce instead; that is another cipher's keystream.)
     */
    static int blocks(int counter, int length) {
        int blocks = Lengths.blocks(length, BLOCK_BYTES);
        if ((counter & 0xffffffffL) + blocks > 1L << 32) {
            throw new IllegalArgumentException("ChaCha20: the input needs a block past 2^32 - 1, where RFC 8439's"
                    + " 32-bit block counter would wrap");
        }
        return blocks;
    }

    /** 20 rounds (10 column and diagonal pairs) over a copy of the state, then the state added back. */
    private static void blockFunction(int[] state, int[] x) {
        System.arraycopy(state, 0, x, 0, 16);
        for (int round = 0; round < 10; round++) {
            // Columns (0, 4, 8, 12) to (3, 7, 11, 15), then diagonals (0, 5, 10, 15) to (3, 4, 9, 14).
            for (int i = 0; i < 4; i++) {
                quarterRound(x, i, 4 + i, 8 + i, 12 + i);
            }
            for (int i = 0; i < 4; i++) {
                quarterRound(x, i, 4 + (i + 1 & 3), 8 + (i + 2 & 3), 12 + (i + 3 & 3));
            }
        }
        for (int i = 0; i < 16; i++) {
            x[i] += state[i];
        }
    }

    private static void quarterRound(int[] x, int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = rotateLeft(x[b] ^ x[c], 7);
    }

    /** Integer.rotateLeft's body: calling the JDK's costs a class-initialisation check per call in wasm. */
    private static int rotateLeft(int value, int distance) {
        return value << distance | value >>> -distance;
    }

    private static int littleEndian(byte[] bytes, int at) {
        return bytes[at] & 0xff | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | bytes[at + 3] << 24;
    }
}
