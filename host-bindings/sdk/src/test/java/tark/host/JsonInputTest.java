package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assertEquals("abc", json.string("access_token"));
        assertEquals("é", json.string(JsonInput.path("n", "1", "x")));
        assertTrue(json.isNumber(JsonInput.path("o", "k")));
        assertEquals(7, json.wholeNumber(JsonInput.path("o", "k"), -1));
        assertNull(json.string("missing"));
        assertFalse(json.isNumber("missing"));
    }

    @Test
    void keysMayHoldDotsAndSlashes() {
        JsonInput json = JsonInput.read("{\"https://api.openai.com/auth\":{\"id\":\"acc\"}}",
                JsonInput.path("https://api.openai.com/auth", "id"));
        assertEquals("acc", json.string(JsonInput.path("https://api.openai.com/auth", "id")));
    }

    @Test
    void typesAreKept() {
        JsonInput json = JsonInput.read("{\"s\":\"1\",\"n\":1,\"b\":true,\"z\":null,\"e\":\"\"}", "s", "n", "b", "z", "e");
        assertEquals("1", json.string("s"));
        assertFalse(json.isNumber("s"));
        assertNull(json.string("n"));
        assertTrue(json.isNumber("n"));
        assertNull(json.string("b"));
        assertNull(json.string("z"));
        assertNull(json.string("e"), "an empty string counts as absent");
        assertEquals(1, json.wholeNumber("s", -1), "a string holding a number is a whole number");
        assertEquals(-1, json.wholeNumber("b", -1));
    }

    @Test
    void theLastOfDuplicateKeysCounts() {
        assertEquals("two", JsonInput.read("{\"a\":\"one\",\"a\":\"two\"}", "a").string("a"));
        assertNull(JsonInput.read("{\"a\":\"one\",\"a\":null}", "a").string("a"));
        assertNull(JsonInput.read("{\"a\":\"one\",\"a\":{}}", "a").string("a"), "a container replaces it too");
        assertFalse(JsonInput.read("{\"a\":1,\"a\":[2]}", "a").isNumber("a"), "an array replaces a number");
    }

    @Test
    void aFieldInsideAnUnwantedSubtreeIsNotConfused() {
        JsonInput json = JsonInput.read("{\"x\":{\"a\":\"inner\"},\"a\":\"outer\"}", "a");
        assertEquals("outer", json.string("a"));
        assertNull(JsonInput.read("{\"x\":{\"a\":\"inner\"}}", "a").string("a"));
        assertNull(JsonInput.read("{\"x\":[\"inner\"]}", JsonInput.path("y", "0")).string(JsonInput.path("y", "0")));
    }

    @Test
    void arrayElementsAreNamedByTheirIndexInEachArray() {
        String l11x = JsonInput.path("l", "1", "1", "x");
        String l02 = JsonInput.path("l", "0", "2");
        JsonInput json = JsonInput.read("{\"l\":[[1,2,\"c\"],[3,{\"x\":\"y\"}]],\"m\":[\"z\"]}",
                l11x, l02, JsonInput.path("m", "0"));
        assertEquals("y", json.string(l11x));
        assertEquals("c", json.string(l02));
        assertEquals("z", json.string(JsonInput.path("m", "0")));
    }

    @Test
    void aPathNotReadIsAMistakeNotAnAbsentField() {
        JsonInput json = JsonInput.read("{\"a\":\"x\"}", "a");
        assertThrows(IllegalArgumentException.class, () -> json.string("b"));
        assertThrows(IllegalArgumentException.class, () -> json.isNumber("b"));
        assertThrows(IllegalArgumentException.class, () -> json.wholeNumber("b", 0));
    }

    @Test
    void acceptsTheDepthLimit() {
        JsonInput json = JsonInput.read(nested(JsonInput.MAX_DEPTH), pathOf(JsonInput.MAX_DEPTH));
        assertNotNull(json);
        assertEquals(1, json.wholeNumber(pathOf(JsonInput.MAX_DEPTH), -1));
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
        assertEquals("[{".repeat(5000), JsonInput.read(text, "a").string("a"));
    }

    @Test
    void escapesAreDecoded() {
        assertEquals("x\"[[[[\"y", JsonInput.read("{\"a\":\"x\\\"[[[[\\\"y\",\"b\":[1]}", "a").string("a"));
        assertEquals("x\\", JsonInput.read("{\"a\":\"x\\\\\",\"b\":[[[1]]]}", "a").string("a"));
        assertEquals("\r\n\u0000é", JsonInput.read("{\"a\":\"\\r\\n\\u0000\\u00e9\"}", "a").string("a"));
        assertEquals("\uD83D\ude80\u00ff", JsonInput.read("{\"a\":\"\\ud83d\\uDE80\\u00FF\"}", "a").string("a"));
    }

    @Test
    void acceptsTheValueBudget() {
        String text = "{\"a\":\"x\",\"n\":[" + "0,".repeat(JsonInput.MAX_VALUES - 4) + "0]}";
        assertEquals("x", JsonInput.read(text, "a").string("a"));
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
        assertEquals(expected, JsonInput.read("{\"n\":" + number + "}", "n").wholeNumber("n", -1));
    }

    @ParameterizedTest
    @CsvSource({
        "'1700000000', 1700000000",
        "' 1700000000 ', 1700000000",
        "'1700000000.25', 1700000000",
        "'3600', 3600",
    })
    void wholeNumberOfNumericStrings(String text, long expected) {
        assertEquals(expected, JsonInput.read("{\"n\":\"" + text + "\"}", "n").wholeNumber("n", -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "12abc", "1e", "1e+", "-", ".", "1..2", "0x10", "1 2", "99999999999999999999",
            "1e400", "NaN", "Infinity", "1e30"})
    void wholeNumberFallsBackOnAnythingElse(String text) {
        assertEquals(-7, WholeNumber.of(text, -7));
    }

    @Test
    void wholeNumberOfNonNumbersIsTheFallback() {
        JsonInput json = JsonInput.read("{\"z\":null,\"t\":true,\"l\":[1],\"o\":{\"a\":1}}", "z", "t", "l", "o", "missing");
        for (String field : new String[] {"z", "t", "l", "o", "missing"}) {
            assertEquals(-7, json.wholeNumber(field, -7), field);
        }
    }

    // ---- held to minimal-json's tree: the same documents accepted within the budgets, the same values read ----

    private static final String[] SEEDS = {
        "{\"a\":\"x\",\"b\":{\"c\":[1,-2.5e+3,\"\\u00e9\\n\\\"\",true,false,null]},\"d\":0}",
        "{ \"a\" : [ { \"b\" : \"\\uD83D\\ude80\" } , [ ] , { } ] , \"c\" : 1E-7 }",
        "{\"a\":\"\\/\\b\\f\\r\\t\\\\\",\"b\":-0,\"e\":\"last\"}",
    };
    private static final String ALPHABET = "{}[]\",:\\/ \t\n\r0123456789-+.eEtrufalsnbx\u00e9\u0001uAF";

    /**
     * A seed at the edge of a budget: nested 2 levels either side of {@link JsonInput#MAX_DEPTH} inside
     * {@code "b"}, or with 4 values either side of {@link JsonInput#MAX_VALUES} in {@code "c"}.
     */
    private static String edgeSeed(Random random) {
        if (random.nextBoolean()) {
            int arrays = JsonInput.MAX_DEPTH - 3 + random.nextInt(5);
            return "{\"a\":\"x\",\"b\":" + "[".repeat(arrays) + "{\"c\":1}" + "]".repeat(arrays) + ",\"d\":0}";
        }
        int values = JsonInput.MAX_VALUES - 4 + random.nextInt(9);
        // The top-level object, "a", "c" itself and its elements, "d".
        return "{\"a\":\"x\",\"c\":[" + "0,".repeat(values - 5) + "1],\"d\":2}";
    }

    /** The fields minimal-json's tree gives for the paths JsonInput is asked, as JsonInput reports them. */
    private static String viaMinimalJson(String text) {
        JsonValue value;
        try {
            value = Json.parse(text);
        } catch (RuntimeException invalid) {
            return null;
        }
        if (!value.isObject() || depth(value) > JsonInput.MAX_DEPTH || values(value) > JsonInput.MAX_VALUES) {
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

    /** Containers nested in the value, itself included. */
    private static int depth(JsonValue value) {
        int inner = 0;
        for (JsonValue child : children(value)) {
            inner = Math.max(inner, depth(child));
        }
        return value.isArray() || value.isObject() ? inner + 1 : 0;
    }

    /** Values in the value, itself included. */
    private static int values(JsonValue value) {
        int count = 1;
        for (JsonValue child : children(value)) {
            count += values(child);
        }
        return count;
    }

    private static java.util.List<JsonValue> children(JsonValue value) {
        java.util.List<JsonValue> children = new java.util.ArrayList<>();
        if (value.isArray()) {
            value.asArray().forEach(children::add);
        } else if (value.isObject()) {
            value.asObject().forEach(member -> children.add(member.getValue()));
        }
        return children;
    }

    private static final String[][] PATHS = {{"a"}, {"b", "c"}, {"b", "c", "1"}, {"b", "c", "2"}, {"a", "0", "b"},
        {"c"}, {"d"}, {"c", "0"}};

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
        for (String path : joined) {
            String value = fields.value(path);
            out.append(fields.isNumber(path) ? "n:" + value : value != null ? "s:" + value : "-").append('|');
        }
        return out.toString();
    }

    private static boolean repeatsAName(JsonValue value) {
        if (value.isObject()) {
            java.util.List<String> names = value.asObject().names();
            if (new java.util.HashSet<>(names).size() < names.size()) {
                return true;
            }
        }
        for (JsonValue child : children(value)) {
            if (repeatsAName(child)) {
                return true;
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

    /**
     * 200,000 mutated documents, one in fifty at the edge of a budget: the reader refuses exactly the
     * invalid ones, those that are not objects and those over a budget, and reads every field of the
     * others as minimal-json's tree holds it.
     */
    @Test
    void mutatedDocumentsAreRefusedExactlyOverTheBudgetsAndReadAsMinimalJsonReadsThem() {
        Random random = new Random(17);
        int accepted = 0;
        int overDepth = 0;
        int overValues = 0;
        for (int round = 0; round < 200_000; round++) {
            StringBuilder text = new StringBuilder(round % 50 == 0 ? edgeSeed(random)
                    : SEEDS[random.nextInt(SEEDS.length)]);
            for (int edits = random.nextInt(4); edits > 0; edits--) {
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
            assertEquals(expected == null, read == null, () -> abbreviated(mutated));
            JsonValue tree = parsedObject(mutated);
            if (tree != null && depth(tree) > JsonInput.MAX_DEPTH) {
                overDepth++;
            } else if (tree != null && values(tree) > JsonInput.MAX_VALUES) {
                overValues++;
            }
            // A repeated name whose first value was a container leaves what was read inside it (the reader
            // streams, so the last value counts per field, not per subtree): values compare without those.
            if (expected != null && !repeatsAName(Json.parse(mutated))) {
                assertEquals(expected, read, () -> abbreviated(mutated));
                accepted++;
            }
        }
        assertTrue(accepted > 10_000, "enough mutants stay valid to compare values: " + accepted);
        assertTrue(overDepth > 200, "enough valid objects nested too deep: " + overDepth);
        assertTrue(overValues > 200, "enough valid objects with too many values: " + overValues);
    }

    /** A document short enough for a failure message. */
    private static String abbreviated(String text) {
        return text.length() <= 300 ? text : text.substring(0, 150) + "..." + text.substring(text.length() - 150);
    }

    /** The document's tree if it is a valid JSON object, else null. */
    private static JsonValue parsedObject(String text) {
        try {
            JsonValue value = Json.parse(text);
            return value.isObject() ? value : null;
        } catch (RuntimeException invalid) {
            return null;
        }
    }
}
