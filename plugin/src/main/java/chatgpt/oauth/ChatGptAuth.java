package chatgpt.oauth;

import tark.host.Host;

/** The plugin's authentication rules: which tokens to hand tark, when to refresh, what to keep. */
final class ChatGptAuth {
    // provider_auth_status values, as tark reads them (ints keep the module free of an enum class).
    static final int STATUS_AUTHENTICATED = 1;
    static final int STATUS_NOT_AUTHENTICATED = 2;
    static final int STATUS_EXPIRED = 3;

    static final String TERMS_NOTICE = "This login drives programmatic calls with your personal ChatGPT"
            + " subscription, a grey area of OpenAI's terms: use it for yourself only, not as a shared or"
            + " enterprise service; OpenAI may change or stop it at any time.";

    private final Host host;
    private final CredentialSources sources;
    private final TokenVault vault;
    private final TokenRefresher refresher;
    /** The credentials last reported, so the diagnostics line is written only when they change. */
    private Credentials lastSeen;
    /** A refresh token the endpoint refused in this instance: never presented again here. */
    private String refusedRefreshToken;
    /** The lineage of the last root refresh token seen ({@link #lineageRoot}): its keys are derived once. */
    private Lineage lineage;
    private String lineageRoot;
    /** Whether stored tokens were forgotten since the credentials file disappeared. */
    private boolean forgotten;

    ChatGptAuth(Host host) {
        this.host = host;
        this.sources = new CredentialSources(host);
        this.vault = new TokenVault(host);
        this.refresher = new TokenRefresher(host);
    }

    /** Credentials to use now: refreshed first when less than the margin remains. */
    Credentials current() throws AuthFailure {
        return usable(false);
    }

    /** Credentials refreshed now, whatever their expiry (the host saw them refused). */
    Credentials refreshNow() throws AuthFailure {
        return usable(true);
    }

    private Credentials usable(boolean forceRefresh) throws AuthFailure {
        CredentialSource source = find();
        Credentials credentials = latest(source);
        report(source, credentials);
        long now = host.currentTimeMillis();
        boolean expired = Expiry.isExpired(credentials.expiresAtMillis, now);
        // A stored token (the endpoint's) that cannot go in a header is as good as expired: the next one
        // may be fine. The file's own is the user's to fix, and headerSafe says so.
        boolean unusable = credentials != source.credentials && !HeaderValues.isToken(credentials.accessToken);
        if (!forceRefresh && !unusable && !Expiry.needsRefresh(credentials.expiresAtMillis, now)) {
            return headerSafe(source, credentials);
        }
        if (!mayRefresh(source, credentials)) {
            if (!forceRefresh && !expired) {
                return headerSafe(source, credentials); // still valid: a later init may refresh it
            }
            throw notRefreshable(source, credentials, expired);
        }
        return headerSafe(source, refreshed(source, credentials));
    }

    /** The source to use; the user has logged out of stored tokens whose credentials file is gone. */
    private CredentialSource find() throws AuthFailure {
        CredentialSource source;
        try {
            source = sources.find();
        } catch (AuthFailure noCredentials) {
            forgetIfLoggedOut(null);
            throw noCredentials;
        }
        forgetIfLoggedOut(source);
        return source;
    }

    private void forgetIfLoggedOut(CredentialSource inUse) {
        if (!sources.tarkFileAbsent()) {
            forgotten = false;
        } else if (!forgotten) {
            forgotten = true;
            Lineage keep = inUse != null && mayRefresh(inUse, inUse.credentials) ? lineage(inUse) : null;
            if (vault.forget(keep)) {
                host.logInfo("Forgot the ChatGPT tokens kept in the plugin's storage: the credentials file is gone"
                        + " (logged out).");
            }
        }
    }

    /** The source's credentials, or the tokens refreshed from them: refresh tokens are single-use. */
    private Credentials latest(CredentialSource source) {
        if (!mayRefresh(source, source.credentials) || vault.isEmpty()) {
            return source.credentials;
        }
        Credentials stored = vault.load(lineage(source));
        return stored != null ? stored : source.credentials;
    }

