package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.CODEX_PATH;
import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.HostValue;
import tark.host.HttpReply;
import tark.host.JsonInput;

/**
 * Inputs a user, a damaged disk, a proxy or a misbehaving server can produce. Each ends in a
 * clean answer or a negative code with one log line naming the cause and the fix; never an exception.
 */
class HostileInputTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;

    private Provider provider;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
        provider = new Provider(host);
    }

    private String writeFile(String access, String refresh, String id, String accountId) {
        String content = Fixtures.tarkFile(access, refresh, id, null, accountId);
        host.file(TARK_PATH, content);
        return content;
    }

    private JsonObject answer(Reply reply) {
        assertFalse(reply.isFailure(), "failed with " + reply.code + ": " + host.errors());
        return Json.parse(reply.text).asObject();
    }

    private JsonObject headers(Reply reply) {
        return answer(reply).get("custom_headers").asObject();
    }

    /** A failure with exactly one error line, holding each of {@code mentions}. */
    private String failedOnce(Reply reply, int code, String... mentions) {
        assertTrue(reply.isFailure(), "expected " + code);
        assertEquals(code, reply.code);
        List<String> errors = host.errors();
        assertEquals(1, errors.size(), errors.toString());
        for (String mention : mentions) {
            assertTrue(errors.get(0).contains(mention), "\"" + mention + "\" not in: " + errors.get(0));
        }
        return errors.get(0);
    }

    private static String denseArray(int values) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < values; i++) {
            array.append(i == 0 ? "" : ",").append(i % 10);
        }
        return array.append("]").toString();
    }

    // ---- JWT exp and base64 alphabets ----

    @Test
    void aFarFutureJwtExpIsSecondsAndSpendsNoRefreshToken() {
        String access = Jwt.access(253_402_300_799L); // 9999-12-31, in seconds
        writeFile(access, Jwt.opaque("rt"), null, null);
        assertEquals(access, answer(Reply.of(provider, Provider::credentials)).getString("access_token", null));
        assertTrue(host.requests().isEmpty());
        assertEquals(ChatGptAuth.STATUS_AUTHENTICATED, provider.status());
    }

    @Test
    void aJwtPayloadInTheStandardAlphabetGivesTheAccountHeader() {
        String payload = "{\"x\":\"???>>>\",\"exp\":" + (NOW + DAY) + ",\"" + Jwt.AUTH_CLAIM
                + "\":{\"chatgpt_account_id\":\"acct-std\"}}";
        while (payload.length() % 3 == 0) {
            payload = payload.replace("{", "{ ");
        }
        String access = Jwt.standardBase64Token(payload);
        assertTrue(access.split("\\.")[1].matches(".*[+/].*=$"), access);
        writeFile(access, null, null, null);
        assertEquals("acct-std", headers(Reply.of(provider, Provider::credentials)).getString("ChatGPT-Account-Id", null));
    }

    // ---- the right error for each refresh failure ----

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 503})
    void transientRefreshFailuresAreRetryableAndKeepTheRefreshToken(int status) {
        String refresh = Jwt.opaque("rt");
        writeFile(Jwt.access(NOW - HOUR), refresh, null, null);
        host.reply(status, "{\"error\":\"temporarily_unavailable\"}");
        String error = failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_FAILED, String.valueOf(status));
        assertFalse(error.contains("tark auth chatgpt-oauth"), error);
        assertEquals(ChatGptAuth.STATUS_AUTHENTICATED, provider.status(), "still refreshable");

        // The next attempt, in this instance and in the next one, presents the same refresh token.
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(status, "{}");
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        assertEquals(AuthFailure.REFRESH_FAILED, Reply.of(provider, Provider::credentials).code);
        assertEquals(newAccess, answer(Reply.of(new Provider(host.session()), Provider::credentials)).getString("access_token", null));
        assertEquals(3, host.requests().size());
        for (FakeHost.Request request : host.requests()) {
            assertEquals(refresh, request.presentedRefreshToken());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401})
    void refusedRefreshTokensAreRejected(int status) {
        writeFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null);
        host.reply(status, "{\"error\":\"invalid_grant\"}");
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_REJECTED, "invalid_grant", "tark auth chatgpt-oauth");
    }

    @Test
    void aDenseTokenReplyIsRefusedCleanlyWithoutATrap() {
        String refresh = Jwt.opaque("rt");
        writeFile(Jwt.access(NOW - HOUR), refresh, null, null);
        String body = "{\"access_token\":\"" + Jwt.access(NOW + DAY) + "\",\"refresh_token\":\"" + Jwt.opaque("rt")
                + "\",\"extra\":" + denseArray(25_000) + "}";
        host.reply(200, body);
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_FAILED, "200");
        assertEquals(0, StoredLogins.parse(host.disk().get(TokenVault.KEY)).size(), "no tokens kept");
    }

    @Test
    void aReplyJustWithinTheBudgetIsSavedBeforeAnythingElse() {
        writeFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null);
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, "{\"access_token\":\"" + newAccess + "\",\"refresh_token\":\"" + Jwt.opaque("rt")
                + "\",\"extra\":" + denseArray(JsonInput.MAX_VALUES - 10) + "}");
        assertEquals(newAccess, answer(Reply.of(provider, Provider::credentials)).getString("access_token", null));
        assertTrue(host.disk().containsKey(TokenVault.KEY));
    }

    // ---- header-safe values ----

    @ParameterizedTest
    @ValueSource(strings = {"\r\n", "\n", "\u0000", " ", "\t"})
    void anAccessTokenWithAControlCharacterIsRefusedNamingTheField(String bad) {
        String access = Jwt.access(NOW + DAY);
        host.secret(access);
        writeFile(access + bad, null, null, null);
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.INVALID_CREDENTIALS, "access_token", TARK_PATH);
    }

    @Test
    void aRefreshedAccessTokenWithACrLfIsRefusedButTheTokensAreKept() {
        String fileRefresh = Jwt.opaque("rt");
        writeFile(Jwt.access(NOW - HOUR), fileRefresh, null, null);
        String newRefresh = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY) + "\r\n", newRefresh, null, -1));
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.INVALID_CREDENTIALS, "access_token", "refreshed from");
        assertEquals(newRefresh, Fixtures.opened(host.disk().get(TokenVault.KEY), fileRefresh).refreshToken,
                "the old refresh token is spent: the new one is kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {"acct\r\nX-Injected: 1", "acct\n", "acct\u0000", "acct\u0007"})
    void anAccountIdFieldWithAControlCharacterIsLeftOutWithAWarning(String bad) {
        writeFile(Jwt.access(NOW + DAY), null, null, bad);
        JsonObject headers = headers(Reply.of(provider, Provider::credentials));
        assertNull(headers.get("ChatGPT-Account-Id"));
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("account_id"), warnings.get(0));
        assertFalse(warnings.get(0).contains(bad), "the bad value is not repeated");
        assertTrue(host.errors().isEmpty());
        answer(Reply.of(provider, Provider::credentials));
        assertEquals(1, host.messages("warn").size(), "warned once for these credentials");
    }

    @Test
    void aJwtClaimWithAControlCharacterGivesWayToTheNextValidCandidate() {
        String id = Jwt.withAccount(NOW + DAY, "acct\r\nX-Injected: 1");
        writeFile(Jwt.access(NOW + DAY), null, id, "acct-file");
        assertEquals("acct-file", headers(Reply.of(provider, Provider::credentials)).getString("ChatGPT-Account-Id", null));
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("id_token"), warnings.get(0));
    }

    @Test
    void aNulInTheAccessTokensClaimWithNoOtherCandidateLeavesTheHeaderOut() {
        writeFile(Jwt.withAccount(NOW + DAY, "acct\u0000"), null, null, null);
        assertNull(headers(Reply.of(provider, Provider::credentials)).get("ChatGPT-Account-Id"));
        assertTrue(host.messages("warn").get(0).contains("access_token"), host.messages("warn").toString());
    }

    // ---- unreadable or dense documents ----

    @Test
    void aFileTarkCannotReadSaysWhatMayBeWrongAndHowToFixIt() {
        host.fileFailures.put(TARK_PATH, HostValue.absent()); // what tark's fs.read -3 becomes
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.NOT_AUTHENTICATED, "missing, unreadable, or not UTF-8",
                TARK_PATH, "tark auth chatgpt-oauth", "UTF-8 JSON");
    }

    @Test
    void fallingBackToTheCodexCliIsLoggedAsInfo() {
        host.fileFailures.put(TARK_PATH, HostValue.absent());
        String access = Jwt.access(NOW + DAY);
        host.file(CODEX_PATH, Fixtures.codexFile(access, Jwt.opaque("rt"), null, null));
        assertEquals(access, answer(Reply.of(provider, Provider::credentials)).getString("access_token", null));
        List<String> info = host.messages("info");
        assertEquals(1, info.size(), info.toString());
        assertTrue(info.get(0).contains("Codex CLI") && info.get(0).contains("not UTF-8"), info.get(0));
    }

    @Test
    void aDenseCredentialsFileIsInvalidNotATrap() {
        host.files.put(TARK_PATH, "{\"access_token\":\"" + Jwt.opaque("at") + "\",\"x\":" + denseArray(350_000) + "}");
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.INVALID_CREDENTIALS, TARK_PATH);
    }

    @Test
    void aDenseStorageEntryIsIgnored() {
        String access = Jwt.access(NOW + DAY);
        writeFile(access, Jwt.opaque("rt"), null, null);
        host.disk().put(TokenVault.KEY, "{\"lineage\":\"x\",\"sealed\":" + denseArray(30_000) + "}");
        assertEquals(access, answer(Reply.of(new Provider(host.session()), Provider::credentials)).getString("access_token", null));
    }

    @Test
    void aDenseStorageFileOnDiskIsIgnoredWhenLookingForAnotherSessionsTokens() {
        String refresh = Jwt.opaque("rt");
        writeFile(Jwt.access(NOW - HOUR), refresh, null, null);
        host.disk().replaceText("{\"tokens\":\"x\",\"pad\":" + denseArray(30_000) + "}");
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        assertEquals(newAccess, answer(Reply.of(new Provider(host.session()), Provider::credentials)).getString("access_token", null));
        assertEquals(refresh, host.requests().get(0).presentedRefreshToken());
    }

    @Test
    void aDenseLoginReplyIsBadInput() {
        String reply = "{\"access_token\":\"" + Jwt.opaque("at") + "\",\"x\":" + denseArray(25_000) + "}";
        host.rememberSecretsIn(reply);
        failedOnce(Reply.of(provider, p -> p.processTokens(reply)), AuthFailure.BAD_INPUT, "tark auth chatgpt-oauth");
    }

    @Test
    void aTransportErrorDuringRefreshIsRetryable() {
        writeFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null);
        host.reply(HttpReply.transportError("the host is not in the plugin's http capability"));
        failedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_FAILED, "auth.openai.com", "plugin.toml");
    }
}
