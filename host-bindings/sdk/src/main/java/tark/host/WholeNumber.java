package tark.host;

/** Whole numbers read from JSON's decimal text (a number's digits, or a string holding one). */
public final class WholeNumber {
    private WholeNumber() {
    }

    /**
     * A decimal number as a whole number, fraction dropped; {@code fallback} for anything else or beyond
     * {@code long}. Parsed by hand: {@code Double.parseDouble} would bring TeaVM's 60 KB of
     * floating-point tables into the module.
     */
    public static long of(String number, long fallback) {
        String text = number.trim();
        int i = 0;
        boolean negative = i < text.length() && text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long whole = 0;
        int digits = 0;
        int exponentAdjust = 0;
        boolean fraction = false;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.' && !fraction) {
                fraction = true;
            } else if (c >= '0' && c <= '9') {
                digits++;
                if (whole > (Long.MAX_VALUE - 9) / 10) {
                    if (fraction) {
                        continue; // a digit too fine to matter: dropping it truncates
                    }
                    return fallback;
                }
                whole = whole * 10 + (c - '0');
                if (fraction) {
                    exponentAdjust--;
                }
            } else {
                break;
            }
        }
        if (digits == 0) {
            return fallback;
        }
        if (i < text.length()) {
            char e = text.charAt(i);
            if (e != 'e' && e != 'E' || i + 1 >= text.length()) {
                return fallback;
            }
            int exponent = 0;
            boolean negativeExponent = text.charAt(i + 1) == '-';
            int j = text.charAt(i + 1) == '+' || negativeExponent ? i + 2 : i + 1;
            if (j >= text.length()) {
                return fallback;
            }
            for (; j < text.length(); j++) {
                char c = text.charAt(j);
                if (c < '0' || c > '9' || exponent > 1000) {
                    return fallback;
                }
                exponent = exponent * 10 + (c - '0');
            }
            exponentAdjust += negativeExponent ? -exponent : exponent;
        }
        for (; exponentAdjust > 0; exponentAdjust--) {
            if (whole > Long.MAX_VALUE / 10) {
                return fallback;
            }
            whole *= 10;
        }
        for (; exponentAdjust < 0 && whole != 0; exponentAdjust++) {
            whole /= 10;
        }
        return negative ? -whole : whole;
    }
}
