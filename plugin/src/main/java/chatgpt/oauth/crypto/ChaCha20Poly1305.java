package chatgpt.oauth.crypto;

/**
 * The AEAD_CHACHA20_POLY1305 construction (RFC 8439 section 2.8): encrypts and authenticates what
 * the plugin keeps in tark's storage, which other local users may be able to read.
 */
public final class ChaCha20Poly1305 {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;

    private ChaCha20Poly1305() {
    }

    /**
     * Ciphertext then tag. The nonce must never repeat under one key. A null aad counts as empty.
     * Refuses (IllegalArgumentException) a plaintext and aad too long for {@link #macInputLength}.
     */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] aad) {
        checkSizes(key, nonce);
        macInputLength(aad == null ? 0 : aad.length, plaintext.length);
        byte[] ciphertext = ChaCha20.xor(key, 1, nonce, plaintext);
        byte[] sealed = new byte[ciphertext.length + TAG_BYTES];
        System.arraycopy(ciphertext, 0, sealed, 0, ciphertext.length);
        System.arraycopy(tag(key, nonce, ciphertext, aad), 0, sealed, ciphertext.length, TAG_BYTES);
        return sealed;
    }

    /**
     * The plaintext; null when the input is shorter than a tag or the tag does not verify. Refuses
     * (IllegalArgumentException) what {@link #seal} would refuse to make.
     */
    public static byte[] open(byte[] key, byte[] nonce, byte[] sealed, byte[] aad) {
        checkSizes(key, nonce);
        if (sealed == null || sealed.length < TAG_BYTES) {
            return null;
        }
        int length = sealed.length - TAG_BYTES;
        byte[] ciphertext = new byte[length];
        System.arraycopy(sealed, 0, ciphertext, 0, length);
        byte[] expected = tag(key, nonce, ciphertext, aad);
        // Every byte compared, whatever differs first: the time taken says nothing about the tag.
        int difference = 0;
        for (int i = 0; i < TAG_BYTES; i++) {
            difference |= expected[i] ^ sealed[length + i];
        }
        return difference == 0 ? ChaCha20.xor(key, 1, nonce, ciphertext) : null;
    }

    /** Poly1305 under the key from block 0, over aad, ciphertext (each zero-padded to 16) and their lengths. */
    private static byte[] tag(byte[] key, byte[] nonce, byte[] ciphertext, byte[] aad) {
        int aadLength = aad == null ? 0 : aad.length;
        int aadPadded = padded(aadLength);
        int ciphertextPadded = padded(ciphertext.length);
        byte[] macData = new byte[macInputLength(aadLength, ciphertext.length)];
        if (aad != null) {
            System.arraycopy(aad, 0, macData, 0, aadLength);
        }
        System.arraycopy(ciphertext, 0, macData, aadPadded, ciphertext.length);
        int lengths = aadPadded + ciphertextPadded;
        for (int i = 0; i < 4; i++) {
            // 64-bit little-endian lengths; an int length has no bits past the fourth byte.
            macData[lengths + i] = (byte) (aadLength >>> (i << 3));
            macData[lengths + 8 + i] = (byte) (ciphertext.length >>> (i << 3));
        }
        return Poly1305.mac(ChaCha20.block(key, 0, nonce), macData);
    }

    /**
     * The Poly1305 input's length: aad and ciphertext, each zero-padded to 16, then their two 8-byte
     * lengths; refused past the largest array. Within it, ciphertext and tag fit one array too.
     */
    static int macInputLength(int aadLength, int ciphertextLength) {
        return Lengths.add(Lengths.add(padded(aadLength), padded(ciphertextLength)), 16);
    }

    private static int padded(int length) {
        return Lengths.add(length, 15) & ~15;
    }

    private static void checkSizes(byte[] key, byte[] nonce) {
        if (key.length != KEY_BYTES || nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 32-byte key and a 12-byte nonce");
        }
    }
}
