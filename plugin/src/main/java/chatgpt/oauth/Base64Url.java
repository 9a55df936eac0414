package chatgpt.oauth;

/**
 * Decodes base64url (RFC 4648 section 5), padding optional, as JWT segments use it. A few lines
 * here instead of {@code java.util.Base64}, whose encoder tables and classes cost the module ~3 KB.
 */
final class Base64Url {
    private Base64Url() {
    }

    /** The decoded bytes; null if the text is not base64url. */
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

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        } else if (c == '-') {
            return 62;
        } else if (c == '_') {
            return 63;
        }
        return -1;
    }
}