    /** The one rule for spending a refresh token: the source allows it, and it was not refused here. */
    private boolean mayRefresh(CredentialSource source, Credentials credentials) {
        return source.refreshable && credentials.canRefresh() && !credentials.refreshToken.equals(refusedRefreshToken);
    }

    private Lineage lineage(CredentialSource source) {
        String root = source.credentials.refreshToken;
        if (lineage == null || !root.equals(lineageRoot)) {
            lineage = Lineage.of(root);
            lineageRoot = root;
        }
        return lineage;
    }

    /**
     * Refreshes {@code credentials}, unless another tark session already has: its tokens are on disk in
     * storage.json, newer than this instance's copy. Saves the new tokens before anything else.
     */
    private Credentials refreshed(CredentialSource source, Credentials credentials) throws AuthFailure {
        Lineage login = lineage(source);
        Credentials onDisk = vault.loadFromDisk(login);
        if (onDisk == null) {
            onDisk = vault.migrateLegacy(login, source);
        }
        if (isSuccessor(onDisk, credentials)) {
            report(source, onDisk);
            if (!Expiry.needsRefresh(onDisk.expiresAtMillis, host.currentTimeMillis())) {
                return onDisk;
            }
            credentials = onDisk;
        }
        Credentials fresh;
        try {
            fresh = refresher.refresh(credentials);
        } catch (AuthFailure failure) {
            return recoverFromRefusal(source, login, credentials, failure);
        }
        if (!vault.save(login, fresh)) {
            host.logWarn("The refreshed ChatGPT tokens could not be saved in the plugin's storage; the next"
                    + " start may need `tark auth chatgpt-oauth`. Check that plugin.toml has storage = true.");
        }
        if (Expiry.isExpired(fresh.expiresAtMillis, host.currentTimeMillis())) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "ChatGPT's token endpoint returned an access token"
                    + " that has already expired; check the system clock, then try again.");
        }
        host.logInfo("Refreshed the ChatGPT access token.");
        report(source, fresh);
        return fresh;
    }

    /**
     * A refused refresh token usually means another tark session spent it a moment ago: its tokens are
     * then on disk. Only when there are none is the refusal final for this instance. Nothing is written:
     * a write from this instance's copy of storage would erase the other session's tokens.
     */
    private Credentials recoverFromRefusal(CredentialSource source, Lineage login, Credentials presented,
            AuthFailure failure) throws AuthFailure {
        if (failure.code() != AuthFailure.REFRESH_REJECTED) {
            throw failure;
        }
        Credentials onDisk = vault.loadFromDisk(login);
        if (isSuccessor(onDisk, presented) && !Expiry.isExpired(onDisk.expiresAtMillis, host.currentTimeMillis())) {
            host.logInfo("Another tark session has just refreshed this ChatGPT login; using its tokens.");
            report(source, onDisk);
            return onDisk;
        }
        refusedRefreshToken = presented.refreshToken;
        throw failure;
    }

    private static boolean isSuccessor(Credentials candidate, Credentials current) {
        return candidate != null && candidate.canRefresh() && !candidate.refreshToken.equals(current.refreshToken);
    }

    private static AuthFailure notRefreshable(CredentialSource source, Credentials credentials, boolean expired) {
        if (source.kind == CredentialSource.CODEX_CLI) {
            return new AuthFailure(AuthFailure.EXPIRED, "The Codex CLI's ChatGPT login (" + source.location + ") has "
                    + (expired ? "expired" : "to be refreshed") + ". This plugin does not refresh it, since that"
                    + " would log the Codex CLI out: run `codex` once to refresh it, or log in to tark with"
                    + " `tark auth chatgpt-oauth`.");
        }
        if (credentials.canRefresh()) {
            return new AuthFailure(AuthFailure.REFRESH_REJECTED, "ChatGPT has refused this login's refresh token."
                    + " Run `tark auth chatgpt-oauth` to log in again.");
        }
        return new AuthFailure(AuthFailure.EXPIRED, "The ChatGPT access token in " + source.location
                + (expired ? " has expired" : " cannot be refreshed") + " and there is no refresh_token"
                + " beside it. Run `tark auth chatgpt-oauth` to log in again.");
    }

    /** Refuses a bearer token that cannot go in an HTTP header, naming where it came from. */
    private static Credentials headerSafe(CredentialSource source, Credentials credentials) throws AuthFailure {
        if (!HeaderValues.isToken(credentials.accessToken)) {
            throw new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "The access_token "
                    + (credentials == source.credentials ? "in " : "refreshed from ") + source.location
                    + " holds a character other than visible ASCII (a space, line break or control character),"
                    + " so it cannot be sent as a bearer token. Run"
                    + " `tark auth chatgpt-oauth` to log in again (or remove the stray characters).");
        }
        return credentials;
    }

    /** The diagnostics line (for tark's debug log and the check command) and any account id warning. */
    private void report(CredentialSource source, Credentials credentials) {
        if (credentials == lastSeen) {
            return;
        }
        lastSeen = credentials;
        AccountId accountId = credentials.accountId();
        if (accountId.warning != null) {
            host.logWarn(accountId.warning);
        }
        long now = host.currentTimeMillis();
        host.logDebug(Diagnostics.line(source, credentials, credentials != source.credentials,
                Expiry.isExpired(credentials.expiresAtMillis, now), Expiry.needsRefresh(credentials.expiresAtMillis, now),
                mayRefresh(source, credentials)));
    }

    /** {@code provider_auth_status}: authenticated, not authenticated, or expired and not refreshable. */
    int status() {
        CredentialSource source;
        try {
            source = find();
        } catch (AuthFailure noCredentials) {
            return STATUS_NOT_AUTHENTICATED;
        }
        Credentials credentials = latest(source);
        boolean expired = Expiry.isExpired(credentials.expiresAtMillis, host.currentTimeMillis());
        return expired && !mayRefresh(source, credentials) ? STATUS_EXPIRED : STATUS_AUTHENTICATED;
    }

    /** {@code provider_auth_init}: adopt credentials given by the host, in tark's file format. */
    void adopt(String json) throws AuthFailure {
        sources.adopt(json);
    }

    /**
     * {@code provider_auth_logout}: revokes the refresh token this plugin holds (never the Codex CLI's),
     * as the Codex CLI does, then forgets everything it kept. The files are tark's to delete.
     */
    void logout() {
        try {
            CredentialSource source = sources.find();
            Credentials credentials = latest(source);
            if (mayRefresh(source, credentials)) {
                // Another session may have refreshed since this instance loaded storage: revoke the live one.
                Credentials onDisk = vault.loadFromDisk(lineage(source));
                if (isSuccessor(onDisk, credentials)) {
                    credentials = onDisk;
                }
                String failure = refresher.revoke(credentials.refreshToken);
                if (failure != null) {
                    host.logWarn("Could not revoke the ChatGPT login at OpenAI (" + failure + "); logged out here"
                            + " anyway. It ends by itself, or sign out of other sessions in ChatGPT's settings.");
                } else {
                    host.logInfo("Revoked the ChatGPT login at OpenAI.");
                }
            }
        } catch (AuthFailure nothingToRevoke) {
            // No credentials: nothing to revoke, still forget what is stored.
        }
        vault.forget(null);
        sources.forgetAdopted();
        lastSeen = null;
    }

    /**
     * {@code auth_process_tokens}: tark's login hook. Turns the token endpoint's reply into the
     * credentials file tark writes: the tokens, {@code expires_at} and {@code account_id}.
     */
    String processTokens(String tokenReply) throws AuthFailure {
        Credentials credentials = TokenRefresher.fromReply(tokenReply, null, host.currentTimeMillis());
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.BAD_INPUT, "The login's token reply has no access_token; run"
                    + " `tark auth chatgpt-oauth` again.");
        }
        host.logInfo("Logged in to ChatGPT. " + TERMS_NOTICE);
        return credentials.toTarkJson();
    }
}
