package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonInputTest {
    private static String nested(int depth) {
        // depth objects: {"a":{"a":...{"a":1}...}}
        return "{\"a\":".repeat(depth - 1) + "{\"a\":1}" + "}".repeat(depth - 1);
    }

    @Test
    void parsesAnObject() {
        JsonObject json = JsonInput.parseObject("{\"access_token\":\"abc\",\"n\":[1,{\"x\":\"é\"}]}");
        assertNotNull(json);
        assertEquals("abc", json.getString("access_token", null));
        assertEquals("é", json.get("n").asArray().get(1).asObject().getString("x", null));
    }

    @Test
    void acceptsTheDepthLimit() {
        assertEquals(JsonInput.MAX_DEPTH, JsonInput.nestingDepth(nested(JsonInput.MAX_DEPTH)));
        assertNotNull(JsonInput.parseObject(nested(JsonInput.MAX_DEPTH)));
    }

    @Test
    void refusesOneLevelBeyondTheLimit() {
        assertNull(JsonInput.parseObject(nested(JsonInput.MAX_DEPTH + 1)));
    }

    @Test
    void refusesVeryDeepInputWithoutOverflowingTheStack() {
        assertNull(JsonInput.parseObject("[".repeat(1_000_000) + "]".repeat(1_000_000)));
        assertNull(JsonInput.parseObject("{\"a\":" + "[".repeat(1_000_000)));
    }

    @Test
    void arraysCountAsNesting() {
        String deepArrays = "{\"a\":" + "[".repeat(JsonInput.MAX_DEPTH) + "]".repeat(JsonInput.MAX_DEPTH) + "}";
        assertEquals(JsonInput.MAX_DEPTH + 1, JsonInput.nestingDepth(deepArrays));
        assertNull(JsonInput.parseObject(deepArrays));
    }

    @Test
    void bracketsInsideStringsDoNotCount() {
        String text = "{\"a\":\"" + "[{".repeat(5000) + "\"}";
        assertEquals(1, JsonInput.nestingDepth(text));
        JsonObject json = JsonInput.parseObject(text);
        assertNotNull(json);
        assertEquals("[{".repeat(5000), json.getString("a", null));
    }

    @Test
    void escapedQuotesDoNotEndAString() {
        String text = "{\"a\":\"x\\\"[[[[\\\"y\",\"b\":[1]}";
        assertEquals(2, JsonInput.nestingDepth(text));
        JsonObject json = JsonInput.parseObject(text);
        assertNotNull(json);
        assertEquals("x\"[[[[\"y", json.getString("a", null));
    }

    @Test
    void anEscapedBackslashBeforeAQuoteEndsTheString() {
        // "x\\" is a complete string; the brackets after it are real nesting.
        String text = "{\"a\":\"x\\\\\",\"b\":[[[1]]]}";
        assertEquals(4, JsonInput.nestingDepth(text));
        JsonObject json = JsonInput.parseObject(text);
        assertNotNull(json);
        assertEquals("x\\", json.getString("a", null));
    }

    @Test
    void bracketsInStringsCannotHideRealDepth() {
        String text = "{\"s\":\"]]]]]]]]\",\"d\":" + "[".repeat(JsonInput.MAX_DEPTH) + "]".repeat(JsonInput.MAX_DEPTH) + "}";
        assertNull(JsonInput.parseObject(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":1} trailing", "nul",
            "{\"a\":\"unterminated}"})
    void invalidJsonIsNull(String text) {
        assertNull(JsonInput.parseObject(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"a\":1}]", "\"text\"", "42", "true", "null"})
    void nonObjectsAreNull(String text) {
        assertNull(JsonInput.parseObject(text));
    }

    @Test
    void nullInputIsNull() {
        assertNull(JsonInput.parseObject(null));
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
        assertEquals(expected, JsonInput.wholeNumber(Json.parse(number), -1));
    }

    @ParameterizedTest
    @CsvSource({
        "'1700000000', 1700000000",
        "' 1700000000 ', 1700000000",
        "'1700000000.25', 1700000000",
        "'3600', 3600",
    })
    void wholeNumberOfNumericStrings(String text, long expected) {
        assertEquals(expected, JsonInput.wholeNumber(Json.value(text), -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "12abc", "1e", "1e+", "-", ".", "1..2", "0x10", "1 2", "99999999999999999999",
            "1e400", "NaN", "Infinity"})
    void wholeNumberFallsBackOnAnythingElse(String text) {
        assertEquals(-7, JsonInput.wholeNumber(Json.value(text), -7));
    }

    @Test
    void wholeNumberOfNonNumbersIsTheFallback() {
        assertEquals(-7, JsonInput.wholeNumber(null, -7));
        assertEquals(-7, JsonInput.wholeNumber(Json.NULL, -7));
        assertEquals(-7, JsonInput.wholeNumber(Json.TRUE, -7));
        assertEquals(-7, JsonInput.wholeNumber(Json.parse("[1]"), -7));
        assertEquals(-7, JsonInput.wholeNumber(Json.parse("{\"a\":1}"), -7));
    }

    @Test
    void wholeNumberOfAHugeNumberIsTheFallback() {
        JsonValue huge = Json.parse("1e30");
        assertEquals(-7, JsonInput.wholeNumber(huge, -7));
    }
}
