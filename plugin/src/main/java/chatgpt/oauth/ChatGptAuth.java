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
    /** The credentials this call has settled on so far: what the diagnostics line reports when it ends. */
    private Credentials inUse;
    /** A refresh token the endpoint refused in this instance: never presented again here. */
    private String refusedRefreshToken;
    /** Whether stored tokens were forgotten since the credentials file disappeared. */
    private boolean forgotten;
    /** Whether this call went as far as refreshing (asking storage on disk, then the endpoint). */
    private boolean refreshTried;

    ChatGptAuth(Host host, CodexClient client) {
        this.host = host;
        this.sources = new CredentialSources(host);
        this.vault = new TokenVault(host);
        this.refresher = new TokenRefresher(host, client);
    }

    /** Credentials to use now: refreshed first when less than the margin remains. */
    Credentials current() throws AuthFailure {
        return usable(false);
    }

    /** Credentials refreshed now, whatever their expiry (the host saw them refused). */
    Credentials refreshNow() throws AuthFailure {
        return usable(true);
    }

    /**
     * The one path of {@link #current} and {@link #refreshNow}: find the login, take its newest stored
     * tokens, refresh them if due. The diagnostics line is written here only: for the tokens found
     * (before any request, so a refresh that never returns still leaves them described) and, when
     * they changed, for the tokens settled on. A failure once the login is found is recorded for
     * {@link #explain} when a refresh was tried (what the endpoint answered is not to be seen again), or
     * to replace an earlier record for these tokens.
     */
    private Credentials usable(boolean forceRefresh) throws AuthFailure {
        CredentialSource source = find();
        inUse = latest(source);
        report(source, inUse);
        refreshTried = false;
        try {
            return headerSafe(source, settle(source, inUse, forceRefresh));
        } catch (AuthFailure failure) {
            vault.recordFailure(inUse, failure, refreshTried);
            throw failure;
        } finally {
            report(source, inUse);
        }
    }

    private Credentials settle(CredentialSource source, Credentials credentials, boolean forceRefresh)
            throws AuthFailure {
        long now = host.currentTimeMillis();
        boolean expired = credentials.isExpired(now);
        // A stored token (the endpoint's) that cannot go in a header is as good as expired: the next one
        // may be fine. The file's own is the user's to fix, and headerSafe says so.
        boolean unusable = credentials != source.credentials && !HeaderValues.isToken(credentials.accessToken);
        if (!forceRefresh && !unusable && !credentials.refreshDue(now)) {
            return credentials;
        }
        if (!mayRefresh(source, credentials) || refusedOnDisk(credentials)) {
            if (!forceRefresh && !expired) {
                return credentials; // still valid: a later init may refresh it
            }
            throw notRefreshable(source, credentials, expired);
        }
        return refreshed(source, credentials, !forceRefresh && !unusable);
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
            if (vault.forget(inUse != null && mayRefresh(inUse, inUse.credentials))) {
                host.logInfo("Forgot the ChatGPT tokens kept in the plugin's storage: the credentials file is gone"
                        + " (logged out).");
            }
        }
    }

    /**
     * The newest tokens of the source's login, looked up {@code where} (see {@link TokenVault#newest}):
     * the tokens refreshed from the source's, else its own. Refresh tokens are single-use.
     */
    private Credentials newest(CredentialSource source, int where) {
        Credentials stored = refreshable(source, source.credentials) ? vault.newest(source, where) : null;
        return stored != null ? stored : source.credentials;
    }

    private Credentials latest(CredentialSource source) {
        return newest(source, TokenVault.IN_VIEW);
    }

    /** Whether the credentials carry a refresh token this plugin may spend at all. */
    private static boolean refreshable(CredentialSource source, Credentials credentials) {
        return source.refreshable && credentials.canRefresh();
    }

    /** The one rule for spending a refresh token: allowed, and never refused before (here or remembered). */
    private boolean mayRefresh(CredentialSource source, Credentials credentials) {
        return refreshable(source, credentials) && !credentials.refreshToken.equals(refusedRefreshToken)
                && !vault.isRefused(credentials.refreshToken);
    }

    /**
     * Whether storage.json as on disk marks this refresh token refused: another tark session may have been
     * refused it since this instance loaded its copy of storage. Asked before the token is presented.
     */
    private boolean refusedOnDisk(Credentials credentials) {
        if (!vault.isRefusedOnDisk(credentials.refreshToken)) {
            return false;
        }
        refusedRefreshToken = credentials.refreshToken;
        return true;
    }

    /**
     * Refreshes {@code credentials}, unless another tark session already has: its tokens are on disk in
     * storage.json, newer than this instance's copy. Saves the new tokens before anything else. An early
     * refresh that fails leaves a still-valid token in use when {@code mayKeepValid}: tark holds the
     * token for the whole session, so a failure now must not end a session that could have run.
     */
    private Credentials refreshed(CredentialSource source, Credentials credentials, boolean mayKeepValid)
            throws AuthFailure {
        refreshTried = true;
        Credentials onDisk = vault.newest(source, TokenVault.ON_DISK);
        long now = host.currentTimeMillis();
        if (isSuccessor(onDisk, credentials)) {
            inUse = onDisk;
            if (!onDisk.refreshDue(now) || !mayRefresh(source, onDisk)) {
                return onDisk;
            }
            credentials = onDisk;
        }
        Credentials fresh;
        try {
            fresh = refresher.refresh(credentials, source.credentials);
        } catch (AuthFailure failure) {
            Credentials recovered = recoverFromRefusal(source, credentials, failure);
            if (recovered != null) {
                return recovered;
            }
            if (!mayKeepValid || credentials.isExpired(host.currentTimeMillis())) {
                throw failure;
            }
            return keptValid(credentials, failure);
        }
        if (!vault.save(source, fresh)) {
            host.logWarn("The refreshed ChatGPT tokens could not be saved in the plugin's storage; the next"
                    + " start may need `tark auth chatgpt-oauth`. Check that tark can write the plugin's data"
                    + " directory (tark/plugins/chatgpt-oauth/data below its data dir).");
        }
        inUse = fresh;
        if (fresh.isExpired(host.currentTimeMillis())) {
            throw new AuthFailure(AuthFailure.REFRESH_FAILED, "ChatGPT's token endpoint returned an access token"
                    + " that has already expired; check the system clock, then try again.");
        }
        host.logInfo("Refreshed the ChatGPT access token.");
        return fresh;
    }

    /**
     * A refused refresh token usually means another tark session spent it a moment ago: its tokens are
     * then on disk. Only when there are none is the refusal final: remembered (a one-way mark) so that
     * no later start presents that token again. Null when nothing recovers it.
     */
    private Credentials recoverFromRefusal(CredentialSource source, Credentials presented, AuthFailure failure) {
        if (failure.code() != AuthFailure.REFRESH_REJECTED) {
            return null;
        }
        Credentials onDisk = vault.newest(source, TokenVault.ON_DISK);
        if (isSuccessor(onDisk, presented) && !onDisk.isExpired(host.currentTimeMillis())) {
            host.logInfo("Another tark session has just refreshed this ChatGPT login; using its tokens.");
            inUse = onDisk;
            return onDisk;
        }
        refusedRefreshToken = presented.refreshToken;
        vault.rememberRefused(presented.refreshToken);
        return null;
    }

    /** The still-valid token, after an early refresh failed: one warning, no error. */
    private Credentials keptValid(Credentials credentials, AuthFailure failure) {
        host.logWarn(failure.getMessage() + " The current ChatGPT token is still valid for "
                + Expiry.span(credentials.expiresAtMillis - host.currentTimeMillis()) + ", so tark uses it; "
                + (failure.code() == AuthFailure.REFRESH_REJECTED
                        ? "renew the login before then with `tark auth chatgpt-oauth`. This refresh token will not"
                                + " be presented again."
                        : "the next start tries the refresh again."));
        return credentials;
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
        AuthFailure unsafe = unsafeToken(source, credentials);
        if (unsafe != null) {
            throw unsafe;
        }
        return credentials;
    }

    /** Why the bearer token cannot go in an HTTP header, naming where it came from; null if it can. */
    private static AuthFailure unsafeToken(CredentialSource source, Credentials credentials) {
        return HeaderValues.isToken(credentials.accessToken) ? null : new AuthFailure(AuthFailure.INVALID_CREDENTIALS,
                "The access_token " + (credentials == source.credentials ? "in " : "refreshed from ") + source.location
                + " holds a character other than visible ASCII (a space, line break or control character),"
                + " so it cannot be sent as a bearer token. Run"
                + " `tark auth chatgpt-oauth` to log in again (or remove the stray characters).");
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
                credentials.isExpired(now), credentials.refreshDue(now), mayRefresh(source, credentials)));
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
        boolean expired = credentials.isExpired(host.currentTimeMillis());
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
            Credentials credentials = newest(source, TokenVault.PEEK);
            if (mayRefresh(source, credentials)) {
                String failure = refresher.revoke(credentials, source.credentials);
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
        vault.forget(false);
        sources.forgetAdopted();
        lastSeen = null;
    }

    /**
     * {@code provider_chat}: the credentials a provider init would answer now, or the failure the last one
     * met, worked out afresh without sending, writing or spending anything. What this instance cannot
     * see (the token endpoint's answer, the clock's verdict on the tokens it returned) comes from the
     * failure the init recorded for these tokens; when nothing is recorded (storage refused the write),
     * an expired login that may be refreshed is described by what is known, not a guessed cause.
     */
    Credentials explain() throws AuthFailure {
        CredentialSource source = sources.find();
        Credentials credentials = newest(source, TokenVault.PEEK);
        AuthFailure failure = !credentials.isExpired(host.currentTimeMillis()) ? unsafeToken(source, credentials)
                : mayRefresh(source, credentials) ? refreshNotRecorded() : notRefreshable(source, credentials, true);
        if (failure == null) {
            return credentials;
        }
        // The chat shows the error line; the kind stays the one worked out here.
        String recorded = vault.recordedFailure(credentials);
        throw recorded != null ? new AuthFailure(failure.code(), recorded) : failure;
    }

    /** {@link #explain}: an expired login whose refresh failed at start-up for a reason not recorded. */
    private static AuthFailure refreshNotRecorded() {
        return new AuthFailure(AuthFailure.REFRESH_FAILED, "The ChatGPT access token has expired and could not be"
                + " refreshed when tark started; the plugin's error line in tark's log says why (it could not be kept"
                + " in the plugin's storage for this answer). If ChatGPT refused the login, run `tark auth"
                + " chatgpt-oauth` to log in again; otherwise check the network connection and that plugin.toml"
                + " allows http to auth.openai.com, then try again.");
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
