package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WasmHostTest {
    @Test
    void headersBecomeAnArrayOfNameValuePairs() {
        String document = WasmHost.INSTANCE.headerDocument(
                new String[] {"Content-Type", "application/json", "Accept", "application/json"});
        assertEquals("[[\"Content-Type\",\"application/json\"],[\"Accept\",\"application/json\"]]", document);
    }

    @Test
    void noHeadersIsAnEmptyArray() {
        assertEquals("[]", WasmHost.INSTANCE.headerDocument(new String[0]));
    }

    @Test
    void aDanglingNameIsDropped() {
        assertEquals("[[\"a\",\"1\"]]", WasmHost.INSTANCE.headerDocument(new String[] {"a", "1", "b"}));
    }

    @Test
    void valuesAreEscaped() {
        String value = "quote \" backslash \\ newline \n Zoë 日本 🚀";
        JsonArray pairs = Json.parse(WasmHost.INSTANCE.headerDocument(new String[] {"X-Test", value})).asArray();
        assertEquals(1, pairs.size());
        assertEquals("X-Test", pairs.get(0).asArray().get(0).asString());
        assertEquals(value, pairs.get(0).asArray().get(1).asString());
    }

    @Test
    void logLinesHaveTheirControlCharactersWrittenOut() {
        byte[] line = WasmHost.INSTANCE.logLine("Cannot read /tmp/\u001b]8;;https://evil\u0007x\u001b]8;;\u0007\r\u009b2K.json");
        assertEquals("Cannot read /tmp/\\x1b]8;;https://evil\\x07x\\x1b]8;;\\x07\\x0d\\x9b2K.json",
                new String(line, StandardCharsets.UTF_8));
    }
}
