package tark.host;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/**
 * Parses JSON that comes from outside the plugin (files, HTTP replies, the host). minimal-json's
 * parser recurses once per nesting level, and in wasm a deep enough document would exhaust the stack
 * and trap; so nesting is checked before parsing.
 */
public final class JsonInput {
    /** Far deeper than any credentials file or token reply needs. */
    public static final int MAX_DEPTH = 64;

    private JsonInput() {
    }

    /** The document as a JSON object; null if it is not valid JSON, too deep, or not an object. */
    public static JsonObject parseObject(String text) {
        if (text == null || nestingDepth(text) > MAX_DEPTH) {
            return null;
        }
        try {
            JsonValue value = Json.parse(text);
            return value.isObject() ? value.asObject() : null;
        } catch (RuntimeException invalid) {
            return null;
        }
    }

    /**
     * A JSON number (or a string holding one) as a whole number, fraction dropped; {@code fallback}
     * for anything else or beyond {@code long}. Parsed by hand: {@code Double.parseDouble} would bring
     * TeaVM's 60 KB of floating-point tables into the module.
     */
    public static long wholeNumber(JsonValue value, long fallback) {
        if (value == null || !(value.isNumber() || value.isString())) {
            return fallback;
        }
        String text = (value.isNumber() ? value.toString() : value.asString()).trim();
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

    /** The deepest array/object nesting outside string literals. */
    static int nestingDepth(String text) {
        int depth = 0;
        int deepest = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
                deepest = Math.max(deepest, depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return deepest;
    }
}
