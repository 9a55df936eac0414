package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;


import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonInputTest {
    private static String nested(int depth) {
        // depth objects: {"a":{"a":...{"a":1}...}}
        return "{\"a\":".repeat(depth - 1) + "{\"a\":1}" + "}".repeat(depth - 1);
    }

    private static String pathOf(int depth) {
        String[] names = new String[depth];
        java.util.Arrays.fill(names, "a");
        return JsonInput.path(names);
    }

    @Test
    void readsTopLevelAndNestedFields() {
        JsonInput json = JsonInput.read("{\"access_token\":\"abc\",\"n\":[1,{\"x\":\"é\"}],\"o\":{\"k\":7}}",
                "access_token", JsonInput.path("n", "1", "x"), JsonInput.path("o", "k"), "missing");
        assertNotNull(json);
        assertEquals("abc", json.string(0));
        assertEquals("é", json.string(1));
        assertTrue(json.isNumber(2));
        assertEquals(7, json.wholeNumber(2, -1));
        assertNull(json.string(3));
        assertFalse(json.isNumber(3));
    }

    @Test
    void keysMayHoldDotsAndSlashes() {
        JsonInput json = JsonInput.read("{\"https://api.openai.com/auth\":{\"id\":\"acc\"}}",
                JsonInput.path("https://api.openai.com/auth", "id"));
        assertEquals("acc", json.string(0));
    }

    @Test
    void typesAreKept() {
        JsonInput json = JsonInput.read("{\"s\":\"1\",\"n\":1,\"b\":true,\"z\":null,\"e\":\"\"}", "s", "n", "b", "z", "e");
        assertEquals("1", json.string(0));
        assertFalse(json.isNumber(0));
        assertNull(json.string(1));
        assertTrue(json.isNumber(1));
        assertNull(json.string(2));
        assertNull(json.string(3));
        assertNull(json.string(4), "an empty string counts as absent");
        assertEquals(1, json.wholeNumber(0, -1), "a string holding a number is a whole number");
        assertEquals(-1, json.wholeNumber(2, -1));
    }

    @Test
    void theLastOfDuplicateKeysCounts() {
        assertEquals("two", JsonInput.read("{\"a\":\"one\",\"a\":\"two\"}", "a").string(0));
        assertNull(JsonInput.read("{\"a\":\"one\",\"a\":null}", "a").string(0));
    }

    @Test
    void aFieldInsideAnUnwantedSubtreeIsNotConfused() {
        JsonInput json = JsonInput.read("{\"x\":{\"a\":\"inner\"},\"a\":\"outer\"}", "a");
        assertEquals("outer", json.string(0));
        assertNull(JsonInput.read("{\"x\":{\"a\":\"inner\"}}", "a").string(0));
    }

    @Test
    void acceptsTheDepthLimit() {
        JsonInput json = JsonInput.read(nested(JsonInput.MAX_DEPTH), pathOf(JsonInput.MAX_DEPTH));
        assertNotNull(json);
        assertEquals(1, json.wholeNumber(0, -1));
    }

    @Test
    void refusesOneLevelBeyondTheLimit() {
        assertNull(JsonInput.read(nested(JsonInput.MAX_DEPTH + 1), "a"));
    }

    @Test
    void refusesVeryDeepInputWithoutOverflowingTheStack() {
        assertNull(JsonInput.read("[".repeat(1_000_000) + "]".repeat(1_000_000), "a"));
        assertNull(JsonInput.read("{\"a\":" + "[".repeat(1_000_000), "a"));
    }

    @Test
    void arraysCountAsNesting() {
        String deepArrays = "{\"a\":" + "[".repeat(JsonInput.MAX_DEPTH) + "]".repeat(JsonInput.MAX_DEPTH) + "}";
        assertNull(JsonInput.read(deepArrays, "a"));
    }

    @Test
    void bracketsInsideStringsDoNotCount() {
        String text = "{\"a\":\"" + "[{".repeat(5000) + "\"}";
        assertEquals("[{".repeat(5000), JsonInput.read(text, "a").string(0));
    }

    @Test
    void escapesAreDecoded() {
        assertEquals("x\"[[[[\"y", JsonInput.read("{\"a\":\"x\\\"[[[[\\\"y\",\"b\":[1]}", "a").string(0));
        assertEquals("x\\", JsonInput.read("{\"a\":\"x\\\\\",\"b\":[[[1]]]}", "a").string(0));
        assertEquals("\r\n\u0000é", JsonInput.read("{\"a\":\"\\r\\n\\u0000\\u00e9\"}", "a").string(0));
    }

    @Test
    void acceptsTheValueBudget() {
        String text = "{\"a\":\"x\",\"n\":[" + "0,".repeat(JsonInput.MAX_VALUES - 4) + "0]}";
        assertEquals("x", JsonInput.read(text, "a").string(0));
    }

    @Test
    void refusesADenseDocumentPastTheValueBudget() {
        String text = "{\"a\":\"x\",\"n\":[" + "0,".repeat(JsonInput.MAX_VALUES - 3) + "0]}";
        assertNull(JsonInput.read(text, "a"));
        assertNull(JsonInput.read("{\"n\":[" + "0,".repeat(350_000) + "0],\"a\":\"x\"}", "a"));
        assertNull(JsonInput.read("{\"n\":[" + "{},".repeat(100_000) + "{}]}", "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":1} trailing", "nul",
            "{\"a\":\"unterminated}", "{\"a\":01}", "{\"a\":\"\u0001\"}"})
    void invalidJsonIsNull(String text) {
        assertNull(JsonInput.read(text, "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"a\":1}]", "\"text\"", "42", "true", "null"})
    void nonObjectsAreNull(String text) {
        assertNull(JsonInput.read(text, "a"));
    }

    @Test
    void nullInputIsNull() {
        assertNull(JsonInput.read(null, "a"));
    }

    @ParameterizedTest
    @CsvSource({
        "1700000000, 1700000000",
        "0, 0",
        "-5, -5",
        "1700000000.5, 1700000000",
        "1700000000.999, 1700000000",
        "1.7e9, 1700000000",
        "1.7E+9, 1700000000",
        "17e-1, 1",
        "1700000000123, 1700000000123",
        "4102444800000000, 4102444800000000",
    })
    void wholeNumberOfNumbers(String number, long expected) {
        assertEquals(expected, JsonInput.read("{\"n\":" + number + "}", "n").wholeNumber(0, -1));
    }

    @ParameterizedTest
    @CsvSource({
        "'1700000000', 1700000000",
        "' 1700000000 ', 1700000000",
        "'1700000000.25', 1700000000",
        "'3600', 3600",
    })
    void wholeNumberOfNumericStrings(String text, long expected) {
        assertEquals(expected, JsonInput.read("{\"n\":\"" + text + "\"}", "n").wholeNumber(0, -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "12abc", "1e", "1e+", "-", ".", "1..2", "0x10", "1 2", "99999999999999999999",
            "1e400", "NaN", "Infinity", "1e30"})
    void wholeNumberFallsBackOnAnythingElse(String text) {
        assertEquals(-7, JsonInput.wholeNumber(text, -7));
    }

    @Test
    void wholeNumberOfNonNumbersIsTheFallback() {
        JsonInput json = JsonInput.read("{\"z\":null,\"t\":true,\"l\":[1],\"o\":{\"a\":1}}", "z", "t", "l", "o", "missing");
        for (int field = 0; field < 5; field++) {
            assertEquals(-7, json.wholeNumber(field, -7));
        }
    }

    // ---- held to minimal-json's parser: the same documents accepted, the same values read ----

    private static final String[] SEEDS = {
        "{\"a\":\"x\",\"b\":{\"c\":[1,-2.5e+3,\"\\u00e9\\n\\\"\",true,false,null]},\"d\":0}",
        "{ \"a\" : [ { \"b\" : \"\\uD83D\\ude80\" } , [ ] , { } ] , \"c\" : 1E-7 }",
        "{\"a\":\"\\/\\b\\f\\r\\t\\\\\",\"b\":-0,\"e\":\"last\"}",
    };
    private static final String ALPHABET = "{}[]\",:\\/ \t\n\r0123456789-+.eEtrufalsnbx\u00e9\u0001uAF";

    /** The fields minimal-json's tree gives for the paths JsonInput is asked, as JsonInput reports them. */
    private static String viaMinimalJson(String text) {
        JsonValue value;
        try {
            value = Json.parse(text);
        } catch (RuntimeException invalid) {
            return null;
        }
        if (!value.isObject()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String[] path : PATHS) {
            JsonValue at = value;
            for (String name : path) {
                at = at == null ? null : at.isObject() ? at.asObject().get(name)
                        : at.isArray() && name.matches("[0-9]") && Integer.parseInt(name) < at.asArray().size()
                                ? at.asArray().get(Integer.parseInt(name)) : null;
            }
            out.append(at == null ? "-" : at.isString() ? "s:" + at.asString() : at.isNumber() ? "n:" + at : "-")
                    .append('|');
        }
        return out.toString();
    }

    private static final String[][] PATHS = {{"a"}, {"b", "c"}, {"b", "c", "1"}, {"b", "c", "2"}, {"a", "0", "b"},
        {"c"}, {"d"}};

    private static String viaJsonInput(String text) {
        String[] joined = new String[PATHS.length];
        for (int i = 0; i < PATHS.length; i++) {
            joined[i] = JsonInput.path(PATHS[i]);
        }
        JsonInput fields = JsonInput.read(text, joined);
        if (fields == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < PATHS.length; i++) {
            String value = fields.values[i];
            out.append(fields.isNumber(i) ? "n:" + value : value != null ? "s:" + value : "-").append('|');
        }
        return out.toString();
    }

    private static boolean repeatsAName(JsonValue value) {
        if (value.isArray()) {
            for (JsonValue element : value.asArray()) {
                if (repeatsAName(element)) {
                    return true;
                }
            }
        } else if (value.isObject()) {
            java.util.List<String> names = value.asObject().names();
            if (new java.util.HashSet<>(names).size() < names.size()) {
                return true;
            }
            for (JsonObject.Member member : value.asObject()) {
                if (repeatsAName(member.getValue())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void theSeedsReadAsMinimalJsonReadsThem() {
        for (String seed : SEEDS) {
            assertEquals(viaMinimalJson(seed), viaJsonInput(seed), seed);
            assertNotNull(viaJsonInput(seed), seed);
        }
    }

    @Test
    void mutatedDocumentsAreAcceptedAndReadExactlyAsMinimalJsonDoes() {
        Random random = new Random(17);
        int accepted = 0;
        for (int round = 0; round < 200_000; round++) {
            StringBuilder text = new StringBuilder(SEEDS[random.nextInt(SEEDS.length)]);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(text.length() + 1);
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(3)) {
                    case 0:
                        text.insert(at, c);
                        break;
                    case 1:
                        if (at < text.length()) {
                            text.deleteCharAt(at);
                        }
                        break;
                    default:
                        if (at < text.length()) {
                            text.setCharAt(at, c);
                        }
                }
            }
            String mutated = text.toString();
            String expected = viaMinimalJson(mutated);
            String read = viaJsonInput(mutated);
            assertEquals(expected == null, read == null, mutated);
            // A repeated name whose first value was a container leaves what was read inside it (the reader
            // streams, so the last value counts per field, not per subtree): values compare without those.
            if (expected != null && !repeatsAName(Json.parse(mutated))) {
                assertEquals(expected, read, mutated);
                accepted++;
            }
        }
        assertTrue(accepted > 10_000, "enough mutants stay valid to compare values: " + accepted);
    }
}
