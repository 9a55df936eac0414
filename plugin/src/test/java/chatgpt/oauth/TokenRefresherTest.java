package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.HttpReply;

class TokenRefresherTest extends HostTest {
    private static final long OLD_EXP = Jwt.NOW_SECONDS - 60;
    private static final long NEW_EXP = Jwt.NOW_SECONDS + 10 * Fixtures.DAY;

    private final TokenRefresher refresher = new TokenRefresher(host, new CodexClient(host));
    private final String oldAccess = Jwt.access(OLD_EXP);
    private final String oldId = Jwt.withAccount(OLD_EXP, "acct-old");
    private final String oldRefresh = Jwt.opaque("rt");
    private final Credentials current = new Credentials(oldAccess, oldRefresh, oldId, "acct-stored", OLD_EXP * 1000);

    @Test
    void postsTheExactRefreshRequest() throws AuthFailure {
        String newAccess = Jwt.access(NEW_EXP);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), Jwt.access(NEW_EXP), -1));
        refresher.refresh(current, null);

        assertEquals(1, host.requests().size());
        FakeHost.Request request = host.requests().get(0);
        assertEquals("POST", request.method);
        assertEquals("https://auth.openai.com/oauth/token", request.url);
        CodexClient identity = new CodexClient(host);
        assertEquals(Map.of("Content-Type", "application/json", "Accept", "application/json",
                "originator", "codex_cli_rs", "User-Agent", identity.userAgent()), request.headers);
        JsonObject body = request.jsonBody();
        assertEquals(4, body.size(), body.toString());
        assertEquals("app_EMoamEEZ73f0CkXaXp7hrann", body.getString("client_id", null));
        assertEquals("refresh_token", body.getString("grant_type", null));
        assertEquals(oldRefresh, body.getString("refresh_token", null));
        assertEquals("openid profile email", body.getString("scope", null));
    }

    @Test
    void takesEveryNewToken() throws AuthFailure {
        String newAccess = Jwt.access(NEW_EXP);
        String newRefresh = Jwt.opaque("rt");
        String newId = Jwt.withAccount(NEW_EXP, "acct-new");
        host.reply(200, Fixtures.tokenReply(newAccess, newRefresh, newId, 3600));
        Credentials fresh = refresher.refresh(current, null);
        assertEquals(newAccess, fresh.accessToken);
        assertEquals(newRefresh, fresh.refreshToken);
        assertEquals(newId, fresh.idToken);
        assertEquals("acct-stored", fresh.storedAccountId);
        assertEquals(Jwt.NOW_MILLIS + 3_600_000, fresh.expiresAtMillis, "expires_in counts from now");
        assertEquals("acct-new", fresh.accountId().value);
    }

    @Test
    void keepsTheOldRefreshAndIdTokensWhenNoneAreSent() throws AuthFailure {
        String newAccess = Jwt.access(NEW_EXP);
        host.reply(200, Fixtures.tokenReply(newAccess, null, null, -1));
        Credentials fresh = refresher.refresh(current, null);
        assertEquals(newAccess, fresh.accessToken);
        assertEquals(oldRefresh, fresh.refreshToken);
        assertEquals(oldId, fresh.idToken);
        assertEquals(NEW_EXP * 1000, fresh.expiresAtMillis, "without expires_in, the new token's exp");
    }

    @Test
    void emptyNewTokensCountAsAbsent() throws AuthFailure {
        host.reply(200, "{\"access_token\":\"" + Jwt.access(NEW_EXP) + "\",\"refresh_token\":\"\",\"id_token\":\"\"}");
        Credentials fresh = refresher.refresh(current, null);
        assertEquals(oldRefresh, fresh.refreshToken);
        assertEquals(oldId, fresh.idToken);
    }

    @Test
    void opaqueNewTokenWithoutExpiresInHasUnknownExpiry() throws AuthFailure {
        host.reply(200, Fixtures.tokenReply(Jwt.opaque("at"), null, null, -1));
        assertEquals(Expiry.UNKNOWN, refresher.refresh(current, null).expiresAtMillis);
    }

    @Test
    void expiresInWinsOverTheJwtExp() throws AuthFailure {
        host.reply(200, Fixtures.tokenReply(Jwt.access(NEW_EXP), null, null, 7200));
        assertEquals(Jwt.NOW_MILLIS + 7_200_000, refresher.refresh(current, null).expiresAtMillis);
    }

    @Test
    void expiresInOfTheReply() {
        String opaque = Jwt.opaque("at");
        assertEquals(Jwt.NOW_MILLIS + 864_000_000L, expiresAt("{\"access_token\":\"" + opaque + "\",\"expires_in\":864000}"));
        assertEquals(Jwt.NOW_MILLIS + 60_000, expiresAt("{\"access_token\":\"" + opaque + "\",\"expires_in\":\"60\"}"),
                "a numeric string counts");
        assertEquals(Jwt.NOW_MILLIS + 90_000, expiresAt("{\"access_token\":\"" + opaque + "\",\"expires_in\":90.9}"));
        String jwt = Jwt.access(NEW_EXP);
        for (String bad : new String[] {"0", "-5", "\"soon\"", "2000000000", "null", "[60]"}) {
            assertEquals(NEW_EXP * 1000, expiresAt("{\"access_token\":\"" + jwt + "\",\"expires_in\":" + bad + "}"), bad);
            assertEquals(Expiry.UNKNOWN, expiresAt("{\"access_token\":\"" + opaque + "\",\"expires_in\":" + bad + "}"),
                    bad);
        }
    }

    private long expiresAt(String reply) {
        host.rememberSecretsIn(reply);
        return TokenRefresher.fromReply(reply, current, Jwt.NOW_MILLIS).expiresAtMillis;
    }

    @Test
    void aLoginReplyHasNoPreviousTokensToKeep() {
        Credentials login = TokenRefresher.fromReply(Fixtures.tokenReply(Jwt.opaque("at"), null, null, -1), null,
                Jwt.NOW_MILLIS);
        assertNull(login.refreshToken);
        assertNull(login.idToken);
        assertNull(login.storedAccountId);
        assertNull(TokenRefresher.fromReply("{\"refresh_token\":\"x\"}", null, Jwt.NOW_MILLIS));
        assertNull(TokenRefresher.fromReply("not json", null, Jwt.NOW_MILLIS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"refresh_token_reused", "refresh_token_expired", "refresh_token_invalidated", "invalid_grant"})
    void fourHundredIsRejectedWithTheOAuthCode(String code) {
        host.reply(400, "{\"error\":\"" + code + "\",\"error_description\":\"Your refresh token has already been used\"}");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_REJECTED, failure.code());
        assertTrue(failure.getMessage().contains(code), failure.getMessage());
        assertTrue(failure.getMessage().contains("400"), failure.getMessage());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"), failure.getMessage());
        assertTrue(failure.getMessage().contains("retry"), "another session may have spent it: " + failure.getMessage());
    }

    @Test
    void openAiStyleErrorObjectGivesItsCode() {
        host.reply(401, "{\"error\":{\"message\":\"Could not validate your refresh token.\",\"type\":"
                + "\"invalid_request_error\",\"param\":null,\"code\":\"refresh_token_expired\"}}");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_REJECTED, failure.code());
        assertTrue(failure.getMessage().contains("refresh_token_expired"), failure.getMessage());
        assertTrue(failure.getMessage().contains("401"), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 409, 499, 500, 503})
    void aDeadLoginCodeIsPermanentWhateverTheStatus(int status) {
        host.reply(status, "{\"error\":{\"message\":\"gone\",\"code\":\"refresh_token_invalidated\"}}");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_REJECTED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
    }

    @Test
    void aTopLevelCodeCountsAsTheCodexCliReadsIt() {
        host.reply(400, "{\"code\":\"refresh_token_reused\"}");
        assertEquals(AuthFailure.REFRESH_REJECTED,
                assertThrows(AuthFailure.class, () -> refresher.refresh(current, null)).code());
    }

    @Test
    void a401IsPermanentWhateverItsBody() {
        host.reply(401, "<html>nope</html>");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_REJECTED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
    }

    /** A proxy's, a CDN's or a captive portal's page: the refresh token is still good. */
    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 407, 409, 413, 499, 302})
    void anotherAnswerWithoutADeadLoginCodeIsTransientAndNamesTheProxy(int status) {
        host.reply(status, "<html><head><title>Just a moment...</title></head></html>");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
        assertTrue(failure.getMessage().contains("proxy"), failure.getMessage());
        assertTrue(failure.getMessage().contains("kept"), failure.getMessage());
        assertTrue(failure.getMessage().contains("HTTP " + status), failure.getMessage());
        assertFalse(failure.getMessage().contains("tark auth chatgpt-oauth"), "not a reason to log in again");
        assertFalse(failure.getMessage().contains("<html"), "a page is never quoted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid_request", "unsupported_grant_type", "invalid_client"})
    void anotherOAuthCodeIsTransientInTheEndpointsWords(String code) {
        host.reply(400, "{\"error\":\"" + code + "\"}");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
        assertTrue(failure.getMessage().contains(code), failure.getMessage());
        assertFalse(failure.getMessage().contains("proxy"), "the endpoint itself answered: " + failure.getMessage());
    }

    /** The four refusal messages word for word, as README.md's table and the logs quote them. */
    @Test
    void eachRefusalReadsWordForWord() {
        String[][] cases = {
            {"400", "{\"error\":\"invalid_grant\"}", "ChatGPT refused to refresh the login (HTTP 400, invalid_grant)."
                    + " If another tark session has just refreshed the same login, simply retry; otherwise run"
                    + " `tark auth chatgpt-oauth` to log in again."},
            {"503", "", "ChatGPT's token endpoint (or a proxy on the way) is unavailable for now (HTTP 503); the"
                    + " login is kept. Try again in a moment; if it persists, check the network and any HTTP(S)_PROXY."},
            {"400", "{\"error\":\"invalid_client\"}", "ChatGPT's token endpoint did not refresh the login (HTTP 400,"
                    + " invalid_client), without saying the login is over; it is kept. Try again later; if it persists,"
                    + " run `tark auth chatgpt-oauth`."},
            {"403", "<html></html>", "The ChatGPT token refresh was answered with HTTP 403 and no answer of ChatGPT's"
                    + " token endpoint: most likely a proxy, firewall or CDN check between tark and auth.openai.com"
                    + " (an HTTP(S)_PROXY setting, a captive portal). The login is kept; check the network or proxy,"
                    + " then try again."},
        };
        for (String[] refusal : cases) {
            host.reply(Integer.parseInt(refusal[0]), refusal[1]);
            assertEquals(refusal[2], assertThrows(AuthFailure.class, () -> refresher.refresh(current, null))
                    .getMessage());
        }
    }

    @Test
    void everyRequestCarriesTheCodexIdentity() throws AuthFailure {
        host.reply(200, Fixtures.tokenReply(Jwt.access(NEW_EXP), Jwt.opaque("rt"), null, -1));
        refresher.refresh(current, null);
        host.reply(200, "{}");
        refresher.revoke(current, null);
        CodexClient identity = new CodexClient(host);
        for (FakeHost.Request request : host.requests()) {
            assertEquals("codex_cli_rs", request.headers.get("originator"), request.url);
            assertEquals(identity.userAgent(), request.headers.get("User-Agent"), request.url);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504, 599})
    void timeoutsRateLimitsAndServerErrorsAreRetryable(int status) {
        host.reply(status, "{\"error\":\"slow_down\"}");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
        assertTrue(failure.getMessage().contains(String.valueOf(status)), failure.getMessage());
        assertTrue(failure.getMessage().contains("slow_down"), failure.getMessage());
        assertTrue(failure.getMessage().contains("kept"), failure.getMessage());
        assertFalse(failure.getMessage().contains("tark auth chatgpt-oauth"), "not a reason to log in again");
        assertTrue(TokenRefresher.isRetryable(status));
    }

    @Test
    void errorBodyTextIsNeverRepeated() {
        String echoed = Jwt.opaque("echo");
        host.reply(400, "{\"error\":\"bad token " + echoed + "\",\"error_description\":\"" + echoed + "\"}");
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertFalse(failure.getMessage().contains(echoed.substring(0, 12)), failure.getMessage());
        assertFalse(failure.getMessage().contains(oldRefresh.substring(0, 12)), failure.getMessage());
    }

    @Test
    void transportErrorIsARefreshFailure() {
        host.reply(HttpReply.transportError("dns error: failed to lookup address information"));
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
        assertTrue(failure.getMessage().contains("dns error"), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{}", "{\"access_token\":\"\"}", "{\"access_token\":5}",
            "{\"refresh_token\":\"rt_only\"}"})
    void successWithoutAnAccessTokenIsARefreshFailure(String body) {
        host.reply(200, body);
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
    }

    @Test
    void redirectIsARefreshFailure() {
        host.reply(302, "");
        assertFalse(TokenRefresher.isDeadLogin(302, null));
        assertEquals(AuthFailure.REFRESH_FAILED,
                assertThrows(AuthFailure.class, () -> refresher.refresh(current, null)).code());
    }

    @Test
    void aDenseReplyOverTheValueBudgetIsRefusedCleanly() {
        StringBuilder body = new StringBuilder("{\"access_token\":\"" + Jwt.access(NEW_EXP) + "\",\"extra\":[");
        for (int i = 0; i < 25_000; i++) {
            body.append(i == 0 ? "" : ",").append(i);
        }
        host.reply(200, body.append("]}").toString());
        AuthFailure failure = assertThrows(AuthFailure.class, () -> refresher.refresh(current, null));
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
    }

    @Test
    void revokesTheRefreshTokenAsTheCodexCliDoes() {
        host.reply(200, "{}");
        assertNull(refresher.revoke(current, null));
        FakeHost.Request request = host.requests().get(0);
        assertEquals("POST", request.method);
        assertEquals("https://auth.openai.com/oauth/revoke", request.url);
        assertEquals(TokenRefresher.REVOKE_URL, request.url);
        assertEquals("application/json", request.headers.get("Content-Type"));
        JsonObject body = request.jsonBody();
        assertEquals(3, body.size(), body.toString());
        assertEquals(oldRefresh, body.getString("token", null));
        assertEquals("refresh_token", body.getString("token_type_hint", null));
        assertEquals(TokenRefresher.CLIENT_ID, body.getString("client_id", null));
    }

    @Test
    void aFailedRevocationSaysWhyWithoutTheBody() {
        host.reply(500, "{\"error\":\"server_error\",\"error_description\":\"" + oldRefresh + "\"}");
        String failure = refresher.revoke(current, null);
        assertEquals("HTTP 500, server_error", failure);
        host.reply(HttpReply.transportError("connection reset"));
        assertEquals("connection reset", refresher.revoke(current, null));
    }
}
