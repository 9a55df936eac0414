package tark.host;

/**
 * Text shown to a person (a log line, a chat answer) with every control character written out
 * visibly: {@code \x1b} for ESC. Text from a file, an environment variable, the host or a server may
 * hold ESC sequences, C1 controls or carriage returns that a terminal obeys (a hyperlink, a rewritten
 * line, a changed title); written out, they are only characters. A backslash is left as it is (paths
 * hold them), so escaping twice changes nothing.
 */
public final class ControlChars {
    private ControlChars() {
    }

    /** {@code text} with each C0 control, DEL and C1 control as {@code \xNN}; the same string when it has none. */
    public static String escape(String text) {
        int controls = 0;
        for (int i = 0; i < text.length(); i++) {
            controls += isControl(text.charAt(i)) ? 1 : 0;
        }
        if (controls == 0) {
            return text;
        }
        // Sized exactly, an array rather than a StringBuilder: less code in the module.
        char[] out = new char[text.length() + 3 * controls];
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                out[length++] = '\\';
                out[length++] = 'x';
                out[length++] = hexDigit(c >> 4);
                out[length++] = hexDigit(c & 15);
            } else {
                out[length++] = c;
            }
        }
        return new String(out);
    }

    private static char hexDigit(int value) {
        return (char) (value < 10 ? '0' + value : 'a' - 10 + value);
    }

    /** C0 (U+0000 to U+001F), DEL (U+007F) and C1 (U+0080 to U+009F). */
    public static boolean isControl(char c) {
        return c < 0x20 || c >= 0x7F && c <= 0x9F;
    }
}
