package tark.host;

/**
 * Whole numbers in decimal, for messages and JSON. Written out because appending an int or a long to
 * a string brings in TeaVM's general number formatting (about 1.5 KB of code, compiled on every
 * provider init): module code writes {@code "..." + Decimal.of(n)}, never {@code "..." + n}.
 */
public final class Decimal {
    private Decimal() {
    }

    public static String of(long value) {
        if (value == Long.MIN_VALUE) {
            return "-9223372036854775808";
        }
        char[] digits = new char[20];
        int at = digits.length;
        long rest = Math.abs(value);
        do {
            digits[--at] = (char) ('0' + rest % 10);
            rest /= 10;
        } while (rest != 0);
        if (value < 0) {
            digits[--at] = '-';
        }
        return new String(digits, at, digits.length - at);
    }
}
