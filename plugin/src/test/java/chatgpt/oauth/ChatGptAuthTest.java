package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.CODEX_PATH;
import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.MARGIN;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tark.host.HttpReply;

class ChatGptAuthTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    private static final long MINUTE = 60;

    private ChatGptAuth auth;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
        auth = new ChatGptAuth(host, new CodexClient(host));
    }

    /** A fresh instance on the same machine: what tark's next start sees (storage.json loaded anew). */
    private ChatGptAuth freshInstance() {
        FakeHost session = host.session();
        return new ChatGptAuth(session, new CodexClient(session));
    }

    /** The tokens stored on disk, opened with the key of the login rooted at this file refresh token. */
    private Credentials stored(String fileRefreshToken) {
        return Fixtures.opened(host.disk().get(TokenVault.KEY), fileRefreshToken);
    }

    private String writeTarkFile(String access, String refresh, String id, Object expiresAt, String accountId) {
        String content = Fixtures.tarkFile(access, refresh, id, expiresAt, accountId);
        host.file(TARK_PATH, content);
        return content;
    }

    private AuthFailure currentFails() {
        return assertThrows(AuthFailure.class, () -> auth.current());
    }

    // ---- valid tokens and expiry ----

    @Test
    void validFileIsUsedWithoutRefreshing() throws AuthFailure {
        String access = Jwt.access(NOW + DAY);
        writeTarkFile(access, Jwt.opaque("rt"), null, null, null);
        assertEquals(access, auth.current().tokens.accessToken);
        assertTrue(host.requests().isEmpty());
        assertTrue(host.storage.isEmpty(), "nothing to keep when nothing was refreshed");
    }

    @Test
    void expiresAtInSecondsIsHonoured() throws AuthFailure {
        // The JWT says a day, expires_at says it is expired: expires_at wins and a refresh happens.
        writeTarkFile(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, NOW - 10, null);
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, null, null, -1));
        assertEquals(newAccess, auth.current().tokens.accessToken);
        assertEquals(1, host.requests().size());
    }

    @Test
    void expiresAtInMillisecondsIsHonoured() throws AuthFailure {
        String access = Jwt.access(NOW - DAY);
        writeTarkFile(access, Jwt.opaque("rt"), null, (NOW + HOUR) * 1000, null);
        assertEquals(access, auth.current().tokens.accessToken, "valid for an hour by expires_at (ms)");
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void floatAndStringExpiresAtAreHonoured() throws AuthFailure {
        String access = Jwt.opaque("at");
        writeTarkFile(access, Jwt.opaque("rt"), null, (double) (NOW + HOUR) + 0.5, null);
        assertEquals(access, auth.current().tokens.accessToken);
        writeTarkFile(access, Jwt.opaque("rt"), null, String.valueOf(NOW + HOUR), null);
        assertEquals(access, freshInstance().current().tokens.accessToken);
        assertTrue(host.requests().isEmpty());
        writeTarkFile(access, Jwt.opaque("rt"), null, (double) (NOW - HOUR) + 0.5, null);
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, null, null, -1));
        assertEquals(newAccess, freshInstance().current().tokens.accessToken, "an expired float expires_at refreshes");
    }

    @Test
    void absentExpiresAtFallsBackToTheJwtExp() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - 1), Jwt.opaque("rt"), null, null, null);
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, null, null, -1));
        assertEquals(newAccess, auth.current().tokens.accessToken);
    }

    @Test
    void opaqueTokenWithoutExpiresAtIsValid() throws AuthFailure {
        String access = Jwt.opaque("at");
        writeTarkFile(access, Jwt.opaque("rt"), null, null, null);
        host.setNow(Long.MAX_VALUE / 4);
        assertEquals(access, auth.current().tokens.accessToken);
        assertTrue(host.requests().isEmpty());
        assertEquals(1, auth.status());
    }

    @Test
    void refreshesWhenLessThanTheMarginRemains() throws AuthFailure {
        String access = Jwt.access(NOW + MARGIN);
        writeTarkFile(access, Jwt.opaque("rt"), null, null, null);
        assertEquals(access, auth.current().tokens.accessToken, "exactly the margin left: still used");
        assertTrue(host.requests().isEmpty());

        host.advance(1000);
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, null, null, -1));
        assertEquals(newAccess, auth.current().tokens.accessToken, "a second less than the margin left: refreshed");
        assertEquals(1, host.requests().size());
    }

    // ---- refresh and rotation ----

    @Test
    void refreshIsPersistedAndTheNextInstanceUsesTheRotatedTokens() throws AuthFailure {
        String oldRefresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.access(NOW - HOUR), oldRefresh, Jwt.withAccount(NOW - HOUR, "acct-1"), null, null);
        String newAccess = Jwt.access(NOW + 10 * DAY);
        String newRefresh = Jwt.opaque("rt");
        String newId = Jwt.withAccount(NOW + 10 * DAY, "acct-1");
        host.reply(200, Fixtures.tokenReply(newAccess, newRefresh, newId, 864_000));

        Credentials fresh = auth.current().tokens;
        assertEquals(newAccess, fresh.accessToken);
        assertEquals(newRefresh, fresh.refreshToken);
        assertEquals(oldRefresh, host.requests().get(0).jsonBody().getString("refresh_token", null));

        // Persisted before current() returned: storage already holds the successor, sealed.
        Credentials stored = stored(oldRefresh);
        assertEquals(newRefresh, stored.refreshToken);
        assertEquals(newAccess, stored.accessToken);
        host.assertNoSecretIn(host.disk().text(), "storage.json");
        List<String> events = host.events();
        int post = events.indexOf("http.post " + TokenRefresher.TOKEN_URL);
        int save = events.indexOf("storage.set " + TokenVault.KEY);
        assertTrue(post >= 0 && save > post, events.toString());

        // tark's next provider init: a fresh instance, same file, same storage.
        Credentials next = freshInstance().current().tokens;
        assertEquals(newAccess, next.accessToken);
        assertEquals(newRefresh, next.refreshToken);
        assertEquals("acct-1", next.accountId().value);
        assertEquals(1, host.requests().size(), "no second refresh");
    }

    @Test
    void aRefreshingInitReadsStorageOnDiskOnceBeforeSpendingTheRefreshToken() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        assertEquals(Handover.REFRESHED, auth.current().why);
        List<String> events = host.events();
        List<String> beforePost = events.subList(0, events.indexOf("http.post " + TokenRefresher.TOKEN_URL));
        assertEquals(1, beforePost.stream().filter(e -> e.equals("fs.read " + Fixtures.STORAGE_PATH)).count(),
                "one look at other sessions' refusals and refreshes: " + beforePost);
        assertTrue(beforePost.stream().noneMatch(e -> e.startsWith("storage.set")), beforePost.toString());
    }

    @Test
    void theHandoverSaysWhy() throws AuthFailure {
        String fileRefresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.lived(NOW + HOUR, 10 * DAY), fileRefresh, null, null, null);
        host.reply(503, "down for maintenance");
        Handover kept = auth.current();
        assertEquals(Handover.KEPT_VALID, kept.why, "due, the refresh failed for now, the token is still valid");
        assertTrue(kept.refreshTried);
        assertNull(kept.failure);

        String rotated = Jwt.lived(NOW + 10 * DAY, 10 * DAY);
        host.reply(200, Fixtures.tokenReply(rotated, Jwt.opaque("rt"), null, -1));
        Handover refreshed = freshInstance().current();
        assertEquals(Handover.REFRESHED, refreshed.why);
        assertEquals(rotated, refreshed.tokens.accessToken);
        assertEquals(RefreshDecision.USE, freshInstance().current().why, "not due: used as they are");

        // An instance that loaded storage before the next refresh finds the other session's tokens on disk.
        host.advance(9 * DAY * 1000);
        ChatGptAuth late = freshInstance();
        late.status(); // loads its copy of storage
        host.reply(200, Fixtures.tokenReply(Jwt.lived(NOW + 20 * DAY, 10 * DAY), Jwt.opaque("rt"), null, -1));
        freshInstance().refreshNow();
        Handover other = late.current();
        assertEquals(Handover.OTHER_SESSION, other.why);
        assertEquals(3, host.requests().size(), "the late instance spends nothing");
    }

    @Test
    void theNextRefreshSpendsTheRotatedRefreshToken() throws AuthFailure {
        String fileRefresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.access(NOW - HOUR), fileRefresh, null, null, null);
        String secondRefresh = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + HOUR), secondRefresh, null, 3600));
        auth.current();

        host.advance(2 * HOUR * 1000);
        String thirdAccess = Jwt.access(NOW + 3 * HOUR + DAY);
        String thirdRefresh = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(thirdAccess, thirdRefresh, null, -1));
        Credentials third = freshInstance().current().tokens;
        assertEquals(thirdAccess, third.accessToken);
        assertEquals(2, host.requests().size());
        assertEquals(secondRefresh, host.requests().get(1).jsonBody().getString("refresh_token", null),
                "the file's refresh token is dead; the stored successor is spent");

        assertEquals(thirdAccess, freshInstance().current().tokens.accessToken);
        assertEquals(2, host.requests().size());
    }

    @Test
    void refreshWithoutANewRefreshTokenKeepsTheOldOne() throws AuthFailure {
        String oldRefresh = Jwt.opaque("rt");
        String oldId = Jwt.withAccount(NOW - HOUR, "acct-keep");
        writeTarkFile(Jwt.access(NOW - HOUR), oldRefresh, oldId, null, null);
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, null, null, -1));
        Credentials fresh = auth.current().tokens;
        assertEquals(oldRefresh, fresh.refreshToken);
        assertEquals(oldId, fresh.idToken);
        assertEquals((NOW + DAY) * 1000, fresh.expiresAtMillis);
        Credentials next = freshInstance().current().tokens;
        assertEquals(newAccess, next.accessToken);
        assertEquals(oldRefresh, next.refreshToken);
        assertEquals("acct-keep", next.accountId().value);
        assertEquals(1, host.requests().size());
    }

    @Test
    void expiresInSetsTheStoredExpiry() throws AuthFailure {
        String fileRefresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.access(NOW - HOUR), fileRefresh, null, null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.opaque("at"), Jwt.opaque("rt"), null, 1800));
        assertEquals(Jwt.NOW_MILLIS + 1_800_000, auth.current().tokens.expiresAtMillis);
        assertEquals((NOW + 1800) * 1000, stored(fileRefresh).expiresAtMillis);

        // Later, with half the margin left, the stored token is refreshed in turn.
        host.advance((1800 - MARGIN / 2) * 1000);
        String third = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(third, null, null, -1));
        assertEquals(third, freshInstance().current().tokens.accessToken);
        assertEquals(2, host.requests().size());
    }

    @Test
    void storageFailureStillReturnsTheFreshTokensWithAWarning() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.failStorageSet = true;
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        assertEquals(newAccess, auth.current().tokens.accessToken);
        assertEquals(1, host.logs("warn").size());
        assertTrue(host.logs("warn").get(0).message.contains("storage"));
    }

    @Test
    void anAlreadyExpiredRefreshedTokenIsNotHandedOutButItsSuccessorIsKept() throws AuthFailure {
        String fileRefresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.access(NOW - HOUR), fileRefresh, null, null, null);
        String newRefresh = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW - MINUTE), newRefresh, null, -1));
        AuthFailure failure = currentFails();
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
        assertTrue(failure.getMessage().contains("clock"), failure.getMessage());
        assertEquals(newRefresh, stored(fileRefresh).refreshToken, "the old refresh token is spent: keep the new one");

        // The next attempt spends the stored successor, not the file's dead token.
        String goodAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(goodAccess, Jwt.opaque("rt"), null, -1));
        assertEquals(goodAccess, freshInstance().current().tokens.accessToken);
        assertEquals(newRefresh, host.requests().get(1).jsonBody().getString("refresh_token", null));
    }

    @Test
    void forcedRefreshEvenWhenValid() throws AuthFailure {
        String access = Jwt.access(NOW + DAY);
        String refresh = Jwt.opaque("rt");
        writeTarkFile(access, refresh, null, null, null);
        String newAccess = Jwt.access(NOW + 2 * DAY);
        String newRefresh = Jwt.opaque("rt");
        host.reply(200, Fixtures.tokenReply(newAccess, newRefresh, null, -1));
        Credentials fresh = auth.refreshNow().tokens;
        assertEquals(newAccess, fresh.accessToken);
        assertEquals(1, host.requests().size());
        assertEquals(refresh, host.requests().get(0).jsonBody().getString("refresh_token", null));
        assertEquals(newAccess, freshInstance().current().tokens.accessToken, "persisted as any refresh");
        assertEquals(1, host.requests().size());
    }

    @Test
    void forcedRefreshWithoutARefreshTokenFails() {
        writeTarkFile(Jwt.access(NOW + DAY), null, null, null, null);
        AuthFailure failure = assertThrows(AuthFailure.class, () -> auth.refreshNow());
        assertEquals(AuthFailure.EXPIRED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void expiredWithoutARefreshTokenIsExpired() throws AuthFailure {
        String access = Jwt.access(NOW + MARGIN / 2);
        writeTarkFile(access, null, null, null, null);
        assertEquals(access, auth.current().tokens.accessToken, "not expired yet, and nothing to refresh it with");
        host.advance((MARGIN / 2 + MINUTE) * 1000);
        AuthFailure failure = currentFails();
        assertEquals(AuthFailure.EXPIRED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
        assertTrue(host.requests().isEmpty());
        assertEquals(3, auth.status());
    }

    // ---- refresh failures ----

    @Test
    void rejectedRefreshIsRememberedAndAnotherSessionsSaveStillWins() throws AuthFailure {
        String deadRefresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.access(NOW - HOUR), deadRefresh, null, null, null);
        host.reply(400, "{\"error\":\"refresh_token_reused\",\"error_description\":\"Already used\"}");
        AuthFailure failure = currentFails();
        assertEquals(AuthFailure.REFRESH_REJECTED, failure.code());
        assertTrue(failure.getMessage().contains("refresh_token_reused"), failure.getMessage());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"), failure.getMessage());
        assertTrue(failure.getMessage().contains("retry"), failure.getMessage());
        assertEquals(1, host.requests().size());
        // Only the one-way mark and the failure's line are written, built from storage.json as on disk
        // (not a stale copy).
        JsonObject stored = Json.parse(host.disk().get(TokenVault.KEY)).asObject();
        assertEquals(Json.parse("[\"" + StoredLogins.refusalMark(deadRefresh) + "\"]"), stored.get("refused"));
        assertEquals(Set.of("refused", "failure_for", "failure"), Set.copyOf(stored.names()), stored.toString());
        assertEquals(failure.getMessage(), stored.getString("failure", null));
        assertFalse(host.disk().text().contains(deadRefresh.substring(3, 19)));

        // The next instance does not present the refused token again.
        assertEquals(AuthFailure.REFRESH_REJECTED, assertThrows(AuthFailure.class, () -> freshInstance().current()).code());
        assertEquals(1, host.requests().size());

        // Another tark session won the race and stored the successor: the next instance uses it.
        String rotated = Jwt.access(NOW + DAY);
        new TokenVault(host.session()).save(Lineage.of(deadRefresh), Fixtures.TARK_PATH,
                new Credentials(rotated, Jwt.opaque("rt"), null, null, (NOW + DAY) * 1000));
        assertEquals(rotated, freshInstance().current().tokens.accessToken);
        assertEquals(1, host.requests().size(), "no request: the stored successor is valid");
    }

    @Test
    void rejectedRefreshWhileStillValidKeepsWorkingUntilTheMargin() throws AuthFailure {
        String access = Jwt.access(NOW + DAY);
        writeTarkFile(access, Jwt.opaque("rt"), null, null, null);
        host.reply(401, "{\"error\":{\"code\":\"refresh_token_invalidated\"}}");
        assertEquals(AuthFailure.REFRESH_REJECTED, assertThrows(AuthFailure.class, () -> auth.refreshNow()).code());
        assertEquals(access, freshInstance().current().tokens.accessToken, "the access token is still good");
        assertEquals(1, freshInstance().status());
        assertEquals(1, host.requests().size());
    }

    @Test
    void serverErrorIsARefreshFailureAndALaterAttemptMayWork() throws AuthFailure {
        String refresh = Jwt.opaque("rt");
        writeTarkFile(Jwt.access(NOW - HOUR), refresh, null, null, null);
        host.reply(503, "{\"error\":\"temporarily_unavailable\"}");
        assertEquals(AuthFailure.REFRESH_FAILED, currentFails().code());
        assertEquals(0, StoredLogins.parse(host.disk().get(TokenVault.KEY)).size(), "no tokens learned, none kept");
        assertFalse(host.disk().text().contains(refresh.substring(3, 19)));
        assertEquals(1, auth.status(), "still refreshable");

        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        assertEquals(newAccess, freshInstance().current().tokens.accessToken);
        assertEquals(2, host.requests().size());
        assertEquals(refresh, host.requests().get(1).jsonBody().getString("refresh_token", null));
    }

    @Test
    void transportErrorIsARefreshFailure() {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.reply(HttpReply.transportError("operation timed out"));
        AuthFailure failure = currentFails();
        assertEquals(AuthFailure.REFRESH_FAILED, failure.code());
        assertEquals(0, StoredLogins.parse(host.disk().get(TokenVault.KEY)).size(), "no tokens kept");
    }

    @Test
    void anExpiredTokenIsNeverReturnedAfterAFailedRefresh() {
        writeTarkFile(Jwt.access(NOW - 1), Jwt.opaque("rt"), null, null, null);
        host.handleHttp(request -> HttpReply.response(500, ""));
        for (int i = 0; i < 3; i++) {
            assertThrows(AuthFailure.class, () -> freshInstance().current());
            assertThrows(AuthFailure.class, () -> freshInstance().refreshNow());
        }
    }

    // ---- the file is the source of truth ----

    @Test
    void aNewLoginWinsAndTheOldLoginsEntryIsIgnoredNotDeleted() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), Jwt.withAccount(NOW, "acct-old"), null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        auth.current();
        String entry = host.disk().get(TokenVault.KEY);
        assertNotNull(entry);

        // Re-login, maybe as another account: a refresh token never seen.
        String otherAccess = Jwt.access(NOW + DAY);
        writeTarkFile(otherAccess, Jwt.opaque("rt"), Jwt.withAccount(NOW + DAY, "acct-other"), null, null);
        for (ChatGptAuth instance : new ChatGptAuth[] {auth, freshInstance()}) {
            Credentials now = instance.current().tokens;
            assertEquals(otherAccess, now.accessToken);
            assertEquals("acct-other", now.accountId().value);
        }
        assertEquals(entry, host.disk().get(TokenVault.KEY), "ignored, not deleted: a stale view must not write");
        assertEquals(1, host.requests().size());
    }

    @Test
    void deletedFileIsNotAuthenticatedWhateverStorageHolds() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        auth.current();
        assertTrue(host.disk().containsKey(TokenVault.KEY));

        host.files.remove(TARK_PATH); // tark auth logout: the file goes, storage.json stays
        AuthFailure failure = assertThrows(AuthFailure.class, () -> freshInstance().current());
        assertFalse(host.disk().containsKey(TokenVault.KEY), "the logged-out login's tokens are forgotten");
        assertEquals(AuthFailure.NOT_AUTHENTICATED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
        assertEquals(AuthFailure.NOT_AUTHENTICATED,
                assertThrows(AuthFailure.class, () -> freshInstance().refreshNow()).code());
        assertEquals(2, freshInstance().status());
        assertEquals(1, host.requests().size());
    }

    @Test
    void deletedFileFallsBackToCodexNotToStoredTokens() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        String refreshedAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(refreshedAccess, Jwt.opaque("rt"), null, -1));
        auth.current();
        host.files.remove(TARK_PATH);
        String codexAccess = Jwt.access(NOW + DAY);
        host.file(CODEX_PATH, Fixtures.codexFile(codexAccess, Jwt.opaque("rt"), null, null));
        assertEquals(codexAccess, freshInstance().current().tokens.accessToken);
    }

    // ---- Codex CLI ----

    @Test
    void validCodexLoginIsUsed() throws AuthFailure {
        String access = Jwt.withAccount(NOW + DAY, "acct-codex");
        host.file(CODEX_PATH, Fixtures.codexFile(access, Jwt.opaque("rt"), null, null));
        Credentials credentials = auth.current().tokens;
        assertEquals(access, credentials.accessToken);
        assertEquals("acct-codex", credentials.accountId().value);
        assertEquals(1, auth.status());
        assertTrue(host.requests().isEmpty());
        assertTrue(host.storage.isEmpty());
    }

    @Test
    void codexLoginWithinTheMarginIsStillUsedAndNeverRefreshed() throws AuthFailure {
        String access = Jwt.access(NOW + MARGIN / 2);
        host.file(CODEX_PATH, Fixtures.codexFile(access, Jwt.opaque("rt"), null, null));
        assertEquals(access, auth.current().tokens.accessToken);
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void expiredCodexLoginIsExpiredAndNamesCodex() {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - MINUTE), Jwt.opaque("rt"), null, null));
        AuthFailure failure = currentFails();
        assertEquals(AuthFailure.EXPIRED, failure.code());
        assertTrue(failure.getMessage().contains("`codex`"), failure.getMessage());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"), failure.getMessage());
        assertEquals(3, auth.status());
        assertTrue(host.requests().isEmpty(), "the Codex CLI's refresh token is never spent");
        assertTrue(host.storage.isEmpty());
    }

    @Test
    void forcedRefreshOfACodexLoginFailsWithoutSpendingItsToken() {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null));
        AuthFailure failure = assertThrows(AuthFailure.class, () -> auth.refreshNow());
        assertEquals(AuthFailure.EXPIRED, failure.code());
        assertTrue(failure.getMessage().contains("codex"));
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void codexStoredStateIsIgnored() throws AuthFailure {
        // Even tokens stored under the Codex login's own lineage are not used: it is never refreshed here.
        String codexRefresh = Jwt.opaque("rt");
        String codexAccess = Jwt.access(NOW + DAY);
        host.file(CODEX_PATH, Fixtures.codexFile(codexAccess, codexRefresh, null, null));
        Credentials other = new Credentials(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, Expiry.UNKNOWN);
        host.secret(other.accessToken);
        new TokenVault(host.session()).save(Lineage.of(codexRefresh), Fixtures.TARK_PATH, other);
        assertEquals(codexAccess, freshInstance().current().tokens.accessToken);
    }

    // ---- provider_auth_init ----

    @Test
    void adoptedCredentialsAreUsedWhenThereIsNoFileByThisInstanceOnly() throws AuthFailure {
        String access = Jwt.access(NOW + DAY);
        auth.adopt(Fixtures.tarkFile(access, Jwt.opaque("rt"), null, null, "acct-init"));
        Credentials credentials = auth.current().tokens;
        assertEquals(access, credentials.accessToken);
        assertEquals("acct-init", credentials.accountId().value);
        assertTrue(host.storage.isEmpty(), "kept in memory: tark's logout deletes only the file");
        assertEquals(AuthFailure.NOT_AUTHENTICATED,
                assertThrows(AuthFailure.class, () -> freshInstance().current()).code());
    }

    @Test
    void adoptedCredentialsRefreshLikeTheFile() throws AuthFailure {
        String refresh = Jwt.opaque("rt");
        auth.adopt(Fixtures.tarkFile(Jwt.access(NOW - HOUR), refresh, null, null, null));
        String newAccess = Jwt.access(NOW + DAY);
        host.reply(200, Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1));
        assertEquals(newAccess, auth.current().tokens.accessToken);
        assertEquals(refresh, host.requests().get(0).jsonBody().getString("refresh_token", null));
        assertEquals(newAccess, auth.current().tokens.accessToken);
        assertEquals(1, host.requests().size());
    }

    @Test
    void logoutDropsAdoptedCredentials() throws AuthFailure {
        auth.adopt(Fixtures.tarkFile(Jwt.access(NOW + DAY), null, null, null, null));
        auth.logout();
        assertEquals(AuthFailure.NOT_AUTHENTICATED, currentFails().code());
    }

    @Test
    void theFileWinsOverAdoptedCredentials() throws AuthFailure {
        auth.adopt(Fixtures.tarkFile(Jwt.access(NOW + DAY), null, null, null, null));
        String fileAccess = Jwt.access(NOW + DAY);
        writeTarkFile(fileAccess, null, null, null, null);
        assertEquals(fileAccess, auth.current().tokens.accessToken);
    }

    @Test
    void malformedAdoptedCredentialsAreRefusedAndNotKept() {
        AuthFailure failure = assertThrows(AuthFailure.class, () -> auth.adopt("{\"token\":\"x\"}"));
        assertEquals(AuthFailure.INVALID_CREDENTIALS, failure.code());
        assertEquals(AuthFailure.NOT_AUTHENTICATED, currentFails().code());
        assertEquals(AuthFailure.INVALID_CREDENTIALS,
                assertThrows(AuthFailure.class, () -> auth.adopt("not json")).code());
    }

    // ---- status and logout ----

    @Test
    void statusValues() throws AuthFailure {
        assertEquals(2, auth.status(), "nothing anywhere");

        writeTarkFile(Jwt.access(NOW + DAY), null, null, null, null);
        assertEquals(1, auth.status());

        writeTarkFile(Jwt.access(NOW - DAY), Jwt.opaque("rt"), null, null, null);
        assertEquals(1, auth.status(), "expired but refreshable");

        writeTarkFile(Jwt.access(NOW - DAY), null, null, null, null);
        assertEquals(3, auth.status(), "expired and nothing to refresh with");

        host.files.put(TARK_PATH, "garbage");
        assertEquals(2, auth.status(), "unusable file");

        host.files.remove(TARK_PATH);
        host.deniedPaths.add(TARK_PATH);
        assertEquals(2, auth.status(), "refused file");
        assertTrue(host.requests().isEmpty(), "status never refreshes");
    }

    @Test
    void statusSeesStoredRefreshedTokens() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), null, null, -1));
        auth.current();
        assertEquals(1, freshInstance().status());
    }

    @Test
    void statusWritesNothingEvenWhenTheFileIsGone() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        auth.current();
        host.files.remove(TARK_PATH);
        ChatGptAuth next = freshInstance();
        int eventsBefore = host.events().size();
        assertEquals(2, next.status(), "logged out");
        List<String> asked = host.events().subList(eventsBefore, host.events().size());
        assertTrue(asked.stream().noneMatch(e -> e.startsWith("storage.set") || e.startsWith("storage.delete")),
                asked.toString());
        assertTrue(host.disk().containsKey(TokenVault.KEY), "asking for the status forgets nothing");
        assertEquals(2, next.status());
        assertThrows(AuthFailure.class, () -> next.current());
        assertFalse(host.disk().containsKey(TokenVault.KEY), "a provider init forgets the logged-out login");
    }

    @Test
    void logoutDropsEverythingStored() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null);
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, -1));
        auth.current();
        auth.adopt(Fixtures.tarkFile(Jwt.access(NOW + DAY), null, null, null, null));
        assertFalse(host.storage.isEmpty());

        host.reply(200, "{}"); // the revocation
        auth.logout();
        assertTrue(host.storage.isEmpty(), host.storage.toString());
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        host.files.remove(TARK_PATH);
        assertEquals(2, freshInstance().status());
    }

    // ---- account id ----

    @Test
    void accountIdPrecedence() throws AuthFailure {
        String idWithClaim = Jwt.withAccount(NOW + DAY, "acct-id");
        String accessWithClaim = Jwt.withAccount(NOW + DAY, "acct-access");
        writeTarkFile(accessWithClaim, null, idWithClaim, null, "acct-stored");
        assertEquals("acct-id", auth.current().tokens.accountId().value);

        writeTarkFile(accessWithClaim, null, Jwt.access(NOW + DAY), null, "acct-stored");
        assertEquals("acct-access", auth.current().tokens.accountId().value);

        writeTarkFile(Jwt.token(Jwt.claims(NOW + DAY).add("chatgpt_account_id", "acct-top")), null, null, null,
                "acct-stored");
        assertEquals("acct-top", auth.current().tokens.accountId().value);

        // An organisation is an API organisation, not the ChatGPT workspace: never sent.
        writeTarkFile(Jwt.token(Jwt.claims(NOW + DAY).add("organizations",
                Json.parse("[{\"id\":\"org-1\"},{\"id\":\"org-2\"}]"))), null, null, null, "acct-stored");
        assertEquals("acct-stored", auth.current().tokens.accountId().value);

        writeTarkFile(Jwt.access(NOW + DAY), null, null, null, "acct-stored");
        assertEquals("acct-stored", auth.current().tokens.accountId().value);

        writeTarkFile(Jwt.access(NOW + DAY), null, null, null, null);
        assertNull(auth.current().tokens.accountId().value);
    }

    // ---- auth_process_tokens ----

    @Test
    void processTokensWritesTheTokensExpiryAndAccountOnly() throws AuthFailure {
        String access = Jwt.access(NOW + 10 * DAY);
        String refresh = Jwt.opaque("rt");
        String id = Jwt.withAccount(NOW + HOUR, "acct-login");
        String reply = new JsonObject().add("access_token", access).add("refresh_token", refresh)
                .add("id_token", id).add("expires_in", 3600).add("token_type", "Bearer")
                .add("scope", "openid profile email offline_access")
                .add("extra", new JsonObject().add("nested", "é")).toString();
        host.rememberSecretsIn(reply);
        host.setNow(Jwt.NOW_MILLIS + 999);

        JsonObject file = Json.parse(auth.processTokens(reply)).asObject();
        assertEquals(List.of("access_token", "refresh_token", "id_token", "expires_at", "account_id"), file.names());
        assertEquals(access, file.getString("access_token", null));
        assertEquals(refresh, file.getString("refresh_token", null));
        assertEquals(id, file.getString("id_token", null));
        assertEquals(NOW + 3600, file.getLong("expires_at", 0), "now + expires_in, in seconds");
        assertEquals("acct-login", file.getString("account_id", null));
        assertTrue(host.requests().isEmpty());
        assertTrue(host.storage.isEmpty());
    }

    @Test
    void processTokensLogsTheTermsNotice() throws AuthFailure {
        String reply = Fixtures.tokenReply(Jwt.opaque("at"), Jwt.opaque("rt"), null, 3600);
        host.rememberSecretsIn(reply);
        auth.processTokens(reply);
        List<String> info = host.messages("info");
        assertEquals(1, info.size(), info.toString());
        assertTrue(info.get(0).contains(ChatGptAuth.TERMS_NOTICE), info.get(0));
    }

    @Test
    void processTokensOutputReadsBackAsTheCredentialsFile() throws AuthFailure {
        String access = Jwt.opaque("at");
        String refresh = Jwt.opaque("rt");
        String reply = Fixtures.tokenReply(access, refresh, Jwt.withAccount(NOW + HOUR, "acct-9"), 7200);
        host.rememberSecretsIn(reply);
        host.file(TARK_PATH, auth.processTokens(reply));
        Credentials credentials = freshInstance().current().tokens;
        assertEquals(access, credentials.accessToken);
        assertEquals(refresh, credentials.refreshToken);
        assertEquals((NOW + 7200) * 1000, credentials.expiresAtMillis);
        assertEquals("acct-9", credentials.accountId().value);
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void processTokensWithoutExpiresInUsesTheJwtExp() throws AuthFailure {
        String reply = Fixtures.tokenReply(Jwt.access(NOW + 5 * DAY), Jwt.opaque("rt"), null, -1);
        host.rememberSecretsIn(reply);
        JsonObject file = Json.parse(auth.processTokens(reply)).asObject();
        assertEquals(NOW + 5 * DAY, file.getLong("expires_at", 0));
        assertNull(file.get("account_id"), "no account anywhere: none added");
    }

    @Test
    void processTokensWithAnOpaqueTokenAddsNoExpiry() throws AuthFailure {
        String reply = Fixtures.tokenReply(Jwt.opaque("at"), null, null, -1);
        host.rememberSecretsIn(reply);
        JsonObject file = Json.parse(auth.processTokens(reply)).asObject();
        assertNull(file.get("expires_at"));
    }

    @Test
    void processTokensTakesTheAccountIdFromTheTokensOnly() throws AuthFailure {
        // Version 0.3 kept a reply's own account_id; the token endpoint sends none, so it is no longer read.
        String reply = new JsonObject().add("access_token", Jwt.opaque("at")).add("account_id", "acct-given").toString();
        host.rememberSecretsIn(reply);
        assertNull(Json.parse(auth.processTokens(reply)).asObject().get("account_id"));
    }

    @Test
    void processTokensWithoutAnAccessTokenIsBadInput() {
        for (String bad : new String[] {"{}", "{\"refresh_token\":\"" + Jwt.opaque("rt") + "\"}",
                "{\"access_token\":\"\"}", "not json", "[]", ""}) {
            host.rememberSecretsIn(bad);
            AuthFailure failure = assertThrows(AuthFailure.class, () -> auth.processTokens(bad), bad);
            assertEquals(AuthFailure.BAD_INPUT, failure.code());
            assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
        }
    }

    // ---- the diagnostics line, which plugin/tools/check.py reads ----

    private List<JsonObject> diagnostics() {
        List<JsonObject> lines = new java.util.ArrayList<>();
        for (FakeHost.Log log : host.logs("debug")) {
            if (log.message.startsWith("diagnostics ")) {
                lines.add(Json.parse(log.message.substring("diagnostics ".length())).asObject());
            }
        }
        return lines;
    }

    @Test
    void diagnosticsDescribeTheCredentialsOncePerChange() throws AuthFailure {
        writeTarkFile(Jwt.withAccount(NOW + DAY, "acct-diag"), Jwt.opaque("rt"), null, NOW + HOUR, null);
        auth.current();
        auth.current();
        assertEquals(1, diagnostics().size(), "unchanged credentials are described once");
        JsonObject line = diagnostics().get(0);
        Set<String> fields = Set.of("source", "location", "tokens", "account_id", "expires_at", "lifetime_seconds",
                "refresh_at", "expired", "refresh_due", "may_refresh", "refresh_margin_seconds", "refresh_margin_reason");
        assertEquals(fields, Set.copyOf(line.names()), "the fields the check reads, and no other");
        assertEquals(fields.size(), line.size(), "each once");
        assertEquals("tark_file", line.getString("source", null));
        assertEquals(TARK_PATH, line.getString("location", null));
        assertEquals("source", line.getString("tokens", null), "the file's own tokens, nothing stored");
        assertEquals("acct-diag", line.getString("account_id", null));
        assertEquals(NOW + HOUR, line.get("expires_at").asLong(), "expires_at wins over the JWT's exp");
        assertEquals(Json.NULL, line.get("lifetime_seconds"), "no iat: the lifetime is unknown");
        assertEquals(NOW + HOUR - MARGIN, line.get("refresh_at").asLong());
        assertFalse(line.get("expired").asBoolean());
        assertFalse(line.get("refresh_due").asBoolean());
        assertTrue(line.get("may_refresh").asBoolean());
        assertEquals(MARGIN, line.get("refresh_margin_seconds").asLong());
        assertEquals(Expiry.marginReason(Expiry.UNKNOWN), line.getString("refresh_margin_reason", null));

        writeTarkFile(Jwt.access(NOW + DAY), null, null, null, null);
        auth.current();
        assertEquals(2, diagnostics().size(), "a changed file is described again");
        JsonObject changed = diagnostics().get(1);
        assertEquals(Json.NULL, changed.get("account_id"));
        assertEquals(NOW + DAY, changed.get("expires_at").asLong(), "the JWT's exp, without expires_at");
        assertFalse(changed.get("may_refresh").asBoolean(), "no refresh token");
    }

    @Test
    void diagnosticsComeBeforeTheRefreshAndDescribeTheNewTokensAfterIt() throws AuthFailure {
        writeTarkFile(Jwt.access(NOW + MARGIN / 2), Jwt.opaque("rt"), null, null, "acct-file");
        String newAccess = Jwt.withAccount(NOW + DAY, "acct-new");
        String reply = Fixtures.tokenReply(newAccess, Jwt.opaque("rt"), null, -1);
        host.rememberSecretsIn(reply);
        int[] linesAtRequest = {-1};
        host.handleHttp(request -> {
            linesAtRequest[0] = diagnostics().size();
            return HttpReply.response(200, reply);
        });
        auth.current();
        assertEquals(1, linesAtRequest[0], "described before the refresh is attempted");
        JsonObject before = diagnostics().get(0);
        assertEquals("source", before.getString("tokens", null));
        assertFalse(before.get("expired").asBoolean());
        assertTrue(before.get("refresh_due").asBoolean());
        assertTrue(before.get("may_refresh").asBoolean());

        assertEquals(2, diagnostics().size());
        JsonObject after = diagnostics().get(1);
        assertEquals("storage", after.getString("tokens", null));
        assertEquals("acct-new", after.getString("account_id", null));
        assertEquals(NOW + DAY, after.get("expires_at").asLong());
        assertFalse(after.get("refresh_due").asBoolean());

        freshInstance().current();
        assertEquals("storage", diagnostics().get(2).getString("tokens", null), "recovered from storage");
    }

    @Test
    void diagnosticsOfACodexLoginSayItMayNotBeRefreshed() throws AuthFailure {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - MINUTE), Jwt.opaque("rt"), null, "acct-codex"));
        assertThrows(AuthFailure.class, () -> auth.current());
        JsonObject line = diagnostics().get(0);
        assertEquals("codex_cli", line.getString("source", null));
        assertEquals(CODEX_PATH, line.getString("location", null));
        assertTrue(line.get("expired").asBoolean());
        assertFalse(line.get("may_refresh").asBoolean());
    }

    @Test
    void noDiagnosticsWithoutCredentials() {
        assertThrows(AuthFailure.class, () -> auth.current());
        assertTrue(diagnostics().isEmpty());
    }

    // ---- sources order through the rules ----

    @Test
    void sourcesInOrder() throws AuthFailure {
        String codex = Jwt.access(NOW + DAY);
        host.file(CODEX_PATH, Fixtures.codexFile(codex, null, null, null));
        assertEquals(codex, auth.current().tokens.accessToken);

        String adopted = Jwt.access(NOW + DAY);
        auth.adopt(Fixtures.tarkFile(adopted, null, null, null, null));
        assertEquals(adopted, auth.current().tokens.accessToken);

        String file = Jwt.access(NOW + DAY);
        writeTarkFile(file, null, null, null, null);
        assertEquals(file, auth.current().tokens.accessToken);
    }
}
