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
    void storageLeakCheckSeesPlainBase64AndHexPieces() {
        FakeHost host = new FakeHost();
        String token = Jwt.opaque("rt");
        host.secret(token);
        byte[] utf8 = ("{\"x\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
        String[] leaks = {
            "..." + token.substring(3, 20) + "...",
            Base64.getUrlEncoder().withoutPadding().encodeToString(utf8),
            Base64.getEncoder().encodeToString(("ab" + token).getBytes(StandardCharsets.UTF_8)),
            java.util.HexFormat.of().formatHex(token.getBytes(StandardCharsets.UTF_8)),
        };
        for (String leak : leaks) {
            assertThrows(AssertionError.class, () -> host.assertNoSecretIn(leak, "storage"), leak);
        }
        assertDoesNotThrow(() -> host.assertNoSecretIn(Jwt.opaque("other") + token.substring(0, 11), "storage"));
    }

    @Test
    void instancesShareTheStorageFileButEachLoadsItOnce() {
        FakeHost first = new FakeHost();
        first.env("HOME", "/home/u");
        FakeHost second = first.session();
        assertTrue(first.storageSet("a", "1"));
        assertFalse(second.storageGet("a").isPresent(), "the second instance loaded storage.json before the write");
        assertEquals("1", first.session().storageGet("a").value(), "an instance started now sees it");

        // The second instance's write rewrites the whole file from its own copy: "a" is gone.
        assertTrue(second.storageSet("b", "2"));
        assertFalse(first.disk().containsKey("a"));
        assertEquals("2", first.disk().get("b"));
        assertEquals("1", first.storageGet("a").value(), "the first instance still answers from its copy");

        // A delete rewrites the whole file too, even for a key the file did not hold.
        first.storageDelete("zzz");
        assertEquals("1", first.disk().get("a"));
        assertFalse(first.disk().containsKey("b"));
        assertEquals(3, first.disk().writes());
    }

    @Test
    void storageFileIsReadableAtTheDataDirWithTheModeFromTheUmask() {
        FakeHost host = new FakeHost();
        host.env("HOME", "/home/u");
        String path = "/home/u/.local/share/tark/plugins/chatgpt-oauth/data/storage.json";
        assertEquals(path, host.storagePath());
        assertEquals(HostValue.ABSENT, host.readFile(path).kind());
        assertEquals(-1, host.disk().mode());
        host.storageSet("k", "v\"1");
        assertEquals(0644, host.disk().mode(), "0666 & ~022: every local user can read it");
        JsonObject file = Json.parse(host.readFile(path).value()).asObject();
        assertEquals("v\"1", file.getString("k", null));
        assertEquals(1, file.size());

        host.env("XDG_DATA_HOME", "/data");
        assertEquals("/data/tark/plugins/chatgpt-oauth/data/storage.json", host.storagePath());

        FakeHost strict = new FakeHost();
        strict.env("HOME", "/home/u");
        strict.disk().umask = 0077;
        strict.storageSet("k", "v");
        assertEquals(0600, strict.disk().mode());
    }

    @Test
    void aStorageFileThatIsNotAnObjectOfStringsLoadsEmpty() {
        FakeHost host = new FakeHost();
        for (String text : new String[] {"[]", "{\"a\":1}", "not json", "{\"a\":\"x\",\"b\":null}"}) {
            host.disk().replaceText(text);
            assertTrue(host.session().storage.isEmpty(), text);
        }
        host.disk().replaceText("{\"a\":\"x\"}");
        assertEquals("x", host.session().storageGet("a").value());
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
