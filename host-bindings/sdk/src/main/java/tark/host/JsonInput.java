package tark.host;

import com.eclipsesource.json.JsonHandler;
import com.eclipsesource.json.JsonParser;

/**
 * Reads a few fields out of JSON that comes from outside the plugin (files, HTTP replies, the host,
 * storage), streaming: minimal-json's parser reports each value and only the wanted ones are kept,
 * so no tree is built and a dense document cannot fill TeaVM's fixed heap.
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

    private static final char SEPARATOR = '\u001f';
    private static final byte STRING = 1;
    private static final byte NUMBER = 2;

    private final String[] values;
    private final byte[] kinds;

    private JsonInput(int fields) {
        values = new String[fields];
        kinds = new byte[fields];
    }

    /** The path of a nested field, for {@link #read}. */
    public static String path(String... names) {
        return String.join(String.valueOf(SEPARATOR), names);
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
        FieldCollector collector = new FieldCollector(paths, fields);
        try {
            new JsonParser(collector).parse(text);
        } catch (RuntimeException invalidOrTooLarge) {
            return null;
        }
        return collector.topLevelWasObject ? fields : null;
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
     * Follows the parser through the document, keeping the path of the value being read only while it
     * can still lead to a wanted field (so a large irrelevant subtree costs no string building).
     */
    private static final class FieldCollector extends JsonHandler<Object, Object> {
        private final String[] wanted;
        private final JsonInput fields;
        /** Path of the container at each depth; null when nothing wanted lies below it. */
        private final String[] containerPath = new String[MAX_DEPTH + 1];
        private final int[] nextIndex = new int[MAX_DEPTH + 1];
        private int depth;
        private int valueCount;
        /** Path of the value now being read; null when it cannot be (or lead to) a wanted field. */
        private String valuePath = "";
        boolean topLevelWasObject;

        FieldCollector(String[] wanted, JsonInput fields) {
            this.wanted = wanted;
            this.fields = fields;
        }

        @Override
        public Object startObject() {
            if (depth == 0) {
                topLevelWasObject = true;
            }
            enterContainer();
            return null;
        }

        @Override
        public void endObject(Object object) {
            depth--;
        }

        @Override
        public void startObjectValue(Object object, String name) {
            valuePath = child(name);
        }

        @Override
        public Object startArray() {
            enterContainer();
            nextIndex[depth] = 0;
            return null;
        }

        @Override
        public void endArray(Object array) {
            depth--;
        }

        @Override
        public void startArrayValue(Object array) {
            valuePath = child(Integer.toString(nextIndex[depth]++));
        }

        @Override
        public void endNull() {
            record((byte) 0, null);
        }

        @Override
        public void endBoolean(boolean value) {
            record((byte) 0, null);
        }

        @Override
        public void endString(String string) {
            record(STRING, string);
        }

        @Override
        public void endNumber(String string) {
            record(NUMBER, string);
        }

        private void enterContainer() {
            count();
            if (++depth > MAX_DEPTH) {
                throw new IllegalStateException("nested too deep");
            }
            containerPath[depth] = valuePath != null && leadsToWanted(valuePath) ? valuePath : null;
        }

        private String child(String name) {
            String parent = containerPath[depth];
            if (parent == null) {
                return null;
            }
            return parent.isEmpty() ? name : parent + SEPARATOR + name;
        }

        private void record(byte kind, String value) {
            count();
            if (valuePath == null) {
                return;
            }
            for (int i = 0; i < wanted.length; i++) {
                if (wanted[i].equals(valuePath)) {
                    fields.kinds[i] = kind;
                    fields.values[i] = value;
                }
            }
        }

        private void count() {
            if (++valueCount > MAX_VALUES) {
                throw new IllegalStateException("too many values");
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
    }
}
