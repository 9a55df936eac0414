package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.CODEX_PATH;
import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.MARGIN;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.HttpReply;

/**
 * The same login is recognised by its refresh-token lineage, several tark sessions share one
 * storage.json without clobbering each other, and what is stored is sealed.
 */
class LoginLineageTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    private static final long MINUTE = 60;

    /** The file's refresh token: the root of the login's lineage. */
    private final String root = Jwt.opaque("rt");

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    /** A tark session started now on this machine (it loads storage.json as it is now). */
    private ChatGptAuth session() {
        FakeHost session = host.session();
        return new ChatGptAuth(session, new CodexClient(session));
    }

    private String writeFile(String access, String refresh, String accountId) {
        String content = Fixtures.tarkFile(access, refresh, null, null, accountId);
        host.file(TARK_PATH, content);
        return content;
    }

    /** The refresh tokens presented to the token endpoint, in order. */
    private List<String> presented() {
        List<String> tokens = new ArrayList<>();
        for (FakeHost.Request request : host.requests()) {
            if (request.url.equals(TokenRefresher.TOKEN_URL)) {
                tokens.add(request.presentedRefreshToken());
            }
        }
        return tokens;
    }

    private Credentials storedOnDisk() {
        return Fixtures.opened(host.disk().get(TokenVault.KEY), root);
    }

    /** Session one refreshes the file's expired login: root → returned refresh token, saved on disk. */
    private Credentials refreshOnce(String newRefresh, long newExpSeconds) throws AuthFailure {
        writeFile(Jwt.access(NOW - HOUR), root, null);
        String newAccess = Jwt.access(newExpSeconds);
        host.reply(200, Fixtures.tokenReply(newAccess, newRefresh, null, -1));
        Credentials fresh = session().current().tokens;
        assertEquals(newAccess, fresh.accessToken);
        return fresh;
    }

    // ---- (a) hand edits keep the login ----

    @Test
    void aHandEditAfterARefreshKeepsTheStoredDescendant() throws AuthFailure {
        String second = Jwt.opaque("rt");
        Credentials fresh = refreshOnce(second, NOW + HOUR);

        // The README invites adding account_id; jq or an editor reformats with other whitespace and order.
        JsonObject edited = new JsonObject().add("account_id", "acct-hand").add("refresh_token", root)
                .add("access_token", Jwt.access(NOW - HOUR));
        host.file(TARK_PATH, edited.toString(WriterConfig.PRETTY_PRINT).replace("  ", "\t") + "\n");

        Credentials afterEdit = session().current().tokens;
        assertEquals(fresh.accessToken, afterEdit.accessToken, "the stored descendant still wins");
        assertEquals(1, host.requests().size(), "no refresh: the descendant is valid");

        // Later the descendant needs a refresh in turn: its refresh token is presented, never the spent one.
        host.advance(HOUR * 1000);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + 2 * HOUR + DAY), Jwt.opaque("rt"), null, -1));
        session().current();
        assertEquals(List.of(root, second), presented());
    }

    @Test
    void reformattingTheFileWithinOneInstanceKeepsTheDescendantToo() throws AuthFailure {
        String second = Jwt.opaque("rt");
        String content = writeFile(Jwt.access(NOW - HOUR), root, null);
        ChatGptAuth auth = new ChatGptAuth(host, new CodexClient(host));
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), second, null, -1));
        Credentials fresh = auth.current().tokens;
        host.file(TARK_PATH, Json.parse(content).toString(WriterConfig.PRETTY_PRINT));
        assertEquals(fresh.accessToken, auth.current().tokens.accessToken);
        assertEquals(1, host.requests().size());
    }

    // ---- (b) a refresh token never seen is a new login ----

    @Test
    void aNewLoginWinsOverStoredTokensWhichAreIgnoredNotDeleted() throws AuthFailure {
        refreshOnce(Jwt.opaque("rt"), NOW + DAY);
        String entry = host.disk().get(TokenVault.KEY);

        String newRoot = Jwt.opaque("rt");
        String newAccess = Jwt.access(NOW + DAY);
        writeFile(newAccess, newRoot, null);
        assertEquals(newAccess, session().current().tokens.accessToken);
        assertEquals(entry, host.disk().get(TokenVault.KEY), "not deleted");

        // When the new login needs a refresh, its own refresh token is spent.
        writeFile(Jwt.access(NOW - MINUTE), newRoot, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        session().current();
        assertEquals(newRoot, presented().get(1));
    }

    // ---- (c) a stale session never clobbers newer tokens ----

    @Test
    void aStaleSessionThatSeesTheFileReformattedLeavesTheOtherSessionsTokensAlone() throws AuthFailure {
        writeFile(Jwt.access(NOW + MARGIN + MINUTE), root, null);
        FakeHost staleHost = host.session();
        ChatGptAuth stale = new ChatGptAuth(staleHost, new CodexClient(staleHost));
        stale.current(); // started before the other session saved anything

        // Another session refreshes (its provider_auth_refresh hook) and saves the descendant.
        String second = Jwt.opaque("rt");
        String secondAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(secondAccess, second, null, -1));
        session().refreshNow();
        String entry = host.disk().get(TokenVault.KEY);
        assertNotNull(entry);

        // The user reformats the file; the stale session carries on, then its token comes due.
        host.file(TARK_PATH, Json.parse(host.files.get(TARK_PATH)).toString(WriterConfig.PRETTY_PRINT));
        stale.current();
        host.advance(2 * MINUTE * 1000); // now a minute within the refresh margin
        assertEquals(secondAccess, stale.current().tokens.accessToken, "the other session's tokens, read from disk");
        stale.status();

        assertEquals(entry, host.disk().get(TokenVault.KEY), "the shared file still holds the other session's entry");
        assertFalse(host.events().contains("storage.delete " + TokenVault.KEY));
        assertEquals(List.of(root), presented(), "the stale session presented nothing");
        assertEquals(second, storedOnDisk().refreshToken);
    }

    @Test
    void aStaleSessionWithItsOwnOlderEntryTakesTheNewerOneFromDisk() throws AuthFailure {
        String second = Jwt.opaque("rt");
        refreshOnce(second, NOW + 2 * MARGIN);
        ChatGptAuth stale = session(); // loads the entry holding `second`
        stale.current();

        // Another session rotates `second` into `third` later on.
        host.advance((MARGIN + MARGIN / 2) * 1000);
        String third = Jwt.opaque("rt");
        String thirdAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(thirdAccess, third, null, -1));
        session().current();
        String entry = host.disk().get(TokenVault.KEY);

        host.file(TARK_PATH, host.files.get(TARK_PATH) + "\n");
        assertEquals(thirdAccess, stale.current().tokens.accessToken);
        assertEquals(List.of(root, second), presented(), "the spent `second` is never presented again");
        assertEquals(entry, host.disk().get(TokenVault.KEY));
    }

    // ---- (d) two sessions near expiry recover in the same start ----

    @Test
    void aSessionRefusedAsReusedTakesTheTokensTheOtherSessionJustSaved() throws AuthFailure {
        writeFile(Jwt.access(NOW + MARGIN / 2), root, null);
        ChatGptAuth first = session();
        ChatGptAuth second = session();
        String firstAccess = Jwt.access(NOW + DAY);
        String firstRefresh = Jwt.opaque("rt");
        // The second session presents the root first; while its request is in flight the first session
        // refreshes and saves, so the endpoint refuses the second one's request as reused.
        host.handleHttp(request -> {
            host.handleHttp(null);
            host.reply(200, Fixtures.tokenReply(firstAccess, firstRefresh, null, -1));
            try {
                assertEquals(firstAccess, first.current().tokens.accessToken);
            } catch (AuthFailure failure) {
                throw new AssertionError(failure);
            }
            return HttpReply.response(400, "{\"error\":\"refresh_token_reused\"}");
        });

        Credentials recovered = second.current().tokens;
        assertEquals(firstAccess, recovered.accessToken, "the first session's tokens, in the same call");
        assertEquals(firstRefresh, recovered.refreshToken);
        assertEquals(List.of(root, root), presented());
        assertEquals(firstRefresh, storedOnDisk().refreshToken);
        assertTrue(host.errors().isEmpty());
        assertTrue(host.messages("info").stream().anyMatch(m -> m.contains("Another tark session")),
                host.messages("info").toString());
        assertEquals(firstAccess, second.current().tokens.accessToken);
        assertEquals(2, host.requests().size());
    }

    @Test
    void beforePresentingARefreshTokenASessionUsesADescendantAnotherSessionSaved() throws AuthFailure {
        writeFile(Jwt.access(NOW + MARGIN / 2), root, null);
        ChatGptAuth first = session();
        ChatGptAuth second = session();
        String firstAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(firstAccess, Jwt.opaque("rt"), null, -1));
        first.current();

        assertEquals(firstAccess, second.current().tokens.accessToken);
        assertEquals(1, host.requests().size(), "no HTTP request from the second session");
        assertTrue(host.events().contains("fs.read " + Fixtures.STORAGE_PATH));
    }

    @Test
    void aForcedRefreshAlsoLooksOnDiskFirst() throws AuthFailure {
        writeFile(Jwt.access(NOW + DAY), root, null);
        ChatGptAuth first = session();
        ChatGptAuth second = session();
        String firstAccess = Jwt.access(NOW + 2 * DAY);
        String firstRefresh = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(firstAccess, firstRefresh, null, -1));
        first.refreshNow();
        // The host saw the file's access token refused; the descendant on disk is newer: no second request.
        assertEquals(firstAccess, second.refreshNow().tokens.accessToken);
        assertEquals(List.of(root), presented());
    }

    @Test
    void afterTakingAnotherSessionsTokensLaterCallsNeedNoDiskReadNorNewDiagnostics() throws AuthFailure {
        writeFile(Jwt.access(NOW + MARGIN / 2), root, null);
        ChatGptAuth first = session();
        ChatGptAuth second = session();
        String firstAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(firstAccess, Jwt.opaque("rt"), null, -1));
        first.current();
        assertEquals(firstAccess, second.current().tokens.accessToken);
        long diskReads = host.events().stream().filter(e -> e.equals("fs.read " + Fixtures.STORAGE_PATH)).count();
        int debugLines = host.messages("debug").size();

        for (int i = 0; i < 3; i++) {
            assertEquals(firstAccess, second.current().tokens.accessToken);
        }
        assertEquals(diskReads, host.events().stream().filter(e -> e.equals("fs.read " + Fixtures.STORAGE_PATH)).count(),
                "the descendant taken from disk is this instance's login now");
        assertEquals(debugLines, host.messages("debug").size(), "the credentials in use did not change");
    }

    // ---- (e) no descendant anywhere ----

    @Test
    void reuseWithoutADescendantOnDiskFailsWithRetryOrLogIn() {
        writeFile(Jwt.access(NOW - HOUR), root, null);
        host.reply(400, "{\"error\":\"refresh_token_reused\"}");
        Provider provider = new Provider(host);
        Reply reply = Reply.of(provider, Provider::credentials);
        assertEquals(AuthFailure.REFRESH_REJECTED, reply.code);
        List<String> errors = host.errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("retry"), errors.get(0));
        assertTrue(errors.get(0).contains("tark auth chatgpt-oauth"), errors.get(0));
        assertTrue(errors.get(0).contains("refresh_token_reused"), errors.get(0));
        assertFalse(host.disk().get(TokenVault.KEY).contains("sealed"), "only the refusal is written");

        // The refused token is not presented again, by this instance nor the next.
        assertEquals(AuthFailure.REFRESH_REJECTED, Reply.of(provider, Provider::credentials).code);
        assertEquals(AuthFailure.REFRESH_REJECTED, Reply.of(new Provider(host.session()), Provider::credentials).code);
        assertEquals(1, host.requests().size());
    }

    // ---- (f) protected at rest ----

    @Test
    void storageHoldsNoPieceOfAnyTokenInAnyEncoding() throws AuthFailure {
        String second = Jwt.opaque("rt");
        refreshOnce(second, NOW + 2 * MARGIN);
        host.advance((MARGIN + MARGIN / 2) * 1000);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), Jwt.withAccount(NOW + DAY, "a-1"),
                3600));
        session().current();

        String text = host.disk().text();
        assertNotNull(text);
        assertEquals(0644, host.disk().mode(), "tark writes storage.json readable by every local user");
        assertTrue(host.secrets().contains(root) && host.secrets().contains(second));
        host.assertNoSecretIn(text, "storage.json");
        assertFalse(text.contains(root), "the file's refresh token is never written anywhere");
        // Without the file's refresh token the entry opens under no key.
        assertNull(Fixtures.opened(host.disk().get(TokenVault.KEY), second));
        assertNotNull(storedOnDisk());
    }

    // ---- (g) tampering: a damaged entry hides nothing ----

    @Test
    void aTamperedEntryIsIgnoredQuietlyAndTheFilesTokensAreUsed() throws AuthFailure {
        String fileAccess = Jwt.access(NOW + DAY);
        writeFile(fileAccess, root, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + 2 * DAY), Jwt.opaque("rt"), null, -1));
        session().refreshNow();
        JsonObject entry = Json.parse(host.disk().get(TokenVault.KEY)).asObject();
        String sealed = entry.getString("sealed", null);
        int at = sealed.length() / 2;
        String tampered = sealed.substring(0, at) + (sealed.charAt(at) == 'x' ? 'y' : 'x') + sealed.substring(at + 1);
        host.disk().put(TokenVault.KEY, new JsonObject().add("lineage", entry.getString("lineage", null))
                .add("sealed", tampered).toString());
        int logsBefore = host.logs().size();

        Provider provider = new Provider(host.session());
        Reply reply = Reply.of(provider, Provider::credentials);
        assertFalse(reply.isFailure());
        assertEquals(fileAccess, Json.parse(reply.text).asObject().getString("access_token", null));
        assertEquals(1, host.requests().size());
        for (FakeHost.Log log : host.logs().subList(logsBefore, host.logs().size())) {
            assertFalse(log.message.contains(tampered.substring(at - 6, at + 6)), log.toString());
            assertFalse(log.message.contains(sealed.substring(0, 12)), log.toString());
            assertNotEquals("error", log.level, log.toString());
        }
    }

    @Test
    void everyEntryOfTheLineageIsTriedNewestFirst() {
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

    // ---- (h) the file deleted ----

    @Test
    void aDeletedFileForgetsTheStoredTokensOnceAndTheNextStartIsLoggedOut() throws AuthFailure {
        refreshOnce(Jwt.opaque("rt"), NOW + DAY);
        assertTrue(host.disk().containsKey(TokenVault.KEY));

        host.files.remove(TARK_PATH); // tark auth logout
        ChatGptAuth auth = session();
        for (int i = 0; i < 3; i++) {
            assertEquals(AuthFailure.NOT_AUTHENTICATED, assertThrows(AuthFailure.class, auth::current).code());
        }
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        assertEquals(AuthFailure.NOT_AUTHENTICATED, assertThrows(AuthFailure.class, () -> session().current()).code());
        assertEquals(ChatGptAuth.STATUS_NOT_AUTHENTICATED, session().status());
        assertEquals(1, host.events().stream().filter(e -> e.equals("storage.delete " + TokenVault.KEY)).count());
        assertEquals(1, host.messages("info").stream().filter(m -> m.contains("Forgot")).count());

        // Logging in again afterwards starts a new lineage as usual.
        String access = Jwt.access(NOW + DAY);
        writeFile(access, Jwt.opaque("rt"), null);
        assertEquals(access, auth.current().tokens.accessToken);
    }

    @Test
    void aDeletedFileWithTheCodexFallbackStillForgetsTheStoredTokens() throws AuthFailure {
        refreshOnce(Jwt.opaque("rt"), NOW + DAY);
        host.files.remove(TARK_PATH);
        String codexAccess = Jwt.access(NOW + DAY);
        host.file(CODEX_PATH, Fixtures.codexFile(codexAccess, Jwt.opaque("rt"), null, null));
        assertEquals(codexAccess, session().current().tokens.accessToken);
        assertFalse(host.disk().containsKey(TokenVault.KEY));
    }

    // ---- (i) provider_auth_logout ----

    @Test
    void logoutRevokesTheLatestDescendantAndForgetsStorage() throws AuthFailure {
        String second = Jwt.opaque("rt");
        refreshOnce(second, NOW + DAY);
        Provider provider = new Provider(host.session());
        host.reply(200, "{}");
        assertEquals(0, provider.logout());

        FakeHost.Request revoke = host.requests().get(host.requests().size() - 1);
        assertEquals(TokenRefresher.REVOKE_URL, revoke.url);
        assertEquals("POST", revoke.method);
        JsonObject body = revoke.jsonBody();
        assertEquals(second, body.getString("token", null), "the live descendant, not the spent root");
        assertEquals("refresh_token", body.getString("token_type_hint", null));
        assertEquals(TokenRefresher.CLIENT_ID, body.getString("client_id", null));
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        assertTrue(host.errors().isEmpty());
        assertTrue(host.messages("warn").isEmpty());
    }

    @Test
    void aStaleSessionsLogoutRevokesTheDescendantAnotherSessionSaved() throws AuthFailure {
        String second = Jwt.opaque("rt");
        refreshOnce(second, NOW + 2 * MARGIN);
        Provider stale = new Provider(host.session());
        Reply.of(stale, Provider::credentials);
        host.advance((MARGIN + MARGIN / 2) * 1000);
        String third = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), third, null, -1));
        session().current();

        host.reply(200, "{}");
        assertEquals(0, stale.logout());
        FakeHost.Request revoke = host.requests().get(host.requests().size() - 1);
        assertEquals(TokenRefresher.REVOKE_URL, revoke.url);
        assertEquals(third, revoke.jsonBody().getString("token", null),
                "the refresh token that is live now, not the one this session last saw");
        assertFalse(host.disk().containsKey(TokenVault.KEY));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 500})
    void aFailedRevocationStillLogsOutWithAWarning(int status) throws AuthFailure {
        refreshOnce(Jwt.opaque("rt"), NOW + DAY);
        host.reply(status == 0 ? HttpReply.transportError("connection refused")
                : HttpReply.response(status, "{\"error\":\"server_error\"}"));
        Provider provider = new Provider(host.session());
        assertEquals(0, provider.logout());
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(status == 0 ? "connection refused" : "HTTP 500"), warnings.get(0));
        assertTrue(warnings.get(0).contains("logged out"), warnings.get(0));
        assertTrue(host.errors().isEmpty());
    }

    @Test
    void theCodexCliLoginIsNeverRevokedNorRefreshed() throws AuthFailure {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - MINUTE), Jwt.opaque("rt"), null, null));
        Provider provider = new Provider(host);
        assertEquals(AuthFailure.EXPIRED, Reply.of(provider, Provider::credentials).code);
        assertEquals(AuthFailure.EXPIRED, Reply.of(provider, Provider::refresh).code);
        assertEquals(0, provider.logout());
        assertTrue(host.requests().isEmpty(), "nothing sent for the Codex CLI's login");
        assertTrue(host.files.containsKey(CODEX_PATH));
    }

    @Test
    void logoutRevokesTheLiveTokenOfAVersion03Entry() {
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

    // ---- (j) version 0.3's clear entry ----

    private String legacyEntry(String content, Credentials credentials) {
        return new JsonObject().add("source", LegacyTokens.fingerprint(content))
                .add("credentials", Json.parse(credentials.toTarkJson())).toString();
    }

    @Test
    void aMatchingLegacyEntryIsUsedSealedAndItsClearCopyDeleted() throws AuthFailure {
        String content = writeFile(Jwt.access(NOW - HOUR), root, null);
        String second = Jwt.opaque("rt");
        Credentials refreshed = new Credentials(Jwt.access(NOW + DAY), second, null, null, (NOW + DAY) * 1000);
        host.disk().put(LegacyTokens.KEY, legacyEntry(content, refreshed));
        host.rememberSecretsIn(host.disk().text());

        assertEquals(refreshed.accessToken, session().current().tokens.accessToken);
        assertTrue(host.requests().isEmpty(), "no refresh: the migrated tokens are valid");
        assertFalse(host.disk().containsKey(LegacyTokens.KEY));
        assertEquals(second, storedOnDisk().refreshToken);
        host.assertNoSecretIn(host.disk().text(), "storage.json");

        // Next start: the sealed entry alone carries the login.
        assertEquals(refreshed.accessToken, session().current().tokens.accessToken);
        host.advance(DAY * 1000);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + 3 * DAY), Jwt.opaque("rt"), null, -1));
        session().current();
        assertEquals(List.of(second), presented());
    }

    @Test
    void aLegacyEntryOfOtherContentIsNotUsed() throws AuthFailure {
        String content = writeFile(Jwt.access(NOW + DAY), root, null);
        Credentials other = new Credentials(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, (NOW + DAY) * 1000);
        host.disk().put(LegacyTokens.KEY, legacyEntry(content + " ", other));
        host.rememberSecretsIn(host.disk().text());
        Credentials used = session().current().tokens;
        assertNotEquals(other.accessToken, used.accessToken);
        assertEquals(Json.parse(content).asObject().getString("access_token", null), used.accessToken);
        assertFalse(host.disk().containsKey(TokenVault.KEY));
    }

    // ---- the diagnostics line ----

    @Test
    void aDiagnosticsLineIsWrittenEachTimeTheCredentialsInUseChange() throws AuthFailure {
        writeFile(Jwt.access(NOW + HOUR), root, "acct-diag");
        ChatGptAuth auth = new ChatGptAuth(host, new CodexClient(host));
        auth.current();
        auth.current();
        List<String> lines = diagnostics();
        assertEquals(1, lines.size(), lines.toString());
        JsonObject first = Json.parse(lines.get(0).substring(Diagnostics.PREFIX.length())).asObject();
        assertEquals("tark_file", first.getString("source", null));
        assertEquals(TARK_PATH, first.getString("location", null));
        assertEquals("source", first.getString("tokens", null));
        assertEquals("acct-diag", first.getString("account_id", null));
        assertEquals(NOW + HOUR, first.getLong("expires_at", 0));
        assertFalse(first.getBoolean("expired", true));
        assertFalse(first.getBoolean("refresh_due", true));
        assertTrue(first.getBoolean("may_refresh", false));
        assertEquals(MARGIN, first.getLong("refresh_margin_seconds", 0));

        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        auth.refreshNow();
        lines = diagnostics();
        assertEquals(2, lines.size(), lines.toString());
        JsonObject second = Json.parse(lines.get(1).substring(Diagnostics.PREFIX.length())).asObject();
        assertEquals("storage", second.getString("tokens", null));
        assertEquals(NOW + DAY, second.getLong("expires_at", 0));
        assertFalse(second.getBoolean("refresh_due", true));
    }

    private List<String> diagnostics() {
        List<String> lines = new ArrayList<>();
        for (String message : host.messages("debug")) {
            if (message.startsWith(Diagnostics.PREFIX)) {
                lines.add(message);
            }
        }
        return lines;
    }
}
