package chatgpt.oauth.crypto;

/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): the hash under {@link Hkdf}, written out here
 * because TeaVM's class library has no {@code java.security}. Plain int arithmetic, one block at a time.
 */
public final class Sha256 {
    public static final int BYTES = 32;
    private static final int BLOCK = 64;
    /**
     * K, FIPS 180-4 section 4.2.2: each constant's high and low 16 bits as two chars. A string is data;
     * an int array literal would be 64 stores in code, compiled on every provider init.
     */
    private static final String ROUND_CONSTANT_HALVES =
            "\u428a\u2f98\u7137\u4491\ub5c0\ufbcf\ue9b5\udba5\u3956\uc25b\u59f1\u11f1\u923f\u82a4\uab1c\u5ed5"
            + "\ud807\uaa98\u1283\u5b01\u2431\u85be\u550c\u7dc3\u72be\u5d74\u80de\ub1fe\u9bdc\u06a7\uc19b\uf174"
            + "\ue49b\u69c1\uefbe\u4786\u0fc1\u9dc6\u240c\ua1cc\u2de9\u2c6f\u4a74\u84aa\u5cb0\ua9dc\u76f9\u88da"
            + "\u983e\u5152\ua831\uc66d\ub003\u27c8\ubf59\u7fc7\uc6e0\u0bf3\ud5a7\u9147\u06ca\u6351\u1429\u2967"
            + "\u27b7\u0a85\u2e1b\u2138\u4d2c\u6dfc\u5338\u0d13\u650a\u7354\u766a\u0abb\u81c2\uc92e\u9272\u2c85"
            + "\ua2bf\ue8a1\ua81a\u664b\uc24b\u8b70\uc76c\u51a3\ud192\ue819\ud699\u0624\uf40e\u3585\u106a\ua070"
            + "\u19a4\uc116\u1e37\u6c08\u2748\u774c\u34b0\ubcb5\u391c\u0cb3\u4ed8\uaa4a\u5b9c\uca4f\u682e\u6ff3"
            + "\u748f\u82ee\u78a5\u636f\u84c8\u7814\u8cc7\u0208\u90be\ufffa\ua450\u6ceb\ubef9\ua3f7\uc671\u78f2";

    private Sha256() {
    }

    /** The digest; refuses (IllegalArgumentException) a message whose padded copy no array can hold. */
    public static byte[] digest(byte[] data) {
        int padded = paddedLength(data.length);
        byte[] message = new byte[padded];
        System.arraycopy(data, 0, message, 0, data.length);
        message[data.length] = (byte) 0x80;
        long bits = (long) data.length << 3;
        for (int i = 0; i < 8; i++) {
            message[padded - 1 - i] = (byte) (bits >>> (i << 3));
        }
        int[] hash = {
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };
        int[] schedule = new int[64];
        for (int at = 0; at < padded; at += BLOCK) {
            compress(hash, schedule, message, at);
        }
        byte[] out = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            out[i] = (byte) (hash[i >> 2] >>> (24 - ((i & 3) << 3)));
        }
        return out;
    }

    /**
     * The message, a 1 bit, zeros, and the length in bits (64-bit big-endian) in whole blocks: 2^31 - 64
     * bytes at most, for a message of up to 2^31 - 73 bytes; past that, refused.
     */
    static int paddedLength(int length) {
        return Lengths.add(length, 8 + BLOCK) & -BLOCK;
    }

    /** HMAC: hash(key ^ opad, hash(key ^ ipad, data)), a key longer than a block hashed first. */
    public static byte[] hmac(byte[] key, byte[] data) {
        if (key.length > BLOCK) {
            key = digest(key);
        }
        byte[] inner = new byte[Lengths.add(BLOCK, data.length)];
        byte[] outer = new byte[BLOCK + BYTES];
        for (int i = 0; i < BLOCK; i++) {
            int k = i < key.length ? key[i] : 0;
            inner[i] = (byte) (k ^ 0x36);
            outer[i] = (byte) (k ^ 0x5c);
        }
        System.arraycopy(data, 0, inner, BLOCK, data.length);
        System.arraycopy(digest(inner), 0, outer, BLOCK, BYTES);
        return digest(outer);
    }

    /** K[t], read from the string when used: a table built at start-up would be a class initializer in code. */
    private static int roundConstant(int t) {
        return ROUND_CONSTANT_HALVES.charAt(2 * t) << 16 | ROUND_CONSTANT_HALVES.charAt(2 * t + 1);
    }

    /** Integer.rotateRight's body: calling the JDK's costs a class-initialisation check per call in wasm. */
    private static int rotateRight(int value, int distance) {
        return value >>> distance | value << -distance;
    }

    private static void compress(int[] hash, int[] w, byte[] message, int at) {
        for (int t = 0; t < 16; t++) {
            int i = at + (t << 2);
            w[t] = message[i] << 24 | (message[i + 1] & 0xff) << 16 | (message[i + 2] & 0xff) << 8
                    | message[i + 3] & 0xff;
        }
        for (int t = 16; t < 64; t++) {
            int s0 = rotateRight(w[t - 15], 7) ^ rotateRight(w[t - 15], 18) ^ w[t - 15] >>> 3;
            int s1 = rotateRight(w[t - 2], 17) ^ rotateRight(w[t - 2], 19) ^ w[t - 2] >>> 10;
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        int a = hash[0];
        int b = hash[1];
        int c = hash[2];
        int d = hash[3];
        int e = hash[4];
        int f = hash[5];
        int g = hash[6];
        int h = hash[7];
        for (int t = 0; t < 64; t++) {
            int sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
            int choice = e & f ^ ~e & g;
            int t1 = h + sum1 + choice + roundConstant(t) + w[t];
            int sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
            int majority = a & b ^ a & c ^ b & c;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + sum0 + majority;
        }
        hash[0] += a;
        hash[1] += b;
        hash[2] += c;
        hash[3] += d;
        hash[4] += e;
        hash[5] += f;
        hash[6] += g;
        hash[7] += h;
    }
}
