package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.HttpReply;

/**
 * tark takes the token once, at provider init, for the whole session: the refresh comes early (by
 * {@link Expiry}'s rule), and an early refresh that fails leaves a still-valid token in use.
 */
class SessionTokenTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    /** ChatGPT's access tokens live about ten days. */
    private static final long LIFETIME = 10 * DAY;
    /** Derived from the rule, not written down: the margin of such a token, in seconds. */
    private static final long MARGIN = Expiry.refreshMargin(LIFETIME * 1000) / 1000;

    private String root;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
        root = Jwt.opaque("rt");
    }

    private String loginExpiringIn(long seconds) {
        String access = Jwt.lived(NOW + seconds, LIFETIME);
        host.file(TARK_PATH, Fixtures.tarkFile(access, root, null, null, null));
        return access;
    }

    private static String tokenOf(Reply reply) {
        assertFalse(reply.isFailure(), "failed with " + reply.code);
        return Json.parse(reply.text).asObject().getString("access_token", null);
    }

    @Test
    void aTokenWithMoreThanTheMarginLeftIsNotRefreshed() {
        String access = loginExpiringIn(MARGIN + 60);
        assertEquals(access, tokenOf(Reply.of(new Provider(host), Provider::credentials)));
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void anHourLeftOfATenDayTokenIsRefreshedAtInit() {
        loginExpiringIn(HOUR);
        String fresh = Jwt.lived(NOW + LIFETIME, LIFETIME);
        host.reply(200, Fixtures.tokenReply(fresh, Jwt.opaque("rt"), null, LIFETIME));
        assertEquals(fresh, tokenOf(Reply.of(new Provider(host), Provider::credentials)));
        assertEquals(1, host.requests().size());
        assertTrue(host.errors().isEmpty(), host.errors().toString());
    }

    @Test
    void justInsideTheMarginIsRefreshed() {
        loginExpiringIn(MARGIN - 1);
        String fresh = Jwt.lived(NOW + LIFETIME, LIFETIME);
        host.reply(200, Fixtures.tokenReply(fresh, Jwt.opaque("rt"), null, LIFETIME));
        assertEquals(fresh, tokenOf(Reply.of(new Provider(host), Provider::credentials)));
    }

    @Test
    void withoutAnIssueTimeTheMarginIsFiveMinutes() {
        String access = Jwt.access(NOW + HOUR);
        host.file(TARK_PATH, Fixtures.tarkFile(access, root, null, null, null));
        assertEquals(access, tokenOf(Reply.of(new Provider(host), Provider::credentials)));
        assertTrue(host.requests().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 408, 429, 500, 502, 503})
    void aRetryableFailureOfAnEarlyRefreshServesTheValidTokenWithOneWarning(int status) {
        String access = loginExpiringIn(HOUR);
        if (status == 0) {
            host.reply(HttpReply.transportError("connection refused"));
        } else {
            host.reply(status, "{\"error\":\"temporarily_unavailable\"}");
        }
        assertEquals(access, tokenOf(Reply.of(new Provider(host), Provider::credentials)));
        assertTrue(host.errors().isEmpty(), "no error line: " + host.errors());
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("still valid for about 60 minutes"), warnings.get(0));
        assertTrue(warnings.get(0).contains("next start tries"), warnings.get(0));
        assertTrue(host.disk().text() == null, "nothing written: the refresh token is still good");

        // The next init tries again, and succeeds.
        String fresh = Jwt.lived(NOW + LIFETIME, LIFETIME);
        host.reply(200, Fixtures.tokenReply(fresh, Jwt.opaque("rt"), null, LIFETIME));
        assertEquals(fresh, tokenOf(Reply.of(new Provider(host.session()), Provider::credentials)));
        assertEquals(2, host.requests().size());
    }

    @Test
    void anExpiredTokenWithAFailedRefreshIsMinusFour() {
        loginExpiringIn(-60);
        host.reply(503, "");
        Reply reply = Reply.of(new Provider(host), Provider::credentials);
        assertEquals(AuthFailure.REFRESH_FAILED, reply.code);
        assertEquals(1, host.errors().size());
    }

    @Test
    void aForcedRefreshThatFailsDoesNotServeTheTokenTheHostSawRefused() {
        loginExpiringIn(HOUR);
        host.reply(503, "");
        assertEquals(AuthFailure.REFRESH_FAILED, Reply.of(new Provider(host), Provider::refresh).code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid_grant", "refresh_token_reused", "refresh_token_expired"})
    void aRefusedEarlyRefreshServesTheValidTokenAndIsNotPresentedAgain(String code) {
        String access = loginExpiringIn(HOUR);
        host.reply(400, "{\"error\":\"" + code + "\"}");
        assertEquals(access, tokenOf(Reply.of(new Provider(host), Provider::credentials)));
        assertTrue(host.errors().isEmpty(), host.errors().toString());
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(code), warnings.get(0));
        assertTrue(warnings.get(0).contains("renew the login before then with `tark auth chatgpt-oauth`"),
                warnings.get(0));

        // Remembered one-way: the next inits serve the valid token without presenting the refused one.
        assertTrue(host.disk().get(TokenVault.KEY).contains(StoredLogins.refusalMark(root)));
        assertFalse(host.disk().text().contains(root.substring(3, 15)));
        assertEquals(access, tokenOf(Reply.of(new Provider(host.session()), Provider::credentials)));
        assertEquals(1, host.requests().size(), "the refused token is never presented again");

        // Once it has expired: log in again.
        host.setNow((NOW + HOUR + 1) * 1000);
        Reply expired = Reply.of(new Provider(host.session()), Provider::credentials);
        assertEquals(AuthFailure.REFRESH_REJECTED, expired.code);
        assertEquals(1, host.requests().size());
    }

    @Test
    void aRefusalIsRecoveredFromAnotherSessionsSaveFirst() {
        loginExpiringIn(HOUR);
        String theirs = Jwt.lived(NOW + LIFETIME, LIFETIME);
        // The other session saves between our storage load and our refresh's refusal.
        host.handleHttp(request -> {
            new TokenVault(host.session()).save(Lineage.of(root), TARK_PATH,
                    new Credentials(theirs, Jwt.opaque("rt"), null, null, (NOW + LIFETIME) * 1000));
            return HttpReply.response(400, "{\"error\":\"refresh_token_reused\"}");
        });
        Provider provider = new Provider(host);
        // storage is loaded lazily: make this instance load it before the other session saves
        assertEquals(theirs, tokenOf(Reply.of(provider, Provider::credentials)));
        assertTrue(host.messages("warn").isEmpty(), host.messages("warn").toString());
        assertFalse(host.disk().get(TokenVault.KEY).contains("refused"), "recovered: not a refusal");
    }

    @Test
    void aRefusalOfAnotherLoginsTokenDoesNotStopThisOne() {
        loginExpiringIn(HOUR);
        host.reply(400, "{\"error\":\"invalid_grant\"}");
        Reply.of(new Provider(host), Provider::credentials);
        // A new login (new refresh token) is refreshed as usual.
        root = Jwt.opaque("rt");
        loginExpiringIn(HOUR);
        String fresh = Jwt.lived(NOW + LIFETIME, LIFETIME);
        host.reply(200, Fixtures.tokenReply(fresh, Jwt.opaque("rt"), null, LIFETIME));
        assertEquals(fresh, tokenOf(Reply.of(new Provider(host.session()), Provider::credentials)));
        assertEquals(2, host.requests().size());
    }

    @Test
    void theDiagnosticsLineStatesLifetimeMarginAndWhenTheRefreshComes() {
        loginExpiringIn(3 * DAY);
        Reply.of(new Provider(host), Provider::credentials);
        String line = host.messages("debug").stream().filter(m -> m.startsWith(Diagnostics.PREFIX)).findFirst()
                .orElseThrow();
        var json = Json.parse(line.substring(Diagnostics.PREFIX.length())).asObject();
        assertEquals(LIFETIME, json.getLong("lifetime_seconds", -1));
        assertEquals(MARGIN, json.getLong("refresh_margin_seconds", -1));
        assertEquals(NOW + 3 * DAY - MARGIN, json.getLong("refresh_at", -1));
        assertEquals(Expiry.marginReason(LIFETIME * 1000), json.getString("refresh_margin_reason", null));
        assertFalse(json.getBoolean("refresh_due", true));
    }

    /**
     * The token endpoint says an hour ({@code expires_in}; a login writes it to the file as
     * {@code expires_at}) while every JWT says ten days: the margin is a share of the hour that counts,
     * so a provider init every five minutes for six hours refreshes about once an hour, never at every
     * init (which the JWT's ten-day lifetime, with its 2-day margin, used to cause: 72 refreshes).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anExpiryShorterThanTheJwtsIsRefreshedOncePerLifetime(boolean loginFromTheEndpoint) {
        long hour = HOUR;
        // Either a login whose file holds the endpoint's hour, or a JWT-only file due now.
        host.file(TARK_PATH, loginFromTheEndpoint
                ? Fixtures.tarkFile(Jwt.lived(NOW + LIFETIME, LIFETIME), root, null, NOW + hour, null)
                : Fixtures.tarkFile(Jwt.lived(NOW + hour, LIFETIME), root, null, null, null));
        List<Long> refreshedAt = new java.util.ArrayList<>();
        host.handleHttp(request -> {
            long now = host.currentTimeMillis();
            refreshedAt.add(now);
            return HttpReply.response(200, Fixtures.tokenReply(Jwt.lived(now / 1000 + LIFETIME, LIFETIME),
                    Jwt.opaque("rt"), null, hour));
        });
        long step = 5 * 60 * 1000L;
        for (long elapsed = 0; elapsed < 6 * hour * 1000; elapsed += step) {
            Reply reply = Reply.of(new Provider(host.session()), Provider::credentials);
            assertFalse(reply.isFailure(), "failed with " + reply.code);
            host.advance(step);
        }
        long leastGap = hour * 1000 - Expiry.refreshMargin(hour * 1000) - step;
        for (int i = 1; i < refreshedAt.size(); i++) {
            assertTrue(refreshedAt.get(i) - refreshedAt.get(i - 1) >= leastGap, "refreshed at " + refreshedAt);
        }
        assertTrue(refreshedAt.size() >= 6 && refreshedAt.size() <= 8, "about one an hour: " + refreshedAt.size());
        assertTrue(host.errors().isEmpty(), host.errors().toString());
    }
}
