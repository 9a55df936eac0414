package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.CODEX_PATH;
import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.HttpReply;

class ProviderTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    /** The Codex client's headers, on every answer. */
    private static final Set<String> IDENTITY = Set.of("originator", "version", "User-Agent", "session-id");

    private Provider provider;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
        provider = new Provider(host);
    }

    private static Set<String> names(JsonObject json) {
        return new TreeSet<>(json.names());
    }

    /** Parses a credentials answer as tark's serde would, and checks its shape. */
    private JsonObject parseCredentials(Reply reply) {
        assertFalse(reply.isFailure(), "failed with " + reply.code + ": " + host.errors());
        assertEquals(0, reply.code);
        JsonObject json = Json.parse(reply.text).asObject();
        assertEquals(Set.of("access_token", "api_mode", "endpoint", "custom_headers"), names(json));
        assertEquals("openai_compat", json.getString("api_mode", null));
        assertEquals("https://chatgpt.com/backend-api/codex/responses", json.getString("endpoint", null));
        JsonObject headers = json.get("custom_headers").asObject();
        for (JsonObject.Member header : headers) {
            assertTrue(header.getValue().isString(), "custom_headers must map strings to strings: " + header.getName());
            assertFalse(header.getValue().asString().isEmpty(), "never an empty header: " + header.getName());
        }
        assertEquals("codex_cli_rs", headers.getString("originator", null));
        assertEquals(CodexClient.VERSION, headers.getString("version", null));
        assertEquals("codex_cli_rs/" + CodexClient.VERSION + " (tark; wasm32) chatgpt-oauth/" + Release.VERSION,
                headers.getString("User-Agent", null));
        return json;
    }

    private void assertFailedOnce(Reply reply, int code, String... mentions) {
        assertTrue(reply.isFailure());
        assertNull(reply.text);
        assertEquals(code, reply.code);
        assertTrue(code < 0);
        List<String> errors = host.errors();
        assertEquals(1, errors.size(), errors.toString());
        for (String mention : mentions) {
            assertTrue(errors.get(0).contains(mention), "\"" + mention + "\" not in: " + errors.get(0));
        }
    }

    // ---- provider_auth_credentials ----

    @Test
    void credentialsWithTheAccountHeader() {
        String access = Jwt.withAccount(NOW + DAY, "acct-1234");
        host.file(TARK_PATH, Fixtures.tarkFile(access, Jwt.opaque("rt"), null, null, null));
        JsonObject json = parseCredentials(Reply.of(provider, Provider::credentials));
        assertEquals(access, json.getString("access_token", null));
        JsonObject headers = json.get("custom_headers").asObject();
        assertEquals(Set.of("originator", "version", "User-Agent", "session-id", "ChatGPT-Account-Id"), names(headers));
        assertEquals("acct-1234", headers.getString("ChatGPT-Account-Id", null));
        assertTrue(host.errors().isEmpty());
    }

    @Test
    void noAccountIdMeansNoAccountHeaderAtAll() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), null, Jwt.access(NOW + DAY), null, null));
        JsonObject json = parseCredentials(Reply.of(provider, Provider::credentials));
        JsonObject headers = json.get("custom_headers").asObject();
        assertEquals(IDENTITY, names(headers));
        assertNull(headers.get("ChatGPT-Account-Id"));
        assertFalse(json.toString().contains("ChatGPT-Account-Id"));
    }

    @Test
    void emptyStoredAccountIdGivesNoHeader() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.opaque("at"), null, null, null, ""));
        JsonObject headers = parseCredentials(Reply.of(provider, Provider::credentials)).get("custom_headers").asObject();
        assertEquals(IDENTITY, names(headers));
    }

    @Test
    void storedAccountIdIsUsedWhenNoTokenHasOne() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.opaque("at"), null, null, null, "acct-stored"));
        JsonObject headers = parseCredentials(Reply.of(provider, Provider::credentials)).get("custom_headers").asObject();
        assertEquals("acct-stored", headers.getString("ChatGPT-Account-Id", null));
    }

    @Test
    void accountIdWithAControlCharacterIsLeftOutWithAWarning() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.withAccount(NOW + DAY, "équipe\r\nX-Injected: 1"), null, null, null, null));
        JsonObject headers = parseCredentials(Reply.of(provider, Provider::credentials)).get("custom_headers").asObject();
        assertEquals(IDENTITY, names(headers));
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("access_token"), warnings.get(0));
        assertTrue(host.errors().isEmpty());
    }

    @Test
    void expiredCredentialsAreRefreshedFirst() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"),
                Jwt.withAccount(NOW - HOUR, "acct-r"), null, null));
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        JsonObject json = parseCredentials(Reply.of(provider, Provider::credentials));
        assertEquals(newAccess, json.getString("access_token", null));
        assertEquals("acct-r", json.get("custom_headers").asObject().getString("ChatGPT-Account-Id", null));
        assertEquals(1, host.logs("info").size(), "one info line says it refreshed");
        assertTrue(host.errors().isEmpty());

        // The next provider init (a fresh instance) answers the same with no second refresh.
        JsonObject next = parseCredentials(Reply.of(new Provider(host.session()), Provider::credentials));
        assertEquals(newAccess, next.getString("access_token", null));
        assertEquals(1, host.requests().size());
    }

    @Test
    void codexCliLoginIsHandedOver() {
        String access = Jwt.withAccount(NOW + DAY, "acct-codex");
        host.file(CODEX_PATH, Fixtures.codexFile(access, Jwt.opaque("rt"), null, null));
        JsonObject json = parseCredentials(Reply.of(provider, Provider::credentials));
        assertEquals(access, json.getString("access_token", null));
        assertEquals("acct-codex", json.get("custom_headers").asObject().getString("ChatGPT-Account-Id", null));
    }

    // ---- failures: negative return and exactly one error line naming the fix ----

    @Test
    void noCredentialsFails() {
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.NOT_AUTHENTICATED, "tark auth chatgpt-oauth");
    }

    @Test
    void malformedFileFails() {
        host.files.put(TARK_PATH, "{\"access_token\":");
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.INVALID_CREDENTIALS, TARK_PATH, "tark auth chatgpt-oauth");
    }

    @Test
    void deniedFileFails() {
        host.deniedPaths.add(TARK_PATH);
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.NOT_ALLOWED, "fs_read", "plugin.toml");
    }

    @Test
    void rejectedRefreshFailsWithTheOAuthCodeAndTheLoginHint() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
        host.reply(400, "{\"error\":\"refresh_token_reused\",\"error_description\":\"already used\"}");
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_REJECTED, "refresh_token_reused",
                "tark auth chatgpt-oauth");

        assertFalse(host.disk().get(TokenVault.KEY).contains("sealed"), "a refusal writes only its mark");
    }

    @Test
    void serverErrorFails() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
        host.reply(500, "oops");
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_FAILED, "500");
    }

    @Test
    void transportErrorFails() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
        host.reply(HttpReply.transportError("connection refused"));
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.REFRESH_FAILED, "connection refused", "auth.openai.com");
    }

    @Test
    void expiredCodexLoginFailsNamingCodex() {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null));
        assertFailedOnce(Reply.of(provider, Provider::credentials), AuthFailure.EXPIRED, "`codex`", "tark auth chatgpt-oauth", CODEX_PATH);
        assertTrue(host.requests().isEmpty());
    }

    // ---- provider_auth_refresh ----

    @Test
    void refreshHookRefreshesAValidTokenAndPersists() {
        String refresh = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), refresh, null, null, "acct-x"));
        String newAccess = Jwt.access(NOW + 2 * DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        JsonObject json = parseCredentials(Reply.of(provider, Provider::refresh));
        assertEquals(newAccess, json.getString("access_token", null));
        assertEquals("acct-x", json.get("custom_headers").asObject().getString("ChatGPT-Account-Id", null));
        assertEquals(refresh, host.requests().get(0).jsonBody().getString("refresh_token", null));
        assertEquals(newAccess, parseCredentials(Reply.of(new Provider(host.session()), Provider::credentials)).getString("access_token", null));
        assertEquals(1, host.requests().size());
    }

    @Test
    void refreshHookFailureIsLoggedOnce() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, null));
        host.reply(401, "{\"error\":{\"code\":\"refresh_token_invalidated\"}}");
        assertFailedOnce(Reply.of(provider, Provider::refresh), AuthFailure.REFRESH_REJECTED, "refresh_token_invalidated",
                "tark auth chatgpt-oauth");
    }

    // ---- refreshed tokens are saved before anything else happens ----

    /** An access token whose credentials answer is larger than tark's buffer (yet within the token limit). */
    private static String oversizedAccessToken() {
        String token = Jwt.token(Jwt.claims(NOW + DAY).add("pad", Jwt.randomText(Reply.TARK_BUFFER)));
        assertTrue(token.length() > Reply.TARK_BUFFER && token.length() < Credentials.MAX_TOKEN);
        return token;
    }

    /**
     * Whatever ends the call after the token endpoint answered (an answer too large for tark's buffer,
     * a returned token already expired or not header-safe, or nothing at all), every log line after the
     * request, the call's own error line included, and the end of the call find the rotated refresh token
     * in storage.json already: the save is the first thing done with the reply. Then the next instance
     * presents the rotated token, not the spent one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"answered", "too large", "expired", "not header-safe"})
    void theRotatedTokensAreInStorageBeforeAnyLineIsLoggedAndBeforeTheCallEnds(String outcome) {
        String root = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
        String access = outcome.equals("too large") ? oversizedAccessToken()
                : outcome.equals("expired") ? Jwt.access(NOW - 60)
                : outcome.equals("not header-safe") ? Jwt.access(NOW + DAY) + "\r\n" : Jwt.access(NOW + DAY);
        String rotated = Jwt.opaque("rt");
        host.secret(access.trim());
        host.reply(200, Fixtures.tokenReply(access, rotated, null, -1));
        FakeHost instance = host.session();
        RotationWatchingHost watched = new RotationWatchingHost(instance, root);
        watched.rotated = rotated;
        Reply reply = Reply.of(new Provider(watched), Provider::credentials);
        assertEquals(!outcome.equals("answered"), reply.isFailure(), "code " + reply.code);
        if (outcome.equals("too large")) {
            assertEquals(AuthFailure.ANSWER_TOO_LARGE, reply.code);
        }
        assertTrue(watched.asked);
        assertEquals(List.of(), watched.before, "logged before the rotated tokens were saved");
        assertTrue(watched.after > 0, "nothing logged after the refresh");
        watched.note("the call's end");
        assertEquals(List.of(), watched.before, "the call ended before the rotated tokens were saved");

        String next = Jwt.access(NOW + 2 * DAY);
        host.reply(200, Fixtures.tokenReply(next, Jwt.opaque("rt"), null, -1));
        Reply again = Reply.of(new Provider(host.session()), Provider::refresh);
        assertFalse(again.isFailure(), "code " + again.code);
        assertEquals(2, host.requests().size());
        assertEquals(rotated, host.requests().get(1).presentedRefreshToken(), "the spent refresh token was presented");
    }

    /** The refresh hook too: its answer does not fit tark's buffer, and the rotated tokens are kept all the same. */
    @Test
    void aRefreshHookAnswerTooLargeStillKeepsTheRotatedTokens() {
        String root = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), root, null, null, null));
        String rotated = Jwt.opaque("rt");
        String access = oversizedAccessToken();
        host.secret(access);
        host.reply(200, Fixtures.tokenReply(access, rotated, null, -1));
        Reply reply = Reply.of(new Provider(host.session()), Provider::refresh);
        assertEquals(AuthFailure.ANSWER_TOO_LARGE, reply.code);
        Credentials stored = Fixtures.opened(host.disk().get(TokenVault.KEY), root);
        assertNotNull(stored, "nothing saved");
        assertEquals(rotated, stored.refreshToken);
        assertNotEquals(root, stored.refreshToken);
    }

    // ---- status ----

    @Test
    void statusCodes() {
        assertEquals(2, provider.status());

        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), null, null, null, null));
        assertEquals(1, provider.status());

        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - DAY), null, null, null, null));
        assertEquals(3, provider.status());
        assertTrue(host.requests().isEmpty());
    }

    // ---- provider_auth_init, logout, auth_process_tokens ----

    @Test
    void initAdoptsCredentials() {
        String access = Jwt.access(NOW + DAY);
        String json = Fixtures.tarkFile(access, Jwt.opaque("rt"), null, null, "acct-i");
        host.rememberSecretsIn(json);
        assertEquals(0, Reply.init(provider, json));
        JsonObject answer = parseCredentials(Reply.of(provider, Provider::credentials));
        assertEquals(access, answer.getString("access_token", null));
        assertEquals("acct-i", answer.get("custom_headers").asObject().getString("ChatGPT-Account-Id", null));
    }

    @Test
    void initRefusesMalformedCredentials() {
        String bad = "{\"refresh_token\":\"" + Jwt.opaque("rt") + "\"}";
        host.rememberSecretsIn(bad);
        int code = Reply.init(provider, bad);
        assertEquals(AuthFailure.INVALID_CREDENTIALS, code);
        assertEquals(1, host.errors().size());
        assertTrue(host.storage.isEmpty());
    }

    @Test
    void logoutClearsStorage() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        parseCredentials(Reply.of(provider, Provider::credentials));
        assertFalse(host.storage.isEmpty());

        host.reply(200, "{}"); // the revocation
        assertEquals(0, provider.logout());
        assertTrue(host.storage.isEmpty());
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        assertTrue(host.errors().isEmpty());
    }

    @Test
    void processTokensAnswersTheCredentialsFile() {
        String access = Jwt.access(NOW + 10 * DAY);
        String refresh = Jwt.opaque("rt");
        String reply = Fixtures.tokenReply(access, refresh, Jwt.withAccount(NOW + HOUR, "acct-p"), 864_000);
        host.rememberSecretsIn(reply);
        Reply answer = Reply.of(provider, p -> p.processTokens(reply));
        assertFalse(answer.isFailure());
        JsonObject file = Json.parse(answer.text).asObject();
        assertEquals(access, file.getString("access_token", null));
        assertEquals(refresh, file.getString("refresh_token", null));
        assertEquals(NOW + 864_000, file.getLong("expires_at", 0));
        assertEquals("acct-p", file.getString("account_id", null));
        assertTrue(answer.text.getBytes(StandardCharsets.UTF_8).length <= 8192);
    }

    @Test
    void processTokensWithoutAnAccessTokenFails() {
        assertFailedOnce(Reply.of(provider, p -> p.processTokens("{\"error\":\"access_denied\"}")), AuthFailure.BAD_INPUT,
                "tark auth chatgpt-oauth");
    }

    // ---- provider_info and provider_models ----

    @Test
    void info() {
        JsonObject info = Json.parse(Provider.INFO).asObject();
        assertEquals(Set.of("id", "display_name", "description", "requires_auth", "provider"), names(info));
        assertEquals("chatgpt-oauth", info.getString("id", null));
        assertEquals("ChatGPT (OAuth)", info.getString("display_name", null));
        assertFalse(info.getString("description", "").isBlank());
        assertTrue(info.get("requires_auth").asBoolean());
        assertEquals("openai", info.getString("provider", null));
        assertTrue(Provider.INFO.getBytes(StandardCharsets.UTF_8).length <= 8192);
        assertEquals("ChatGPT (OAuth)", Provider.DISPLAY_NAME);
        assertEquals("https://chatgpt.com/backend-api/codex/responses", Provider.ENDPOINT);
    }

    @Test
    void models() {
        JsonArray models = Json.parse(Provider.MODELS).asArray();
        List<String> ids = new java.util.ArrayList<>();
        for (JsonValue value : models) {
            JsonObject model = value.asObject();
            assertEquals(Set.of("id", "display_name", "context_window", "supports_streaming", "supports_tools"),
                    names(model));
            ids.add(model.getString("id", null));
            assertFalse(model.getString("display_name", "").isBlank());
            JsonValue window = model.get("context_window");
            assertTrue(window.isNumber() && window.asLong() > 0 && window.asDouble() == window.asLong(),
                    "context_window must be a positive integer");
            assertTrue(model.get("supports_streaming").asBoolean());
            assertTrue(model.get("supports_tools").asBoolean());
        }
        assertEquals(List.of("gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna"),
                ids);
        for (String retired : List.of("gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex", "gpt-5.2", "gpt-5.2-codex",
                "gpt-5.1-codex-max", "gpt-5.1-codex-mini")) {
            assertFalse(ids.contains(retired), "retired for subscriptions: " + retired);
        }
        assertTrue(Provider.MODELS.getBytes(StandardCharsets.UTF_8).length <= 8192);
    }

    @Test
    void credentialsDocumentIsExactlyWhatTarkParses() {
        String access = Jwt.opaque("at");
        host.secret(access);
        CodexClient client = new CodexClient(host);
        String document = Provider.credentialsDocument(new Credentials(access, null, null, "acct-d", Expiry.UNKNOWN),
                client);
        assertEquals("{\"access_token\":\"" + access + "\",\"api_mode\":\"openai_compat\","
                + "\"endpoint\":\"https://chatgpt.com/backend-api/codex/responses\","
                + "\"custom_headers\":{\"originator\":\"codex_cli_rs\",\"version\":\"" + CodexClient.VERSION + "\","
                + "\"User-Agent\":\"codex_cli_rs/" + CodexClient.VERSION + " (tark; wasm32) chatgpt-oauth/" + Release.VERSION
                + "\",\"ChatGPT-Account-Id\":\"acct-d\",\"session-id\":\"" + client.sessionId() + "\"}}", document);
    }
}
