package chatgpt.oauth.crypto;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): turns secret material of any shape (a refresh token) into a
 * uniformly random key of the length a cipher needs.
 */
public final class Hkdf {
    public static final int MAX_LENGTH = 255 * Sha256.BYTES;

    private Hkdf() {
    }

    /**
     * Extract then expand. A null salt or info counts as empty (an empty salt is the RFC's
     * "not provided": HMAC pads it to the same zero key).
     */
    public static byte[] sha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 length out of range");
        }
        byte[] pseudorandomKey = Sha256.hmac(salt == null ? new byte[0] : salt, inputKeyMaterial);
        int infoLength = info == null ? 0 : info.length;
        byte[] out = new byte[length];
        byte[] previous = new byte[0];
        for (int done = 0, counter = 1; done < length; counter++) {
            // T(i) = HMAC(PRK, T(i-1) | info | i)
            byte[] input = new byte[Lengths.add(previous.length + 1, infoLength)];
            System.arraycopy(previous, 0, input, 0, previous.length);
            if (info != null) {
                System.arraycopy(info, 0, input, previous.length, infoLength);
            }
            input[input.length - 1] = (byte) counter;
            previous = Sha256.hmac(pseudorandomKey, input);
            int take = Math.min(Sha256.BYTES, length - done);
            System.arraycopy(previous, 0, out, done, take);
            done += take;
        }
        return out;
    }
}
