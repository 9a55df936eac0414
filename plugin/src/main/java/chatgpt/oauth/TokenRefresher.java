package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import tark.host.Host;
import tark.host.HttpReply;
import tark.host.JsonInput;

/** Trades a refresh token for new tokens at ChatGPT's OAuth token endpoint. */
final class TokenRefresher {
    static final String TOKEN_URL = "https://auth.openai.com/oauth/token";
    static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
    private static final String SCOPE = "openid profile email";
    private static final String[] HEADERS = {"Content-Type", "application/json", "Accept", "application/json"};

    private final Host host;

    TokenRefresher(Host host) {
        this.host = host;
    }

    /**
     * The successor of {@code current}. The endpoint may omit a new refresh token or id token: the old
     * ones stay then. The caller must persist the result before using it, because a successful
     * refresh has retired the old refresh token.
     */
    Credentials refresh(Credentials current) throws AuthFailure {
        String body = new JsonObject()
                .add("client_id", CLIENT_ID)
                .add("grant_type", "refresh_token")
                .add("refresh_token", current.refreshToken)
                .add("scope", SCOPE)
                .toString();
        HttpReply reply = host.httpPost(TOKEN_URL, HEADERS, body);
        if (reply.isTransportError()) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "Could not refresh the ChatGPT token: "
                    + reply.error() + ". Check the network connection and that plugin.toml allows http to "
                    + "auth.openai.com, then try again.");
        }
        if (reply.status() >= 400 && reply.status() < 500) {
            throw new AuthFailure(AuthFailure.REFRESH_REJECTED, "ChatGPT refused to refresh the login (HTTP "
                    + reply.status() + errorCode(reply.body()) + "). Run `tark auth chatgpt-oauth` to log in again"
                    + " (if another tark session has just refreshed the same login, simply retry).");
        }
        JsonObject json = reply.isSuccess() ? JsonInput.parseObject(reply.body()) : null;
        String accessToken = json == null ? null : Credentials.string(json, "access_token");
        if (accessToken == null) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "ChatGPT's token endpoint answered HTTP "
                    + reply.status() + " without a usable access token. Try again later; if it persists, run "
                    + "`tark auth chatgpt-oauth`.");
        }
        String refreshToken = Credentials.string(json, "refresh_token");
        String idToken = Credentials.string(json, "id_token");
        return new Credentials(accessToken,
                refreshToken != null ? refreshToken : current.refreshToken,
                idToken != null ? idToken : current.idToken,
                current.storedAccountId,
                expiresAt(json, accessToken, host.currentTimeMillis()));
    }

    /** From {@code expires_in} (seconds from now) if given, else the access token's {@code exp}. */
    static long expiresAt(JsonObject reply, String accessToken, long nowMillis) {
        long expiresIn = JsonInput.wholeNumber(reply.get("expires_in"), -1);
        if (expiresIn > 0 && expiresIn < 1_000_000_000L) {
            return nowMillis + expiresIn * 1000;
        }
        return TokenClaims.expiryMillis(accessToken);
    }

    /**
     * The OAuth error code ({@code refresh_token_reused}, {@code invalid_grant}, ...) as ", code", when
     * the body carries a plain one; other body text is never repeated, it could echo a token.
     */
    static String errorCode(String body) {
        JsonObject json = JsonInput.parseObject(body);
        JsonValue error = json == null ? null : json.get("error");
        if (error != null && error.isObject()) {
            error = error.asObject().get("code");
        }
        if (error == null || !error.isString()) {
            return "";
        }
        String code = error.asString();
        if (code.isEmpty() || code.length() > 64) {
            return "";
        }
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
                    || c == '.')) {
                return "";
            }
        }
        return ", " + code;
    }
}
