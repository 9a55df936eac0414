package tark.host.toolchain;

/**
 * Compiled into the module, called by minimal-json's parser once {@link JsonParserSize} has rewritten
 * it: the value of a {@code \\u} escape's four hexadecimal digits, which the parser has already checked.
 */
public final class HexDigits {
    private HexDigits() {
    }

    /** {@code Integer.parseInt(digits, 16)} for the parser's checked digits (0-9, a-f, A-F). */
    public static int parse(String digits, int radix) {
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            value = value * radix + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        return value;
    }
}
