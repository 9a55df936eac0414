package chatgpt.oauth;

/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): the hash under {@link Hkdf}, written out here
 * because TeaVM's class library has no {@code java.security}. Plain int arithmetic, one block at a time.
 */
final class Sha256 {
    static final int BYTES = 32;
    private static final int BLOCK = 64;
    private static final int[] ROUND_CONSTANTS = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    private Sha256() {
    }

    static byte[] digest(byte[] data) {
        // The message, a 1 bit, zeros, and the length in bits (64-bit big-endian) fill whole blocks.
        int padded = (data.length + 8) / BLOCK * BLOCK + BLOCK;
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

    /** HMAC: hash(key ^ opad, hash(key ^ ipad, data)), a key longer than a block hashed first. */
    static byte[] hmac(byte[] key, byte[] data) {
        if (key.length > BLOCK) {
            key = digest(key);
        }
        byte[] inner = new byte[BLOCK + data.length];
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

    private static void compress(int[] hash, int[] w, byte[] message, int at) {
        for (int t = 0; t < 16; t++) {
            int i = at + (t << 2);
            w[t] = message[i] << 24 | (message[i + 1] & 0xff) << 16 | (message[i + 2] & 0xff) << 8
                    | message[i + 3] & 0xff;
        }
        for (int t = 16; t < 64; t++) {
            int s0 = Integer.rotateRight(w[t - 15], 7) ^ Integer.rotateRight(w[t - 15], 18) ^ w[t - 15] >>> 3;
            int s1 = Integer.rotateRight(w[t - 2], 17) ^ Integer.rotateRight(w[t - 2], 19) ^ w[t - 2] >>> 10;
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
            int sum1 = Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25);
            int choice = e & f ^ ~e & g;
            int t1 = h + sum1 + choice + ROUND_CONSTANTS[t] + w[t];
            int sum0 = Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22);
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
