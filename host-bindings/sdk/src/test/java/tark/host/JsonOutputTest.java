package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonOutputTest {
    @Test
    void writesEveryKindOfMember() {
        String json = new JsonOutput().add("s", "v").add("n", -42L).add("t", true).add("f", false)
                .add("z", (String) null).raw("o", new JsonOutput().add("a", "b").toString()).toString();
        assertEquals("{\"s\":\"v\",\"n\":-42,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"a\":\"b\"}}", json);
    }

    @Test
    void toStringIsPureAndTheWriterGoesOn() {
        JsonOutput out = new JsonOutput().add("a", 1L);
        assertEquals("{\"a\":1}", out.toString());
        assertEquals("{\"a\":1}", out.toString(), "a second call gives the same document");
        assertEquals("{\"a\":1,\"b\":2}", out.add("b", 2L).toString(), "members added after a toString");
    }

    @Test
    void anEmptyDocumentIsAnEmptyObject() {
        assertEquals("{}", new JsonOutput().toString());
    }

    @Test
    void escapesWhatJsonRequires() {
        String json = new JsonOutput().add("k\"\\", "a\"b\\c\n\r\t\u0000\u001f\u007f\u2028\u2029é東").toString();
        assertEquals("{\"k\\\"\\\\\":\"a\\\"b\\\\c\\u000a\\u000d\\u0009\\u0000\\u001f\\u007f\\u2028\\u2029é東\"}", json);
    }

    @Test
    void c1ControlsAreEscapedToo() {
        // A log line quoting a document (the diagnostics line) then holds no raw control character.
        assertEquals("{\"p\":\"\\u0080\\u009b2K\\u009f\u00a0\"}", new JsonOutput().add("p", "\u0080\u009b2K\u009f\u00a0").toString());
    }

    @Test
    void anyStringReadsBackUnchangedWithAnotherParser() {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                text.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0xD800)));
            }
            String value = text.toString();
            JsonObject parsed = Json.parse(new JsonOutput().add(value, value).toString()).asObject();
            assertEquals(value, parsed.getString(value, null), "round " + round);
        }
    }
}
