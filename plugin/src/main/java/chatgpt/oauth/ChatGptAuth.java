package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import tark.host.Host;
import tark.host.JsonInput;

/** The plugin's authentication rules: which tokens to hand tark, when to refresh, what to keep. */
final class ChatGptAuth {
    private final Host host;
    private final CredentialSources sources;
    private final RefreshedTokens refreshed;
    private final TokenRefresher refresher;

    ChatGptAuth(Host host) {
        this.host = host;
        this.sources = new CredentialSources(host);
        this.refreshed = new RefreshedTokens(host);
        this.refresher = new TokenRefresher(host);
    }

    /** Credentials to use now: refreshed first when less than the margin remains. */
    Credentials current() throws AuthFailure {
        return usable(sources.find(), false);
    }

    /** Credentials refreshed now, whatever their expiry (the host saw them refused). */
    Credentials refreshNow() throws AuthFailure {
        return usable(sources.find(), true);
    }

    private Credentials usable(CredentialSource source, boolean forceRefresh) throws AuthFailure {
        RefreshedTokens.Entry latest = latest(source);
        Credentials credentials = latest.credentials;
        boolean rejected = latest.rejected;
        long now = host.currentTimeMillis();
        // What the plugin sees, for `check` and tark's debug log (no token, only where it came from).
        String accountId = credentials.accountId();
        host.logDebug("Credentials from " + source.location
                + (latest.credentials != source.credentials ? " (tokens refreshed earlier, from storage)" : "")
                + "; expires_at " + (credentials.expiresAtMillis == Expiry.UNKNOWN ? "unknown"
                        : String.valueOf(Expiry.toSeconds(credentials.expiresAtMillis)))
                + "; account id " + (accountId != null ? accountId : "none"));
        boolean expired = Expiry.isExpired(credentials.expiresAtMillis, now);
        if (!forceRefresh && !Expiry.needsRefresh(credentials.expiresAtMillis, now)) {
            return credentials;
        }
        if (rejected) {
            throw new AuthFailure(AuthFailure.REFRESH_REJECTED, "ChatGPT has refused this login's refresh token"
                    + " and the access token is " + (expired ? "expired" : "about to expire")
                    + ". Run `tark auth chatgpt-oauth` to log in again.");
        }
        if (source.kind == CredentialSource.CODEX_CLI) {
            if (!expired && !forceRefresh) {
                return credentials;
            }
            throw new AuthFailure(AuthFailure.EXPIRED, "The Codex CLI's ChatGPT login (" + source.location + ") has "
                    + (expired ? "expired" : "to be refreshed") + ". This plugin does not refresh it, since that"
                    + " would log the Codex CLI out: run `codex` once to refresh it, or log in to tark with"
                    + " `tark auth chatgpt-oauth`.");
        }
        if (!credentials.canRefresh()) {
            if (!expired && !forceRefresh) {
                return credentials;
            }
            throw new AuthFailure(AuthFailure.EXPIRED, "The ChatGPT access token in " + source.location
                    + (expired ? " has expired" : " cannot be refreshed") + " and there is no refresh_token"
                    + " beside it. Run `tark auth chatgpt-oauth` to log in again.");
        }
        Credentials fresh;
        try {
            fresh = refresher.refresh(credentials);
        } catch (AuthFailure failure) {
            if (failure.code() == AuthFailure.REFRESH_REJECTED) {
                refreshed.markRejected(source.fingerprint, credentials);
            }
            throw failure;
        }
        if (!refreshed.save(source.fingerprint, fresh)) {
            host.logWarn("The refreshed ChatGPT tokens could not be saved in the plugin's storage; the next"
                    + " start may need `tark auth chatgpt-oauth`. Check that plugin.toml has storage = true.");
        }
        host.logInfo("Refreshed the ChatGPT access token.");
        return fresh;
    }

    /** {@code provider_auth_status}: 1 authenticated, 2 not authenticated, 3 expired and cannot refresh. */
    int status() {
        CredentialSource source;
        try {
            source = sources.find();
        } catch (AuthFailure noCredentials) {
            return 2;
        }
        RefreshedTokens.Entry latest = latest(source);
        boolean mayRefresh = source.kind != CredentialSource.CODEX_CLI && !latest.rejected
                && latest.credentials.canRefresh();
        boolean expired = Expiry.isExpired(latest.credentials.expiresAtMillis, host.currentTimeMillis());
        return expired && !mayRefresh ? 3 : 1;
    }

    /** The source's credentials, or the tokens refreshed from them (the Codex CLI's are never refreshed). */
    private RefreshedTokens.Entry latest(CredentialSource source) {
        RefreshedTokens.Entry entry = source.kind == CredentialSource.CODEX_CLI ? null
                : refreshed.load(source.fingerprint);
        return entry != null ? entry : new RefreshedTokens.Entry(source.credentials, false);
    }

    /** {@code provider_auth_init}: adopt credentials given by the host, in tark's file format. */
    void adopt(String json) throws AuthFailure {
        CredentialSources.fromTarkJson(CredentialSource.HOST_INIT, "the credentials given to provider_auth_init",
                json);
        if (!host.storageSet(CredentialSources.HOST_INIT_KEY, json)) {
            throw new AuthFailure(AuthFailure.NOT_ALLOWED, "Could not keep the credentials given to"
                    + " provider_auth_init: tark's storage refused them. Check that plugin.toml has storage = true.");
        }
    }

    /** {@code provider_auth_logout}: forget everything this plugin stored (files are tark's to delete). */
    void logout() {
        refreshed.clear();
        host.storageDelete(CredentialSources.HOST_INIT_KEY);
    }

    /**
     * {@code auth_process_tokens}: tark's login hook. Returns the token endpoint's fields plus
     * {@code expires_at} and {@code account_id}; tark writes the result as the credentials file.
     */
    String processTokens(String tokenReply) throws AuthFailure {
        JsonObject tokens = JsonInput.parseObject(tokenReply);
        if (tokens == null || Credentials.string(tokens, "access_token") == null) {
            throw new AuthFailure(AuthFailure.BAD_INPUT, "The login's token reply has no access_token; run"
                    + " `tark auth chatgpt-oauth` again.");
        }
        JsonObject file = new JsonObject().merge(tokens);
        String accessToken = Credentials.string(tokens, "access_token");
        long expiresAt = TokenRefresher.expiresAt(tokens, accessToken, host.currentTimeMillis());
        if (expiresAt != Expiry.UNKNOWN) {
            file.set("expires_at", Expiry.toSeconds(expiresAt));
        }
        String accountId = TokenClaims.accountId(Credentials.string(tokens, "id_token"), accessToken,
                Credentials.string(tokens, "account_id"));
        if (accountId != null) {
            file.set("account_id", accountId);
        }
        return file.toString();
    }
}
