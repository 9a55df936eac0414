package tark.host;

/**
 * UTF-8 conversion for values crossing the host boundary. Written out rather than taken from
 * {@code java.nio.charset}, whose encoder and decoder machinery costs about 20 KB of wasm.
 */
public final class Utf8 {
    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /**
     * Character.isHighSurrogate's test. This class does the surrogate arithmetic itself: each call
     * into java.lang.Character is preceded by a class-initialisation check in wasm.
     */
    public static boolean isHighSurrogate(int c) {
        return (c & 0xFC00) == 0xD800;
    }

    static boolean isLowSurrogate(int c) {
        return (c & 0xFC00) == 0xDC00;
    }

    /** Encodes text; an unpaired surrogate becomes U+FFFD (the JDK writes '?'). */
    public static byte[] encode(String text) {
        int length = text.length();
        byte[] out = new byte[encodedLength(text)];
        int at = 0;
        for (int i = 0; i < length; i++) {
            int c = text.charAt(i);
            if (c < 0x80) {
                out[at++] = (byte) c;
                continue;
            }
            if (c < 0x800) {
                out[at++] = (byte) (0xC0 | c >> 6);
            } else {
                if ((c & 0xF800) == 0xD800) {
                    int next = i + 1 < length ? text.charAt(i + 1) : 0;
                    if (isHighSurrogate(c) && isLowSurrogate(next)) {
                        int codePoint = 0x10000 + ((c - 0xD800) << 10) + (next - 0xDC00);
                        i++;
                        out[at++] = (byte) (0xF0 | codePoint >> 18);
                        out[at++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
                        out[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
                        out[at++] = (byte) (0x80 | codePoint & 0x3F);
                        continue;
                    }
                    c = REPLACEMENT;
                }
                out[at++] = (byte) (0xE0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
            }
            out[at++] = (byte) (0x80 | c & 0x3F);
        }
        return out;
    }

    static int encodedLength(String text) {
        int length = text.length();
        int bytes = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (isHighSurrogate(c) && i + 1 < length && isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Decodes UTF-8; each malformed sequence becomes U+FFFD rather than failing. */
    public static String decode(byte[] bytes) {
        char[] out = new char[bytes.length];
        int at = 0;
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            int extra;
            int codePoint;
            int min;
            if (b < 0x80) {
                out[at++] = (char) b;
                i++;
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                extra = 1;
                codePoint = b & 0x1F;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                extra = 2;
                codePoint = b & 0x0F;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                extra = 3;
                codePoint = b & 0x07;
                min = 0x10000;
            } else {
                out[at++] = REPLACEMENT;
                i++;
                continue;
            }
            int j = i + 1;
            while (j <= i + extra && j < bytes.length && (bytes[j] & 0xC0) == 0x80) {
                codePoint = codePoint << 6 | bytes[j] & 0x3F;
                j++;
            }
            if (j != i + extra + 1 || codePoint < min || codePoint > 0x10FFFF
                    || codePoint >= 0xD800 && codePoint <= 0xDFFF) {
                out[at++] = REPLACEMENT;
                i = j > i + 1 ? j : i + 1;
                continue;
            }
            if (codePoint >= 0x10000) {
                out[at++] = (char) (0xD800 + (codePoint - 0x10000 >> 10));
                out[at++] = (char) (0xDC00 + (codePoint & 0x3FF));
            } else {
                out[at++] = (char) codePoint;
            }
            i = j;
        }
        return new String(out, 0, at);
    }
}
