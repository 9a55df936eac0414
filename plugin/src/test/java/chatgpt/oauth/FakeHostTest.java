package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tark.host.HostValue;
import tark.host.HttpReply;

/** The fake host and the token helpers behave as the other tests assume. */
class FakeHostTest {
    @Test
    void jwtsAreThreeBase64UrlSegmentsWithoutPadding() {
        String token = Jwt.withAccount(Jwt.NOW_SECONDS + 60, "acct-1");
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        for (String part : parts) {
            assertTrue(part.matches("[A-Za-z0-9_-]+"), part);
        }
        JsonObject payload = Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
                .asObject();
        assertEquals(Jwt.NOW_SECONDS + 60, payload.getLong("exp", 0));
        assertEquals("acct-1", payload.get(Jwt.AUTH_CLAIM).asObject().getString("chatgpt_account_id", null));
        assertEquals("Zoë Ünïcødé 日本語 ✓ 🚀", payload.getString("name", null));
        assertFalse(Jwt.access(1).equals(Jwt.access(1)), "every token is unique");
    }

    @Test
    void secretCheckCatchesAWholeTokenOrAPieceOfIt() {
        FakeHost host = new FakeHost();
        String refresh = Jwt.opaque("rt");
        host.file("/f", "{\"tokens\":{\"refresh_token\":\"" + refresh + "\"}}");
        assertTrue(host.secrets().contains(refresh));

        host.logInfo("harmless " + refresh.substring(0, 11) + " prefix");
        assertDoesNotThrow(host::assertNoSecretInLogs, "an 11-character prefix is tolerated");

        host.logError("leak: ..." + refresh.substring(5, 17) + "...");
        assertThrows(AssertionError.class, host::assertNoSecretInLogs);
    }

    @Test
    void secretsAreCollectedFromStorageAndHttp() {
        FakeHost host = new FakeHost();
        String access = Jwt.access(1);
        String id = Jwt.access(2);
        host.storageSet("k", "{\"credentials\":{\"access_token\":\"" + access + "\"}}");
        host.reply(200, "{\"id_token\":\"" + id + "\"}");
        host.httpPost("https://x", new String[0], "{\"refresh_token\":\"rt_body_token_1\"}");
        assertTrue(host.secrets().containsAll(java.util.List.of(access, id, "rt_body_token_1")));
    }

    @Test
    void leakedPieceFindsTwelveCharacterPieces() {
        assertEquals("abcdefghijkl", FakeHost.leakedPiece("xxabcdefghijklyy", "see abcdefghijkl"));
        assertNull(FakeHost.leakedPiece("xxabcdefghijklyy", "see abcdefghijk"));
        assertEquals("short", FakeHost.leakedPiece("short", "a short message"));
    }

    @Test
    void hostFunctionsBehaveLikeTarks() {
        FakeHost host = new FakeHost();
        host.file("/a", "content");
        host.deniedPaths.add("/denied");
        host.env("EMPTY", "");
        host.deniedEnv.add("SECRET");
        assertEquals("content", host.readFile("/a").value());
        assertEquals(HostValue.ABSENT, host.readFile("/missing").kind());
        assertEquals(HostValue.DENIED, host.readFile("/denied").kind());
        assertEquals(-2, host.readFile("/denied").code());
        assertEquals(HostValue.ABSENT, host.env("EMPTY").kind());
        assertEquals(HostValue.ABSENT, host.env("UNSET").kind());
        assertEquals(HostValue.DENIED, host.env("SECRET").kind());

        assertTrue(host.storageSet("k", "v"));
        assertEquals("v", host.storageGet("k").value());
        host.failStorageSet = true;
        assertFalse(host.storageSet("k", "w"));
        assertEquals("v", host.storageGet("k").value());
        assertTrue(host.storageDelete("k"));
        assertFalse(host.storageGet("k").isPresent());

        host.reply(HttpReply.transportError("down"));
        assertTrue(host.httpGet("https://a", new String[] {"A", "1"}).isTransportError());
        assertEquals("GET", host.requests().get(0).method);
        assertEquals("1", host.requests().get(0).headers.get("A"));
        assertThrows(AssertionError.class, () -> host.httpGet("https://b", new String[0]),
                "an unexpected request fails the test");

        long start = host.currentTimeMillis();
        host.advance(5000);
        assertEquals(start + 5000, host.currentTimeMillis());
    }
}
