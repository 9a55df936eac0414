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
