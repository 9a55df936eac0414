package tark.host;

/**
 * Reads a few fields out of JSON that comes from outside the plugin (files, HTTP replies, the host,
 * storage), streaming: only the wanted values are kept, so no tree is built and a dense document
 * cannot fill TeaVM's fixed heap.
 *
 * <p>The work is bounded too: a document with more than {@link #MAX_VALUES} values or nested more
 * than {@link #MAX_DEPTH} levels is refused, long before the parser's recursion could exhaust the
 * wasm stack. A field is named by its path from the top-level object: {@code path("a", "b")} for
 * {@code {"a": {"b": ...}}}, and array elements by their index, {@code path("list", "0")}.
 */
public final class JsonInput {
    /** Far deeper than any credentials file, token, or reply needs. */
    public static final int MAX_DEPTH = 32;
    /** Far more values than any of them holds; a denser document is not one of ours. */
    public static final int MAX_VALUES = 20_000;

    /**
     * Joins the names of a nested field's path ({@link #path}); a constant, so that constant paths
     * ({@code "a" + SEPARATOR + "b"}) cost no code.
     */
    public static final char SEPARATOR = '\u001f';
    private static final byte STRING = 1;
    private static final byte NUMBER = 2;

    /** Package-private for the tests that hold the reader to minimal-json. */
    final String[] values;
    private final byte[] kinds;

    private JsonInput(int fields) {
        values = new String[fields];
        kinds = new byte[fields];
    }

    /** The path of a nested field, for {@link #read}. */
    public static String path(String... names) {
        StringBuilder path = new StringBuilder(names[0]);
        for (int i = 1; i < names.length; i++) {
            path.append(SEPARATOR).append(names[i]);
        }
        return path.toString();
    }

    /**
     * The fields at {@code paths} of a JSON object; null if the text is not one, is invalid JSON, or
     * exceeds the limits. When a field occurs twice, the last one counts (as in minimal-json's tree).
     */
    public static JsonInput read(String text, String... paths) {
        if (text == null) {
            return null;
        }
        JsonInput fields = new JsonInput(paths.length);
        try {
            return new Reader(text, paths, fields).document() ? fields : null;
        } catch (RuntimeException invalidOrTooLarge) {
            return null;
        }
    }

    /** Field {@code field} (an index into the paths given to {@link #read}) as a non-empty string, or null. */
    public String string(int field) {
        String value = values[field];
        return kinds[field] == STRING && !value.isEmpty() ? value : null;
    }

    /** Whether field {@code field} is a JSON number. */
    public boolean isNumber(int field) {
        return kinds[field] == NUMBER;
    }

    /**
     * Field {@code field}, a number or a string holding one, as a whole number (fraction dropped);
     * {@code fallback} for anything else.
     */
    public long wholeNumber(int field, long fallback) {
        return kinds[field] == STRING || kinds[field] == NUMBER ? wholeNumber(values[field], fallback) : fallback;
    }

