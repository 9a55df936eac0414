package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpReplyTest {
    @Test
    void parsesAResponse() {
        HttpReply reply = HttpReply.parse(
                "{\"status\":200,\"headers\":[[\"content-type\",\"application/json\"]],\"body\":\"{\\\"a\\\":1}\"}");
        assertFalse(reply.isTransportError());
        assertTrue(reply.isSuccess());
        assertEquals(200, reply.status());
        assertEquals("{\"a\":1}", reply.body());
        assertNull(reply.error());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 404, 429, 500, 502, 503})
    void errorStatusesAreResponsesNotTransportErrors(int status) {
        HttpReply reply = HttpReply.parse("{\"status\":" + status + ",\"headers\":[],\"body\":\"oops\"}");
        assertFalse(reply.isTransportError());
        assertFalse(reply.isSuccess());
        assertEquals(status, reply.status());
        assertEquals("oops", reply.body());
    }

    @Test
    void everyTwoHundredIsASuccess() {
        assertTrue(HttpReply.parse("{\"status\":204,\"headers\":[],\"body\":\"\"}").isSuccess());
        assertTrue(HttpReply.parse("{\"status\":299,\"headers\":[],\"body\":\"\"}").isSuccess());
        assertFalse(HttpReply.parse("{\"status\":300,\"headers\":[],\"body\":\"\"}").isSuccess());
        assertFalse(HttpReply.parse("{\"status\":199,\"headers\":[],\"body\":\"\"}").isSuccess());
    }

    @Test
    void keepsNonAsciiBodies() {
        HttpReply reply = HttpReply.parse("{\"status\":200,\"headers\":[],\"body\":\"Zoë 日本 🚀\"}");
        assertEquals("Zoë 日本 🚀", reply.body());
    }

    @Test
    void missingOrNonStringBodyIsEmpty() {
        assertEquals("", HttpReply.parse("{\"status\":200,\"headers\":[]}").body());
        assertEquals("", HttpReply.parse("{\"status\":200,\"body\":{\"a\":1}}").body());
        assertEquals("", HttpReply.parse("{\"status\":200,\"body\":null}").body());
    }

    @Test
    void aWholeFloatStatusIsAccepted() {
        assertEquals(200, HttpReply.parse("{\"status\":200.0,\"body\":\"\"}").status());
    }

    @Test
    void errorDocumentIsATransportError() {
        HttpReply reply = HttpReply.parse("{\"error\":\"connection refused\"}");
        assertTrue(reply.isTransportError());
        assertFalse(reply.isSuccess());
        assertEquals("connection refused", reply.error());
        assertEquals(0, reply.status());
        assertNull(reply.body());
    }

    @Test
    void errorWinsOverStatus() {
        HttpReply reply = HttpReply.parse("{\"error\":\"timed out\",\"status\":200,\"body\":\"x\"}");
        assertTrue(reply.isTransportError());
        assertEquals("timed out", reply.error());
    }

    @Test
    void nonStringErrorIsStillATransportError() {
        // tark always sends a string; anything else is no response either, and is not echoed.
        HttpReply reply = HttpReply.parse("{\"error\":{\"kind\":\"dns\"}}");
        assertTrue(reply.isTransportError());
        assertFalse(reply.error().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{", "{\"status\":200,", "[1,2]", "\"text\"", "200", "null", "true"})
    void malformedOrNonObjectDocumentsAreTransportErrors(String document) {
        HttpReply reply = HttpReply.parse(document);
        assertTrue(reply.isTransportError());
        assertFalse(reply.isSuccess());
        assertFalse(reply.error().isEmpty());
    }

    @Test
    void nullDocumentIsATransportError() {
        assertTrue(HttpReply.parse(null).isTransportError());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"body\":\"x\"}", "{\"status\":\"200\",\"body\":\"x\"}", "{\"status\":null}",
            "{\"status\":99}", "{\"status\":1000}", "{\"status\":-200}", "{\"status\":0}", "{\"status\":1e100}"})
    void missingOrInvalidStatusIsATransportError(String document) {
        HttpReply reply = HttpReply.parse(document);
        assertTrue(reply.isTransportError(), document);
        assertEquals(0, reply.status());
    }

    @Test
    void deeplyNestedDocumentIsRefusedWithoutOverflowingTheStack() {
        String deep = "{\"status\":200,\"headers\":" + "[".repeat(200_000) + "]".repeat(200_000) + ",\"body\":\"x\"}";
        HttpReply reply = HttpReply.parse(deep);
        assertTrue(reply.isTransportError());
    }

    @Test
    void unbalancedDeepDocumentIsRefused() {
        HttpReply reply = HttpReply.parse("{\"status\":200,\"body\":" + "{\"a\":".repeat(100_000));
        assertTrue(reply.isTransportError());
    }

    @Test
    void bracketsInsideTheBodyDoNotCountAsNesting() {
        String body = "[".repeat(10_000) + "{".repeat(10_000);
        HttpReply reply = HttpReply.parse("{\"status\":200,\"headers\":[],\"body\":\"" + body + "\"}");
        assertFalse(reply.isTransportError());
        assertEquals(body, reply.body());
    }

    @Test
    void factoriesBuildWhatTheySay() {
        HttpReply ok = HttpReply.response(201, "made");
        assertEquals(201, ok.status());
        assertEquals("made", ok.body());
        assertTrue(ok.isSuccess());
        HttpReply failed = HttpReply.transportError("dns");
        assertTrue(failed.isTransportError());
        assertEquals("dns", failed.error());
        assertNull(failed.body());
    }

    @Test
    void aDenseDocumentOverTheValueBudgetIsATransportErrorNotATrap() {
        StringBuilder document = new StringBuilder("{\"status\":200,\"headers\":[");
        for (int i = 0; i <= JsonInput.MAX_VALUES; i++) {
            document.append(i == 0 ? "" : ",").append("[\"h\",\"v\"]");
        }
        HttpReply reply = HttpReply.parse(document.append("],\"body\":\"x\"}").toString());
        assertTrue(reply.isTransportError());
    }
}
