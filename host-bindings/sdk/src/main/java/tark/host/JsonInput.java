package tark.host;

import com.eclipsesource.json.JsonHandler;
import com.eclipsesource.json.JsonParser;

/**
 * Reads a few fields, by name, out of JSON that comes from outside the plugin (files, HTTP replies,
 * the host, storage). minimal-json's streaming {@link JsonParser} reads the text and a handler keeps
 * only the wanted values: no tree is built, so a dense document cannot fill TeaVM's fixed heap.
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

    private final String[] paths;
    private final String[] values;
    private final byte[] kinds;

    private JsonInput(String[] paths) {
        this.paths = paths;
        values = new String[paths.length];
        kinds = new byte[paths.length];
    }

    /** The path of field {@code name} inside the field at {@code parent} (a path itself). */
    public static String path(String parent, String name) {
        return parent + SEPARATOR + name;
    }

    /** The path of a nested field: its names from the top-level object, an array element's as its index. */
    public static String path(String... names) {
        StringBuilder path = new StringBuilder(names[0]);
        for (int i = 1; i < names.length; i++) {
            path.append(SEPARATOR).append(names[i]);
        }
        return path.toString();
    }

    /**
     * The fields at {@code paths} of a JSON object, to read by those paths; null if the text is not
     * one, is invalid JSON, or exceeds the limits. When a field occurs twice, the last one counts.
     */
    public static JsonInput read(String text, String... paths) {
        if (text == null) {
            return null;
        }
        JsonInput fields = new JsonInput(paths);
        WantedFields handler = new WantedFields(fields);
        try {
            new JsonParser(handler).parse(text);
        } catch (RuntimeException invalidOrTooLarge) {
            return null;
        }
        return handler.topLevelObject ? fields : null;
    }

    /** The field at {@code path} (one of those read) as a non-empty string, or null. */
    public String string(String path) {
        int field = field(path);
        return kinds[field] == STRING && !values[field].isEmpty() ? values[field] : null;
    }

    /** Whether the field at {@code path} (one of those read) is a JSON number. */
    public boolean isNumber(String path) {
        return kinds[field(path)] == NUMBER;
    }

    /**
     * The field at {@code path} (one of those read), a number or a string holding one, as a whole
     * number (fraction dropped); {@code fallback} for anything else.
     */
    public long wholeNumber(String path, long fallback) {
        int field = field(path);
        return kinds[field] != 0 ? WholeNumber.of(values[field], fallback) : fallback;
    }

    /** The field at {@code path} as written: a string's text, a number's digits; null for anything else. */
    String value(String path) {
        return values[field(path)];
    }

    /** A path not given to {@link #read} is a mistake in the caller, not an absent field. */
    private int field(String path) {
        for (int i = 0; i < paths.length; i++) {
            if (paths[i].equals(path)) {
                return i;
            }
        }
        throw new IllegalArgumentException();
    }

    /**
     * The handler the parser reports to: counts values and depth (throwing past the limits) and keeps
     * the path of the value being read only while it can still lead to a wanted field, so a large
     * irrelevant subtree costs no string building. A container's object (the handler's A and O) is the
     * prefix of its members' paths (its own path and {@link #SEPARATOR}; "" for the top-level object),
     * null when nothing wanted lies below it.
     */
    private static final class WantedFields extends JsonHandler<String, String> {
        private final JsonInput fields;
        /** The path of the value being read; null when it is not wanted and leads to nothing wanted. */
        private String path;
        private int depth;
        /** Values read so far, the top-level one included. */
        private int valueCount = 1;
        private boolean topLevelObject;
        /** The next element's index in the array open at each depth. */
        private final int[] nextIndex = new int[MAX_DEPTH + 1];

        WantedFields(JsonInput fields) {
            this.fields = fields;
        }

        @Override
        public String startObject() {
            topLevelObject |= depth == 0;
            return open();
        }

        @Override
        public String startArray() {
            refuseIf(depth == 0); // a top-level array is not one of our documents: refused before it is read
            String prefix = open();
            nextIndex[depth] = 0;
            return prefix;
        }

        @Override
        public void startObjectValue(String prefix, String name) {
            member(prefix, name);
        }

        @Override
        public void startArrayValue(String prefix) {
            member(prefix, prefix == null ? null : Decimal.of(nextIndex[depth]++));
        }

        @Override
        public void endObject(String prefix) {
            depth--;
        }

        @Override
        public void endArray(String prefix) {
            depth--;
        }

        @Override
        public void endString(String value) {
            record(STRING, value);
        }

        @Override
        public void endNumber(String digits) {
            record(NUMBER, digits);
        }

        /** Opens an object or array: the prefix of its members' paths, null when nothing wanted lies below. */
        private String open() {
            refuseIf(++depth > MAX_DEPTH);
            return depth == 1 ? "" : path == null ? null : wantedBelow(path + SEPARATOR);
        }

        /**
         * A member or element named {@code name} starts (its path {@code prefix + name}): counted, and
         * its field cleared until a string or number is read there (null, booleans and containers are
         * neither; the last duplicate counts).
         */
        private void member(String prefix, String name) {
            refuseIf(++valueCount > MAX_VALUES);
            path = prefix == null ? null : prefix + name;
            record((byte) 0, null);
        }

        private static void refuseIf(boolean overBudget) {
            if (overBudget) {
                throw new IllegalStateException();
            }
        }

        private void record(byte kind, String value) {
            String[] wanted = fields.paths;
            for (int i = 0; path != null && i < wanted.length; i++) {
                if (wanted[i].equals(path)) {
                    fields.kinds[i] = kind;
                    fields.values[i] = value;
                }
            }
        }

        /** {@code prefix} if a wanted field lies below it, else null. */
        private String wantedBelow(String prefix) {
            for (String field : fields.paths) {
                if (field.startsWith(prefix)) {
                    return prefix;
                }
            }
            return null;
        }
    }
}
