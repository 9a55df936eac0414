package chatgpt.oauth;

import tark.host.Decimal;
import tark.host.Host;
import tark.host.HttpReply;
import tark.host.JsonInput;
import tark.host.JsonOutput;

/** Talks to ChatGPT's OAuth endpoints: trades a refresh token for new tokens, and revokes one. */
final class TokenRefresher {
    static final String TOKEN_URL = Endpoints.TOKEN;
    static final String REVOKE_URL = Endpoints.REVOKE;
    static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
    private static final String SCOPE = "openid profile email";

    private final Host host;
    private final CodexClient client;

    TokenRefresher(Host host, CodexClient client) {
        this.host = host;
        this.client = client;
    }

    /**
     * The successor of {@code current} ({@code alsoHeld}: other tokens this call holds, kept out of the
     * log like {@code current}'s; may be null). The endpoint may omit a new refresh token or id token: the old
     * ones stay then. The caller must persist the result before anything else, because a successful
     * refresh has retired the old refresh token.
     */
    Credentials refresh(Credentials current, Credentials alsoHeld) throws AuthFailure {
        String body = new JsonOutput()
                .add("client_id", CLIENT_ID)
                .add("grant_type", "refresh_token")
                .add("refresh_token", current.refreshToken)
                .add("scope", SCOPE)
                .toString();
        HttpReply reply = host.httpPost(TOKEN_URL, jsonHeaders(), body);
        if (reply.isTransportError()) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "Could not refresh the ChatGPT token: "
                    + reply.error() + ". Check the network connection and that plugin.toml allows http to "
                    + "auth.openai.com, then try again.");
        }
        if (!reply.isSuccess()) {
            throw refusal(reply, current, alsoHeld);
        }
        Credentials fresh = fromReply(reply.body(), current, host.currentTimeMillis());
        if (fresh == null) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "ChatGPT's token endpoint answered ("
                    + status(reply, current, alsoHeld) + ") without a usable access token. Try again later; if it"
                    + " persists, run `tark auth chatgpt-oauth`.");
        }
        return fresh;
    }

    /**
     * Revokes a refresh token, as the Codex CLI does on logout (RFC 7009). Best effort: returns a reason
     * when it failed, null when the endpoint confirmed it.
     */
    String revoke(Credentials credentials, Credentials alsoHeld) {
        String body = new JsonOutput()
                .add("token", credentials.refreshToken)
                .add("token_type_hint", "refresh_token")
                .add("client_id", CLIENT_ID)
                .toString();
        HttpReply reply = host.httpPost(REVOKE_URL, jsonHeaders(), body);
        if (reply.isTransportError()) {
            return reply.error();
        }
        return reply.isSuccess() ? null : status(reply, credentials, alsoHeld);
    }

    /**
     * Why the endpoint did not refresh: a dead login (log in again), or, as the Codex CLI reads every other
     * answer, a failure for now that leaves the refresh token good for a later try.
     */
    private static AuthFailure refusal(HttpReply reply, Credentials current, Credentials alsoHeld) {
        String http = status(reply, current, alsoHeld);
        String code = ServerCode.of(reply.body());
        // Each message is the words before and after the status, joined once: each concatenation costs code.
        boolean deadLogin = isDeadLogin(reply.status(), code);
        String before;
        String after;
        if (deadLogin) {
            before = "ChatGPT refused to refresh the login (";
            after = "). If another tark session has just refreshed the same login, simply retry; otherwise run"
                    + " `tark auth chatgpt-oauth` to log in again.";
        } else if (isRetryable(reply.status())) {
            before = "ChatGPT's token endpoint (or a proxy on the way) is unavailable for now (";
            after = "); the login is kept. Try again in a moment; if it persists, check the network and any"
                    + " HTTP(S)_PROXY.";
        } else if (code != null) {
            before = "ChatGPT's token endpoint did not refresh the login (";
            after = "), without saying the login is over; it is kept. Try again later; if it persists, run"
                    + " `tark auth chatgpt-oauth`.";
        } else {
            before = "The ChatGPT token refresh was answered with ";
            after = " and no answer of ChatGPT's token endpoint: most likely a proxy, firewall or CDN check between"
                    + " tark and auth.openai.com (an HTTP(S)_PROXY setting, a captive portal). The login is kept;"
                    + " check the network or proxy, then try again.";
        }
        return new AuthFailure(deadLogin ? AuthFailure.REFRESH_REJECTED : AuthFailure.REFRESH_FAILED,
                before + http + after);
    }

    /** {@code HTTP 400, invalid_grant}: the status, and the OAuth code where it may be quoted. */
    private static String status(HttpReply reply, Credentials sent, Credentials alsoHeld) {
        return "HTTP " + Decimal.of(reply.status()) + ServerCode.quoted(reply.body(), sent, alsoHeld);
    }

    /**
     * Whether the endpoint said the refresh token is dead, as the Codex CLI reads it: a 401, or one of
     * its OAuth error codes in any status. Anything else (a proxy's or CDN's 403 page, a 404, 407 or
     * 413, any 5xx, a body that is not JSON) leaves the refresh token good for a later try.
     */
    static boolean isDeadLogin(int status, String code) {
        // The OAuth codes the Codex CLI takes as a dead login (codex-rs/login, the auth manager).
        return status == 401 || code != null && (code.equals("invalid_grant") || code.equals("refresh_token_expired")
                || code.equals("refresh_token_reused") || code.equals("refresh_token_invalidated"));
    }

    /** Timeouts, rate limits and server errors pass; the refresh token stays good for a later try. */
    static boolean isRetryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    /**
     * Made per request, as every table in this plugin: a static one needs a class initializer, which
     * wasm checks before each call into the class.
     */
    private String[] jsonHeaders() {
        return new String[] {"Content-Type", "application/json", "Accept", "application/json",
                "originator", client.originator(), "User-Agent", client.userAgent()};
    }

    /**
     * A token reply (the refresh's, or the login's that tark hands {@code auth_process_tokens}) as
     * credentials descending from {@code previous} (whose refresh and id tokens stay when the reply
     * omits new ones; null for a login); null without a usable access token.
     */
    static Credentials fromReply(String replyBody, Credentials previous, long nowMillis) {
        // What Credentials needs, with expires_in for the expiry.
        JsonInput reply = JsonInput.read(replyBody,
                new String[] {"access_token", "refresh_token", "id_token", "expires_in"});
        String accessToken = reply == null ? null : reply.string("access_token");
        String refreshToken = reply == null ? null : reply.string("refresh_token");
        String idToken = reply == null ? null : Credentials.keptIdToken(reply.string("id_token"));
        if (accessToken == null || !Credentials.withinLimit(accessToken, refreshToken)) {
            return null;
        }
        long expiresIn = reply.wholeNumber("expires_in", -1);
        long expiresAt = expiresIn > 0 && expiresIn < 1_000_000_000L ? nowMillis + expiresIn * 1000
                : TokenClaims.of(accessToken).expiresAtMillis;
        return new Credentials(accessToken,
                refreshToken != null || previous == null ? refreshToken : previous.refreshToken,
                idToken != null || previous == null ? idToken : previous.idToken,
                previous == null ? null : previous.storedAccountId,
                expiresAt);
    }
}
