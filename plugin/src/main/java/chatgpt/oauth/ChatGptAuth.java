package chatgpt.oauth;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import tark.host.Host;
import tark.host.JsonInput;

/** The plugin's authentication rules: which tokens to hand tark, when to refresh, what to keep. */
final class ChatGptAuth {
    /** The diagnostics line's name of each {@link CredentialSource} kind, indexed by kind. */
    private static final String[] SOURCE_NAMES = {null, "tark_file", "host_init", "codex_cli"};

    private final Host host;
    private final CredentialSources sources;
    private final RefreshedTokens refreshed;
    private final TokenRefresher refresher;
    /** The credentials last answered with, so the diagnostics line is written only when they change. */
    private Credentials lastSeen;
    /** A refresh token the endpoint refused in this instance: never presented again here. */
    private String refusedRefreshToken;

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
        Credentials credentials = latest(source);
        if (credentials != lastSeen) {
            lastSeen = credentials;
            logDiagnostics(source, credentials);
        }
        long now = host.currentTimeMillis();
        boolean expired = Expiry.isExpired(credentials.expiresAtMillis, now);
        if (!forceRefresh && !Expiry.needsRefresh(credentials.expiresAtMillis, now)) {
            return credentials;
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
        if (credentials.refreshToken.equals(refusedRefreshToken)) {
            throw new AuthFailure(AuthFailure.REFRESH_REJECTED, "ChatGPT has refused this login's refresh token."
                    + " Run `tark auth chatgpt-oauth` to log in again.");
        }
        Credentials fresh;
        try {
            fresh = refresher.refresh(credentials);
        } catch (AuthFailure failure) {
            // Remembered in memory only: tark rewrites storage.json from this instance's view, which would
            // erase tokens that another tark session has just rotated (the usual cause of a refusal).
            if (failure.code() == AuthFailure.REFRESH_REJECTED) {
                refusedRefreshToken = credentials.refreshToken;
            }
            throw failure;
        }
        // Saved before anything else: the old refresh token is spent now.
        if (!refreshed.save(source.fingerprint, fresh)) {
            host.logWarn("The refreshed ChatGPT tokens could not be saved in the plugin's storage; the next"
                    + " start may need `tark auth chatgpt-oauth`. Check that plugin.toml has storage = true.");
        }
        if (Expiry.isExpired(fresh.expiresAtMillis, host.currentTimeMillis())) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "ChatGPT's token endpoint returned an access token"
                    + " that has already expired; check the system clock, then try again.");
        }
        host.logInfo("Refreshed the ChatGPT access token.");
        lastSeen = fresh;
        logDiagnostics(source, fresh);
        return fresh;
    }

    /**
     * What the plugin decided, for the check command and tark's debug log: one line, "diagnostics "
     * and a JSON object, never a token. The check command reads it instead of repeating these rules.
     */
    private void logDiagnostics(CredentialSource source, Credentials credentials) {
        long now = host.currentTimeMillis();
        long expiresAt = credentials.expiresAtMillis;
        JsonObject line = new JsonObject()
                .add("source", SOURCE_NAMES[source.kind])
                .add("location", source.location)
                .add("tokens", credentials == source.credentials ? "source" : "storage")
                .add("account_id", credentials.accountId())
                .add("expires_at", expiresAt == Expiry.UNKNOWN ? Json.NULL : Json.value(Expiry.toSeconds(expiresAt)))
                .add("expired", Expiry.isExpired(expiresAt, now))
                .add("refresh_due", Expiry.needsRefresh(expiresAt, now))
                .add("may_refresh", mayRefresh(source, credentials))
                .add("refresh_margin_seconds", Expiry.toSeconds(Expiry.REFRESH_MARGIN_MILLIS));
        host.logDebug("diagnostics " + line);
    }

    /** {@code provider_auth_status}: 1 authenticated, 2 not authenticated, 3 expired and cannot refresh. */
    int status() {
        CredentialSource source;
        try {
            source = sources.find();
        } catch (AuthFailure noCredentials) {
            return 2;
        }
        Credentials credentials = latest(source);
        boolean expired = Expiry.isExpired(credentials.expiresAtMillis, host.currentTimeMillis());
        return expired && !mayRefresh(source, credentials) ? 3 : 1;
    }

    /** Whether these credentials may be refreshed here: not the Codex CLI's, and a refresh token not refused. */
    private boolean mayRefresh(CredentialSource source, Credentials credentials) {
        return source.kind != CredentialSource.CODEX_CLI && credentials.canRefresh()
                && !credentials.refreshToken.equals(refusedRefreshToken);
    }

    /** The source's credentials, or the tokens refreshed from them (the Codex CLI's are never refreshed). */
    private Credentials latest(CredentialSource source) {
        Credentials stored = source.kind == CredentialSource.CODEX_CLI ? null : refreshed.load(source.fingerprint);
        return stored != null ? stored : source.credentials;
    }

    /** {@code provider_auth_init}: adopt credentials given by the host, in tark's file format. */
    void adopt(String json) throws AuthFailure {
        sources.adopt(json);
    }

    /** {@code provider_auth_logout}: forget everything this plugin kept (files are tark's to delete). */
    void logout() {
        refreshed.clear();
        sources.forgetAdopted();
        lastSeen = null;
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
        // tark passes absent fields as null; the file keeps only real values.
        JsonObject file = new JsonObject();
        for (JsonObject.Member member : tokens) {
            if (!member.getValue().isNull()) {
                file.add(member.getName(), member.getValue());
            }
        }
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
