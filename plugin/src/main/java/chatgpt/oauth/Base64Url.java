package chatgpt.oauth;

/**
 * base64 as JWTs and this plugin's storage use it. Decoding accepts both alphabets, url-safe
 * ({@code -_}, RFC 4648 section 5) and standard ({@code +/}), padding optional, because issuers and
 * hand-made tokens use either; encoding writes url-safe without padding. A few lines here instead of
 * {@code java.util.Base64}, whose tables and classes cost the module ~3 KB.
 */
final class Base64Url {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private Base64Url() {
    }

    /** The decoded bytes; null if the text is not base64 in either alphabet. */
    static byte[] decode(String text) {
        int length = text.length();
        while (length > 0 && text.charAt(length - 1) == '=') {
            length--;
        }
        if (length % 4 == 1) {
            return null;
        }
        byte[] out = new byte[length * 3 / 4];
        int at = 0;
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < length; i++) {
            int value = sextet(text.charAt(i));
            if (value < 0) {
                return null;
            }
            buffer = buffer << 6 | value;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[at++] = (byte) (buffer >> bits);
            }
        }
        return out;
    }

    /** url-safe base64 without padding. */
    static String encode(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 4 + 2) / 3);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = buffer << 8 | b & 0xFF;
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                out.append(ALPHABET.charAt(buffer >> bits & 63));
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt(buffer << 6 - bits & 63));
        }
        return out.toString();
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        } else if (c == '-' || c == '+') {
            return 62;
        } else if (c == '_' || c == '/') {
            return 63;
        }
        return -1;
    }
}
