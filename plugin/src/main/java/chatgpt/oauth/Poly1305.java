package chatgpt.oauth;

/**
 * The Poly1305 one-time authenticator (RFC 8439 section 2.5): the tag half of
 * {@link ChaCha20Poly1305}. Numbers mod 2^130-5 are kept in five 26-bit limbs, so that every
 * product of two limbs, and a sum of five of them, fits a long.
 */
final class Poly1305 {
    static final int KEY_BYTES = 32;
    static final int TAG_BYTES = 16;
    private static final int MASK = 0x3ffffff;
    /** Where limb i (bits 26i to 26i+25) starts: its first byte and the shift within that byte. */
    private static final int[] LIMB_BYTE = {0, 3, 6, 9, 13};
    private static final int[] LIMB_SHIFT = {0, 2, 4, 6, 0};

    private Poly1305() {
    }

    /** The tag of a message under a one-time key: its first 32 bytes, r then s. */
    static byte[] mac(byte[] key, byte[] message) {
        // 17 bytes: a block, then the 1 appended above its last byte (room for limb 4's read).
        byte[] block = new byte[17];
        System.arraycopy(key, 0, block, 0, 16);
        clamp(block);
        int[] r = limbs(block);
        int[] h = new int[5];
        long[] product = new long[5];
        for (int at = 0; at < message.length; at += 16) {
            int length = Math.min(16, message.length - at);
            System.arraycopy(message, at, block, 0, length);
            block[length] = 1;
            for (int i = length + 1; i < block.length; i++) {
                block[i] = 0;
            }
            int[] m = limbs(block);
            for (int i = 0; i < 5; i++) {
                h[i] += m[i];
            }
            multiply(h, r, product);
        }
        // h is now below 2^130 plus a little; fully reduce it mod p, then add s mod 2^128.
        carry(h);
        carry(h);
        int[] minusP = new int[5];
        long sum = 5;
        for (int i = 0; i < 5; i++) {
            sum += h[i];
            minusP[i] = (int) sum & MASK;
            sum >>>= 26;
        }
        int useMinusP = -(int) sum; // h + 5 reached 2^130 exactly when h >= p: then h - p = that sum - 2^130
        for (int i = 0; i < 5; i++) {
            h[i] = h[i] & ~useMinusP | minusP[i] & useMinusP;
        }
        int[] words = {h[0] | h[1] << 26, h[1] >>> 6 | h[2] << 20, h[2] >>> 12 | h[3] << 14, h[3] >>> 18 | h[4] << 8};
        byte[] tag = new byte[TAG_BYTES];
        long word = 0;
        for (int i = 0; i < 4; i++) {
            word += (words[i] & 0xffffffffL) + (littleEndian(key, 16 + (i << 2)) & 0xffffffffL);
            for (int b = 0; b < 4; b++) {
                tag[(i << 2) + b] = (byte) (word >>> (b << 3));
            }
            word >>>= 32;
        }
        return tag;
    }

    /** h = h * r mod 2^130-5, partly reduced: 2^130 = 5 (mod p) folds the high limbs back times 5. */
    private static void multiply(int[] h, int[] r, long[] product) {
        for (int i = 0; i < 5; i++) {
            long sum = 0;
            for (int j = 0; j < 5; j++) {
                sum += (long) h[j] * (j <= i ? r[i - j] : 5 * r[i - j + 5]);
            }
            product[i] = sum;
        }
        long carry = 0;
        for (int i = 0; i < 5; i++) {
            carry += product[i];
            h[i] = (int) carry & MASK;
            carry >>>= 26;
        }
        long low = h[0] + carry * 5;
        h[0] = (int) low & MASK;
        h[1] += (int) (low >>> 26);
    }

    /** Carries through all limbs once, folding what passes 2^130 back into limb 0 times 5. */
    private static void carry(int[] h) {
        int carry = 0;
        for (int i = 0; i < 5; i++) {
            carry += h[i];
            h[i] = carry & MASK;
            carry >>>= 26;
        }
        h[0] += carry * 5;
    }

    /** r's top four bits of every fourth byte and low two bits of bytes 4, 8, 12 cleared (section 2.5). */
    private static void clamp(byte[] r) {
        for (int i = 3; i < 16; i += 4) {
            r[i] &= 15;
            if (i < 15) {
                r[i + 1] &= 0xfc;
            }
        }
    }

    private static int[] limbs(byte[] block) {
        int[] limbs = new int[5];
        for (int i = 0; i < 5; i++) {
            limbs[i] = littleEndian(block, LIMB_BYTE[i]) >>> LIMB_SHIFT[i] & MASK;
        }
        return limbs;
    }

    private static int littleEndian(byte[] bytes, int at) {
        return bytes[at] & 0xff | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | bytes[at + 3] << 24;
    }
}
