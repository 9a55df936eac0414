package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input and durability, round three: no piece of a token through a server's error code, a
 * damaged entry never hides a valid one, logout revokes the live token wherever it is kept, and
 * re-logging one terminal never evicts another terminal's login.
 */
class RoundThreeTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    private static Credentials holding(String refreshToken) {
        return new Credentials(Jwt.access(NOW + DAY), refreshToken, Jwt.access(NOW + DAY), null, Expiry.UNKNOWN);
    }

    // ---- 1. error codes ----

    @Test
    void onlyPlainCodesAreQuoted() {
        Credentials held = holding("rt_sent");
        assertEquals(", refresh_token_reused", ServerCode.quoted("{\"error\":\"refresh_token_reused\"}", held, null));
        assertEquals(", invalid.grant-2", ServerCode.quoted("{\"error\":{\"code\":\"invalid.grant-2\"}}", held, null));
        assertEquals(", " + "a".repeat(64), ServerCode.quoted("{\"error\":\"" + "a".repeat(64) + "\"}", held, null));
        for (String body : new String[] {"{\"error\":\"two words\"}", "{\"error\":\"\"}", "{\"error\":42}",
                "{\"error\":\"" + "a".repeat(65) + "\"}", "{\"error\":\"Invalid_Grant\"}", "{\"error\":{\"message\":\"m\"}}",
                "not json", "", null, "{\"error\":\"caf\u00e9\"}"}) {
            assertEquals("", ServerCode.quoted(body, held, null), String.valueOf(body));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"upstream.%s", "%s-x", "x%s", "%s", "pre.%.9s", "%.8s"})
    void aCodeSharingEightCharactersWithAnyHeldTokenIsNotQuoted(String shape) {
        String refresh = "rt_" + "abcdefghijklmnop".toLowerCase() + "0123456789";
        String code = String.format(shape, refresh);
        assertEquals("", ServerCode.quoted("{\"error\":\"" + code + "\"}", holding(refresh), null), code);
        // The file's or the stored tokens count as much as the one sent.
        assertEquals("", ServerCode.quoted("{\"error\":\"" + code + "\"}", holding("rt_other"), holding(refresh)));
        assertEquals("", ServerCode.quoted("{\"error\":{\"code\":\"" + code + "\"}}", null, holding(refresh)));
    }

    @Test
    void aCaseFoldedTokenCountsAsTheToken() {
        String refresh = "rt_AbCdEfGhIjKlMnOp";
        assertEquals("", ServerCode.quoted("{\"error\":\"x." + refresh.toLowerCase() + "\"}", holding(refresh), null));
    }

    @Test
    void sevenSharedCharactersAreChance() {
        assertEquals(", abcdefg_x", ServerCode.quoted("{\"error\":\"abcdefg_x\"}", holding("rt_abcdefgzzzz"), null));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 503})
    void anEchoedRefreshTokenNeverReachesTheLog(int status) {
        for (String shape : new String[] {"upstream.%s", "%s-x", "x%s"}) {
            String root = "rt_" + Jwt.randomText(32).toLowerCase();
            host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
            host.secret(root);
            host.reply(status, "{\"error\":{\"code\":\"" + String.format(shape, root) + "\"}}");
            Reply.of(new Provider(host.session()), Provider::credentials);
        }
        host.assertNoSecretInLogs();
        assertEquals(3, host.errors().size());
        for (String error : host.errors()) {
            assertTrue(error.contains("(HTTP " + status + ")"), error);
        }
    }

    @Test
    void anEchoedTokenInARevocationErrorNeverReachesTheLog() {
        String root = "rt_" + Jwt.randomText(32).toLowerCase();
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), root, null, null, null));
        host.secret(root);
        host.reply(400, "{\"error\":\"" + root + ".revoked\"}");
        assertEquals(0, new Provider(host).logout());
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("(HTTP 400)"), warnings.get(0));
    }

    // ---- 3. a damaged entry hides nothing ----

    @Test
    void everyEntryOfTheLineageIsTriedNewestFirst() {
        String root = Jwt.opaque("rt");
        Lineage lineage = Lineage.of(root);
        Credentials valid = new Credentials(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, (NOW + DAY) * 1000);
        Credentials older = new Credentials(Jwt.access(NOW + HOUR), Jwt.opaque("rt"), null, null, (NOW + HOUR) * 1000);
        JsonObject entry = new JsonObject().add("lineage", lineage.id).add("sealed", "junk")
                .add("others", new JsonArray()
                        .add(new JsonObject().add("lineage", lineage.id).add("sealed", lineage.seal(valid.toTarkJson())))
                        .add(new JsonObject().add("lineage", lineage.id).add("sealed", lineage.seal(older.toTarkJson()))));
        host.disk().put(TokenVault.KEY, entry.toString());
        host.rememberSecretsIn(valid.toTarkJson());
        host.rememberSecretsIn(older.toTarkJson());
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
        Reply reply = Reply.of(new Provider(host.session()), Provider::credentials);
        assertFalse(reply.isFailure(), "code " + reply.code);
        assertEquals(valid.accessToken, Json.parse(reply.text).asObject().getString("access_token", null));
        assertTrue(host.requests().isEmpty(), "the retired root token is not presented");
    }

    // ---- 4. logout revokes the live token, even from version 0.3's entry ----

    @Test
    void logoutRevokesTheLiveTokenOfAVersion03Entry() {
        String root = Jwt.opaque("rt");
        String content = Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null);
        host.file(TARK_PATH, content);
        String live = Jwt.opaque("rt");
        Credentials refreshed = new Credentials(Jwt.access(NOW + DAY), live, null, null, (NOW + DAY) * 1000);
        host.disk().put(LegacyTokens.KEY, new JsonObject().add("source", LegacyTokens.fingerprint(content))
                .add("credentials", Json.parse(refreshed.toTarkJson())).toString());
        host.rememberSecretsIn(host.disk().text());
        host.reply(200, "{}");
        assertEquals(0, new Provider(host.session()).logout());
        assertEquals(1, host.requests().size());
        assertEquals(live, host.requests().get(0).jsonBody().getString("token", null));
        assertFalse(host.disk().containsKey(LegacyTokens.KEY));
    }

    // ---- 5. logins are kept per credentials path ----

    private static Credentials tokens() {
        return new Credentials(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, (NOW + DAY) * 1000);
    }

    @Test
    void reLoggingOneTerminalNeverEvictsAnothersLiveLogin() {
        Lineage other = Lineage.of(Jwt.opaque("rt"));
        Credentials otherTokens = tokens();
        new TokenVault(host.session()).save(other, "/b/chatgpt_oauth.json", otherTokens);
        for (int login = 0; login < 6; login++) {
            new TokenVault(host.session()).save(Lineage.of(Jwt.opaque("rt")), TARK_PATH, tokens());
        }
        Credentials kept = new TokenVault(host.session()).load(other);
        assertNotNull(kept, "the other terminal's login is still there");
        assertEquals(otherTokens.refreshToken, kept.refreshToken);
        assertTrue(StoredLogins.parse(host.disk().get(TokenVault.KEY)).size() <= StoredLogins.MAX_ENTRIES);
    }

    @Test
    void aFifthPathEvictsTheOldestPath() {
        Lineage[] logins = new Lineage[5];
        for (int i = 0; i < logins.length; i++) {
            logins[i] = Lineage.of(Jwt.opaque("rt"));
            new TokenVault(host.session()).save(logins[i], "/path/" + i, tokens());
        }
        assertEquals(null, new TokenVault(host.session()).load(logins[0]));
        for (int i = 1; i < logins.length; i++) {
            assertNotNull(new TokenVault(host.session()).load(logins[i]), "path " + i);
        }
    }

    @Test
    void anOlderLoginOfAPathFillsOnlyTheRoomLeftSoAFileThatComesBackStillWorks() {
        Lineage first = Lineage.of(Jwt.opaque("rt"));
        Lineage second = Lineage.of(Jwt.opaque("rt"));
        new TokenVault(host.session()).save(first, TARK_PATH, tokens());
        new TokenVault(host.session()).save(second, TARK_PATH, tokens());
        assertNotNull(new TokenVault(host.session()).load(first), "room left: the older login stays");
        for (int i = 0; i < 3; i++) {
            new TokenVault(host.session()).save(Lineage.of(Jwt.opaque("rt")), "/other/" + i, tokens());
        }
        assertEquals(null, new TokenVault(host.session()).load(first), "superseded, and the room was needed");
        assertNotNull(new TokenVault(host.session()).load(second), "the path's live login stays");
    }

    @Test
    void thePathIsKeptOnlyAsAOneWayFingerprint() {
        new TokenVault(host).save(Lineage.of(Jwt.opaque("rt")), TARK_PATH, tokens());
        String stored = host.disk().text();
        assertFalse(stored.contains("tester"), stored);
        assertFalse(stored.contains("chatgpt_oauth"), stored);
        assertTrue(stored.contains(StoredLogins.pathFingerprint(TARK_PATH)));
        assertFalse(StoredLogins.pathFingerprint(TARK_PATH).equals(StoredLogins.pathFingerprint(TARK_PATH + "x")));
    }

    @Test
    void refusalMarksAreCarriedOverAndCapped() {
        StoredLogins logins = StoredLogins.parse(null);
        for (int i = 0; i <= StoredLogins.MAX_REFUSED; i++) {
            logins = logins.refusing("mark" + i);
        }
        StoredLogins saved = StoredLogins.parse(logins.saving("L", "S", "P").toJson());
        assertTrue(saved.isRefused("mark" + StoredLogins.MAX_REFUSED));
        assertTrue(saved.isRefused("mark1"));
        assertFalse(saved.isRefused("mark0"), "the oldest beyond the bound is dropped");
        assertEquals(1, saved.size());
    }
}
