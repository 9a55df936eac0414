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

    /** {@code text} with each C0 control, DEL and C1 control as {@code \xNN}. */
    public static String escape(String text) {
        return append(new StringBuilder(text.length()), text, false).toString();
    }

    /**
     * Appends {@code text}, each control character written out: as {@code \xNN}, or for a JSON string
     * ({@code json}, {@link JsonOutput}) as a six-character JSON escape, with quotes and backslashes
     * escaped and the two line separators JavaScript rejects (U+2028, U+2029) too. One loop for both:
     * less code in the module.
     */
    static StringBuilder append(StringBuilder out, String text, boolean json) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (json && (c == '"' || c == '\\')) {
                out.append('\\').append(c);
            } else if (isControl(c) || json && (c == '\u2028' || c == '\u2029')) {
                out.append('\\');
                if (json) {
                    out.append('u').append(hexDigit(c >> 12)).append(hexDigit(c >> 8 & 15));
                } else {
                    out.append('x');
                }
                out.append(hexDigit(c >> 4 & 15)).append(hexDigit(c & 15));
            } else {
                out.append(c);
            }
        }
        return out;
    }

    private static char hexDigit(int value) {
        return (char) (value < 10 ? '0' + value : 'a' - 10 + value);
    }

    /** C0 (U+0000 to U+001F), DEL (U+007F) and C1 (U+0080 to U+009F). */
    public static boolean isControl(char c) {
        return c < 0x20 || c >= 0x7F && c <= 0x9F;
    }
}
