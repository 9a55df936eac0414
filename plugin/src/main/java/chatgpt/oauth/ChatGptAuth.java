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
    /** The tokens last reported, so the diagnostics line is written only when they change. */
    private Credentials lastReported;
    /** A refresh token the endpoint refused in this instance: never presented again here. */
    private String refusedHere;
    /** Whether stored tokens were forgotten since the credentials file disappeared. */
    private boolean forgotten;

    ChatGptAuth(Host host, CodexClient client) {
        this.host = host;
        this.sources = new CredentialSources(host);
        this.vault = new TokenVault(host);
        this.refresher = new TokenRefresher(host, client);
    }

    /** {@code provider_auth_credentials}: the tokens to use now, refreshed first when less than the margin remains. */
    Handover current() throws AuthFailure {
        return handOver(false);
    }

    /** {@code provider_auth_refresh}: the tokens refreshed now, whatever their expiry (the host saw them refused). */
    Handover refreshNow() throws AuthFailure {
        return handOver(true);
    }

    /**
     * Finds the login, takes its newest stored tokens, decides ({@link RefreshDecision}), then does it.
     * The diagnostics line is written for the tokens found (before any request, so a refresh that never
     * returns still leaves them described) and, when they changed, for the tokens settled on. A failure is
     * recorded for {@link #explain} when a refresh was tried (what the endpoint answered is not to be seen
     * again), or to replace an earlier record for these tokens.
     */
    private Handover handOver(boolean forced) throws AuthFailure {
        Login login = findForgettingLoggedOut();
        Credentials found = newest(login, vault.newestInView(login));
        report(login, found);
        Handover settled = checkedForHeader(login, settle(login, found, forced));
        if (settled.failure != null) {
            vault.recordFailure(settled.tokens, settled.failure, settled.refreshTried);
        }
        report(login, settled.tokens);
        if (settled.failure != null) {
            throw settled.failure;
        }
        return settled;
    }

    private Handover settle(Login login, Credentials found, boolean forced) {
        long now = host.currentTimeMillis();
        boolean expired = found.isExpired(now);
        // A stored token (the endpoint's) that cannot go in a header is as good as expired: the next one may
        // be fine. The file's own is the user's to fix, and checkedForHeader says so.
        boolean unusable = found != login.credentials && !HeaderValues.isToken(found.accessToken);
        boolean due = found.refreshDue(now);
        boolean mayRefresh = mayRefresh(login, found);
        // storage.json on disk is read only when a refresh is wanted: since this instance loaded storage,
        // another tark session may have been refused this refresh token, or refreshed it.
        StorageSnapshot onDisk = null;
        if (mayRefresh && (forced || unusable || due)) {
            onDisk = vault.onDisk();
            if (onDisk.refuses(found.refreshToken)) {
                refusedHere = found.refreshToken;
                mayRefresh = false;
            }
        }
        int decision = RefreshDecision.of(forced, unusable, due, expired, mayRefresh);
        if (decision == RefreshDecision.FAIL) {
            return Handover.failed(found, notRefreshable(login, found, expired), false);
        }
        if (decision == RefreshDecision.USE || decision == RefreshDecision.USE_UNREFRESHED) {
            return Handover.of(found, decision, false);
        }
        return refresh(login, found, onDisk, decision == RefreshDecision.REFRESH);
    }

    /** Whether this plugin may spend the tokens' refresh token: allowed, and never refused (here or remembered). */
    private boolean mayRefresh(Login login, Credentials tokens) {
        return login.mayRefresh(tokens) && !tokens.refreshToken.equals(refusedHere)
                && !vault.isRefused(tokens.refreshToken);
    }

    /**
     * Refreshes {@code current}, unless another tark session already has: its tokens are then in
     * {@code onDisk}, newer than this instance's copy. Saves the new tokens before anything else. An early
     * refresh that fails leaves a still-valid token in use when {@code mayKeepValid}: tark holds the
     * token for the whole session, so a failure now must not end a session that could have run.
     */
    private Handover refresh(Login login, Credentials current, StorageSnapshot onDisk, boolean mayKeepValid) {
        Credentials stored = vault.newestOnDisk(login, onDisk);
        vault.sealLegacy(login, stored);
        Credentials spent = current;
        if (isSuccessor(stored, current)) {
            if (!stored.refreshDue(host.currentTimeMillis()) || !mayRefresh(login, stored)) {
                return Handover.of(stored, Handover.OTHER_SESSION, true);
            }
            spent = stored;
        }
        Credentials fresh;
        try {
            fresh = refresher.refresh(spent, login.credentials);
        } catch (AuthFailure failure) {
            return afterFailure(login, spent, failure, mayKeepValid);
        }
        if (!vault.save(login, fresh)) {
            host.logWarn("The refreshed ChatGPT tokens could not be saved in the plugin's storage; the next"
                    + " start may need `tark auth chatgpt-oauth`. Check that tark can write the plugin's data"
                    + " directory (tark/plugins/chatgpt-oauth/data below its data dir).");
        }
        if (fresh.isExpired(host.currentTimeMillis())) {
            return Handover.failed(fresh, new AuthFailure(AuthFailure.REFRESH_FAILED, "ChatGPT's token endpoint"
                    + " returned an access token that has already expired; check the system clock, then try again."),
                    true);
        }
        host.logInfo("Refreshed the ChatGPT access token.");
        return Handover.of(fresh, Handover.REFRESHED, true);
    }

    /**
     * After a failed refresh of {@code presented}. A refusal usually means another tark session spent the
     * refresh token a moment ago: its tokens are then on disk. Only when there are none is the refusal
     * final: remembered (a one-way mark) so that no later start presents that token again. Then a
     * still-valid token is kept when {@code mayKeepValid}, with one warning.
     */
    private Handover afterFailure(Login login, Credentials presented, AuthFailure failure, boolean mayKeepValid) {
        if (failure.code() == AuthFailure.REFRESH_REJECTED) {
            Credentials stored = vault.newestOnDisk(login, null);
            if (isSuccessor(stored, presented) && !stored.isExpired(host.currentTimeMillis())) {
                host.logInfo("Another tark session has just refreshed this ChatGPT login; using its tokens.");
                return Handover.of(stored, Handover.OTHER_SESSION, true);
            }
            refusedHere = presented.refreshToken;
            vault.rememberRefused(presented.refreshToken);
        }
        if (!mayKeepValid || presented.isExpired(host.currentTimeMillis())) {
            return Handover.failed(presented, failure, true);
        }
        long left = presented.expiresAtMillis - host.currentTimeMillis();
        host.logWarn(failure.getMessage() + " The current ChatGPT token is still valid for " + Expiry.span(left)
                + ", so tark uses it; " + (failure.code() == AuthFailure.REFRESH_REJECTED
                        ? "renew the login before then with `tark auth chatgpt-oauth`. This refresh token will not"
                                + " be presented again."
                        : "the next start tries the refresh again."));
        return Handover.of(presented, Handover.KEPT_VALID, true);
    }

    /** The login's source; the user has logged out of stored tokens whose credentials file is gone. */
    private Login findForgettingLoggedOut() throws AuthFailure {
        Login login;
        try {
            login = sources.find();
        } catch (AuthFailure noCredentials) {
            forgetIfLoggedOut(null);
            throw noCredentials;
        }
        forgetIfLoggedOut(login);
        return login;
    }

    /** {@code found}: the login in use now, null when there is none. */
    private void forgetIfLoggedOut(Login found) {
        if (!sources.tarkFileAbsent()) {
            forgotten = false;
        } else if (!forgotten) {
            forgotten = true;
            if (vault.forget(found != null && mayRefresh(found, found.credentials))) {
                host.logInfo("Forgot the ChatGPT tokens kept in the plugin's storage: the credentials file is gone"
                        + " (logged out).");
            }
        }
    }

    /** The login's newest tokens: {@code stored} (refreshed from the login's), else its own. */
    private static Credentials newest(Login login, Credentials stored) {
        return stored != null ? stored : login.credentials;
    }

    private static boolean isSuccessor(Credentials candidate, Credentials current) {
        return candidate != null && candidate.canRefresh() && !candidate.refreshToken.equals(current.refreshToken);
    }

    private static AuthFailure notRefreshable(Login login, Credentials tokens, boolean expired) {
        AuthFailure own = login.source.whyNotRefreshed(login, expired);
        if (own != null) {
            return own;
        }
        if (tokens.canRefresh()) {
            return new AuthFailure(AuthFailure.REFRESH_REJECTED, "ChatGPT has refused this login's refresh token."
                    + " Run `tark auth chatgpt-oauth` to log in again.");
        }
        return new AuthFailure(AuthFailure.EXPIRED, "The ChatGPT access token in " + login.location
                + (expired ? " has expired" : " cannot be refreshed") + " and there is no refresh_token"
                + " beside it. Run `tark auth chatgpt-oauth` to log in again.");
    }

    /** The handover, or a failure when its bearer token cannot go in an HTTP header. */
    private static Handover checkedForHeader(Login login, Handover handover) {
        AuthFailure unsafe = handover.failure == null ? unsafeToken(login, handover.tokens) : null;
        return unsafe == null ? handover : Handover.failed(handover.tokens, unsafe, handover.refreshTried);
    }

    /** Why the bearer token cannot go in an HTTP header, naming where it came from; null if it can. */
    private static AuthFailure unsafeToken(Login login, Credentials tokens) {
        return HeaderValues.isToken(tokens.accessToken) ? null : new AuthFailure(AuthFailure.INVALID_CREDENTIALS,
                "The access_token " + (tokens == login.credentials ? "in " : "refreshed from ") + login.location
                + " holds a character other than visible ASCII (a space, line break or control character),"
                + " so it cannot be sent as a bearer token. Run"
                + " `tark auth chatgpt-oauth` to log in again (or remove the stray characters).");
    }

    /** The diagnostics line (for tark's debug log and the check command) and any account id warning. */
    private void report(Login login, Credentials tokens) {
        if (tokens == lastReported) {
            return;
        }
        lastReported = tokens;
        AccountId accountId = tokens.accountId();
        if (accountId.warning != null) {
            host.logWarn(accountId.warning);
        }
        long now = host.currentTimeMillis();
        host.logDebug(Diagnostics.line(login, tokens, tokens != login.credentials, tokens.isExpired(now),
                tokens.refreshDue(now), mayRefresh(login, tokens)));
    }

    /**
     * {@code provider_auth_status}: authenticated, not authenticated, or expired and not refreshable.
     * Read-only: it neither forgets nor refreshes.
     */
    int status() {
        Login login;
        try {
            login = sources.find();
        } catch (AuthFailure noCredentials) {
            return STATUS_NOT_AUTHENTICATED;
        }
        Credentials tokens = newest(login, vault.newestInView(login));
        boolean expired = tokens.isExpired(host.currentTimeMillis());
        return expired && !mayRefresh(login, tokens) ? STATUS_EXPIRED : STATUS_AUTHENTICATED;
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
            Login login = sources.find();
            Credentials tokens = newest(login, vault.newestOnDisk(login, null));
            if (mayRefresh(login, tokens)) {
                String failure = refresher.revoke(tokens, login.credentials);
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
        lastReported = null;
    }

    /**
     * {@code provider_chat}: the credentials a provider init would answer now, or the failure the last one
     * met, worked out afresh without sending, writing or spending anything. What this instance cannot
     * see (the token endpoint's answer, the clock's verdict on the tokens it returned) comes from the
     * failure the init recorded for these tokens; when nothing is recorded (storage refused the write),
     * an expired login that may be refreshed is described by what is known, not a guessed cause.
     */
    Credentials explain() throws AuthFailure {
        Login login = sources.find();
        StorageSnapshot onDisk = vault.onDisk(); // read once: for the newest tokens and the failure recorded
        Credentials credentials = newest(login, vault.newestOnDisk(login, onDisk));
        AuthFailure failure = !credentials.isExpired(host.currentTimeMillis()) ? unsafeToken(login, credentials)
                : mayRefresh(login, credentials) ? refreshNotRecorded() : notRefreshable(login, credentials, true);
        if (failure == null) {
            return credentials;
        }
        // The chat shows the error line; the kind stays the one worked out here.
        String recorded = vault.recordedFailure(credentials, onDisk);
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
