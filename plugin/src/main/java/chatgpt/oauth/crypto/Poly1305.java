package chatgpt.oauth.crypto;

/**
 * The Poly1305 one-time authenticator (RFC 8439 section 2.5): the tag half of
 * {@link ChaCha20Poly1305}. Numbers mod 2^130-5 are kept in five 26-bit limbs, so that every
 * product of two limbs, and a sum of five of them, fits a long. The limbs are locals, not arrays:
 * TeaVM compiles that to a fraction of the code.
 */
final class Poly1305 {
    static final int KEY_BYTES = 32;
    static final int TAG_BYTES = 16;
    private static final int MASK = 0x3ffffff;

    private Poly1305() {
    }

    /** The tag of a message (any length) under a one-time key: its first 32 bytes, r then s. */
    static byte[] mac(byte[] key, byte[] message) {
        // r, clamped as section 2.5 requires, and the multiples 5r that fold limbs past 2^130 back.
        int k0 = littleEndian(key, 0) & 0x0fffffff;
        int k1 = littleEndian(key, 4) & 0x0ffffffc;
        int k2 = littleEndian(key, 8) & 0x0ffffffc;
        int k3 = littleEndian(key, 12) & 0x0ffffffc;
        long r0 = k0 & MASK;
        long r1 = (k0 >>> 26 | k1 << 6) & MASK;
        long r2 = (k1 >>> 20 | k2 << 12) & MASK;
        long r3 = (k2 >>> 14 | k3 << 18) & MASK;
        long r4 = k3 >>> 8;
        long r1x5 = r1 * 5;
        long r2x5 = r2 * 5;
        long r3x5 = r3 * 5;
        long r4x5 = r4 * 5;
        int h0 = 0;
        int h1 = 0;
        int h2 = 0;
        int h3 = 0;
        int h4 = 0;
        // Counted in blocks: stepping an offset by 16 would wrap negative past 2^31 - 16 bytes.
        int blocks = Lengths.blocks(message.length, 16);
        for (int index = 0; index < blocks; index++) {
            // Each block is a number with a 1 byte appended: 2^128 for a whole block, lower for the last.
            int at = index * 16;
            byte[] block = message;
            int from = at;
            int appended = 1 << 24;
            int length = message.length - at;
            if (length < 16) {
                block = new byte[16];
                System.arraycopy(message, at, block, 0, length);
                block[length] = 1;
                from = 0;
                appended = 0;
            }
            int m0 = littleEndian(block, from);
            int m1 = littleEndian(block, from + 4);
            int m2 = littleEndian(block, from + 8);
            int m3 = littleEndian(block, from + 12);
            h0 += m0 & MASK;
            h1 += (m0 >>> 26 | m1 << 6) & MASK;
            h2 += (m1 >>> 20 | m2 << 12) & MASK;
            h3 += (m2 >>> 14 | m3 << 18) & MASK;
            h4 += m3 >>> 8 | appended;
            // h = h * r mod p, partly reduced: 2^130 = 5 (mod p).
            long d0 = h0 * r0 + h1 * r4x5 + h2 * r3x5 + h3 * r2x5 + h4 * r1x5;
            long d1 = h0 * r1 + h1 * r0 + h2 * r4x5 + h3 * r3x5 + h4 * r2x5;
            long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * r4x5 + h4 * r3x5;
            long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * r4x5;
            long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
            d1 += d0 >>> 26;
            d2 += d1 >>> 26;
            d3 += d2 >>> 26;
            d4 += d3 >>> 26;
            long low = (d0 & MASK) + (d4 >>> 26) * 5;
            h0 = (int) low & MASK;
            h1 = ((int) d1 & MASK) + (int) (low >>> 26);
            h2 = (int) d2 & MASK;
            h3 = (int) d3 & MASK;
            h4 = (int) d4 & MASK;
        }
        // Two full carries leave every limb below 2^26 and h below 2^130.
        for (int pass = 0; pass < 2; pass++) {
            h1 += h0 >>> 26;
            h0 &= MASK;
            h2 += h1 >>> 26;
            h1 &= MASK;
            h3 += h2 >>> 26;
            h2 &= MASK;
            h4 += h3 >>> 26;
            h3 &= MASK;
            h0 += (h4 >>> 26) * 5;
            h4 &= MASK;
        }
        // h - p = h + 5 - 2^130: when h + 5 reaches 2^130, h >= p and h - p is the reduced value.
        int g0 = h0 + 5;
        int g1 = h1 + (g0 >>> 26);
        int g2 = h2 + (g1 >>> 26);
        int g3 = h3 + (g2 >>> 26);
        int g4 = h4 + (g3 >>> 26);
        int useG = -(g4 >>> 26);
        h0 = h0 & ~useG | g0 & MASK & useG;
        h1 = h1 & ~useG | g1 & MASK & useG;
        h2 = h2 & ~useG | g2 & MASK & useG;
        h3 = h3 & ~useG | g3 & MASK & useG;
        h4 = h4 & ~useG | g4 & MASK & useG;
        // The low 128 bits of h + s, little-endian.
        byte[] tag = new byte[TAG_BYTES];
        long sum = unsigned(h0 | h1 << 26) + unsigned(littleEndian(key, 16));
        putLittleEndian(tag, 0, (int) sum);
        sum = (sum >>> 32) + unsigned(h1 >>> 6 | h2 << 20) + unsigned(littleEndian(key, 20));
        putLittleEndian(tag, 4, (int) sum);
        sum = (sum >>> 32) + unsigned(h2 >>> 12 | h3 << 14) + unsigned(littleEndian(key, 24));
        putLittleEndian(tag, 8, (int) sum);
        sum = (sum >>> 32) + unsigned(h3 >>> 18 | h4 << 8) + unsigned(littleEndian(key, 28));
        putLittleEndian(tag, 12, (int) sum);
        return tag;
    }

    private static long unsigned(int value) {
        return value & 0xffffffffL;
    }

    private static int littleEndian(byte[] bytes, int at) {
        return bytes[at] & 0xff | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | bytes[at + 3] << 24;
    }

    private static void putLittleEndian(byte[] bytes, int at, int value) {
        for (int i = 0; i < 4; i++) {
            bytes[at + i] = (byte) (value >>> (i << 3));
        }
    }
}