    /**
     * A decimal number as a whole number, fraction dropped; {@code fallback} for anything else or beyond
     * {@code long}. Parsed by hand: {@code Double.parseDouble} would bring TeaVM's 60 KB of
     * floating-point tables into the module.
     */
    public static long wholeNumber(String number, long fallback) {
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

    /**
     * A strict JSON reader (RFC 8259's grammar, as minimal-json's parser reads it, which the JVM tests
     * hold it to) that keeps the path of the value being read only while it can still lead to a
     * wanted field, so a large irrelevant subtree costs no string building. minimal-json's parser
     * reports to a handler through a tree of classes and builds error messages with line and column:
     * about 8 KB of module, compiled on every provider init, for what this does in a few lines.
     */
    private static final class Reader {
        private final String text;
        private final String[] wanted;
        private final JsonInput fields;
        private int at;
        private int valueCount;

        Reader(String text, String[] wanted, JsonInput fields) {
            this.text = text;
            this.wanted = wanted;
            this.fields = fields;
        }

        /** Whether the text is one JSON object; throws when it is invalid or too large. */
        boolean document() {
            skipWhiteSpace();
            boolean object = peek() == '{';
            value(0, "");
            skipWhiteSpace();
            if (at != text.length()) {
                throw invalid();
            }
            return object;
        }

        /** One value; {@code path} is null when it cannot be (or lead to) a wanted field. */
        private void value(int depth, String path) {
            if (++valueCount > MAX_VALUES) {
                throw new IllegalStateException("too many values");
            }
            char c = peek();
            if (c == '{' || c == '[') {
                if (depth == MAX_DEPTH) {
                    throw new IllegalStateException("nested too deep");
                }
                container(depth + 1, path != null && leadsToWanted(path) ? path : null, c == '{' ? '}' : ']');
            } else if (c == '"') {
                record(path, STRING, string());
            } else if (c == '-' || c >= '0' && c <= '9') {
                record(path, NUMBER, number());
            } else if (!literal("true") && !literal("false") && !literal("null")) {
                throw invalid();
            } else {
                record(path, (byte) 0, null);
            }
        }

        /** An object or array whose members lie below {@code path} (null: nothing wanted there). */
        private void container(int depth, String path, char close) {
            at++;
            skipWhiteSpace();
            if (peek() == close) {
                at++;
                return;
            }
            int index = 0;
            do {
                skipWhiteSpace();
                String name;
                if (close == '}') {
                    if (peek() != '"') {
                        throw invalid();
                    }
                    name = string();
                    skipWhiteSpace();
                    expect(':');
                    skipWhiteSpace();
                } else {
                    name = path == null ? null : Decimal.of(index++);
                }
                value(depth, path == null ? null : path.isEmpty() ? name : path + SEPARATOR + name);
                skipWhiteSpace();
            } while (consume(','));
            expect(close);
        }

        private String string() {
            at++;
            StringBuilder out = null;
            int start = at;
            while (true) {
                char c = next();
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw invalid();
                }
                if (c == '\\') {
                    if (out == null) {
                        out = new StringBuilder();
                    }
                    out.append(text, start, at - 1).append(escape(next()));
                    start = at;
                }
            }
            String tail = text.substring(start, at - 1);
            return out == null ? tail : out.append(tail).toString();
        }

        private char escape(char c) {
            switch (c) {
                case '"':
                case '/':
                case '\\':
                    return c;
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'u':
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        char h = next();
                        int digit = h >= '0' && h <= '9' ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f'
                                ? (h | 0x20) - 'a' + 10 : -1;
                        if (digit < 0) {
                            throw invalid();
                        }
                        code = code << 4 | digit;
                    }
                    return (char) code;
                default:
                    throw invalid();
            }
        }

        /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, as written. */
        private String number() {
            int start = at;
            consume('-');
            if (!consume('0')) {
                digits();
            }
            if (consume('.')) {
                digits();
            }
            if (consume('e') || consume('E')) {
                if (!consume('+')) {
                    consume('-');
                }
                digits();
            }
            return text.substring(start, at);
        }

        /** One or more digits. */
        private void digits() {
            int start = at;
            while (peek() >= '0' && peek() <= '9') {
                at++;
            }
            if (at == start) {
                throw invalid();
            }
        }

        private boolean literal(String word) {
            if (!text.startsWith(word, at)) {
                return false;
            }
            at += word.length();
            return true;
        }

        private void record(String path, byte kind, String value) {
            if (path == null) {
                return;
            }
            for (int i = 0; i < wanted.length; i++) {
                if (wanted[i].equals(path)) {
                    fields.kinds[i] = kind;
                    fields.values[i] = value;
                }
            }
        }

        private boolean leadsToWanted(String path) {
            if (path.isEmpty()) {
                return true;
            }
            for (String field : wanted) {
                if (field.length() > path.length() && field.startsWith(path)
                        && field.charAt(path.length()) == SEPARATOR) {
                    return true;
                }
            }
            return false;
        }

        private void skipWhiteSpace() {
            for (char c = peek(); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek()) {
                at++;
            }
        }

        /** The character at the reading position; NUL past the end (never valid where it is checked). */
        private char peek() {
            return at < text.length() ? text.charAt(at) : 0;
        }

        private char next() {
            if (at >= text.length()) {
                throw invalid();
            }
            return text.charAt(at++);
        }

        private boolean consume(char c) {
            if (peek() != c) {
                return false;
            }
            at++;
            return true;
        }

        private void expect(char c) {
            if (!consume(c)) {
                throw invalid();
            }
        }

        private static IllegalArgumentException invalid() {
            return new IllegalArgumentException();
        }
    }
}
