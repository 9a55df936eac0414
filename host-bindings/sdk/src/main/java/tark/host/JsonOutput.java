package tark.host;

/**
 * Writes the small JSON documents a plugin sends (answers, request bodies, stored entries), member by
 * member into one buffer. minimal-json's writer goes through a tree of value objects, a writer and
 * its configuration: about 10 KB of module for what these few lines do, paid on every provider init.
 */
public final class JsonOutput {
    private final StringBuilder out = new StringBuilder(256).append('{');

    /** A string member; {@code null} writes JSON null. */
    public JsonOutput add(String name, String value) {
        if (value == null) {
            return raw(name, "null");
        }
        quote(name(name), value);
        return this;
    }

    public JsonOutput add(String name, long value) {
        name(name).append(Decimal.of(value));
        return this;
    }

    public JsonOutput add(String name, boolean value) {
        return raw(name, value ? "true" : "false");
    }

    /** A member whose value is already JSON (a nested document from another {@code JsonOutput}). */
    public JsonOutput raw(String name, String json) {
        name(name).append(json);
        return this;
    }

    /** The document so far; the writer is unchanged (members may still be added). */
    @Override
    public String toString() {
        String document = out.append('}').toString();
        out.setLength(out.length() - 1);
        return document;
    }

    private StringBuilder name(String name) {
        if (out.length() > 1) {
            out.append(',');
        }
        return quote(out, name).append(':');
    }

    /**
     * Appends {@code text} as a JSON string: quotes, backslashes and every control character escaped (C0,
     * DEL and C1, so a log line quoting this document holds none raw), and the two line separators
     * JavaScript rejects.
     */
    public static StringBuilder quote(StringBuilder out, String text) {
        return ControlChars.append(out.append('"'), text, true).append('"');
    }
}
