package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OAuth error code a server sends back is quoted in the plugin's lines only when it is a plain
 * code and holds no piece of any token the plugin holds: a server (or a proxy) echoing a refresh
 * token never gets it into the log.
 */
class ServerCodeTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    private static Credentials holding(String refreshToken) {
        return new Credentials(Jwt.access(NOW + DAY), refreshToken, Jwt.access(NOW + DAY), null, Expiry.UNKNOWN);
    }

    // ---- which codes are quoted ----

    @Test
    void onlyPlainCodesAreQuoted() {
        Credentials held = holding("rt_sent");
        assertEquals(", refresh_token_reused", ServerCode.quoted("{\"error\":\"refresh_token_reused\"}", held, null));
        assertEquals(", invalid.grant-2", ServerCode.quoted("{\"error\":{\"code\":\"invalid.grant-2\"}}", held, null));
        assertEquals(", " + "a".repeat(64), ServerCode.quoted("{\"error\":\"" + "a".repeat(64) + "\"}", held, null));
        for (String body : new String[] {"{\"error\":\"two words\"}", "{\"error\":\"\"}", "{\"error\":42}",
                "{\"error\":\"" + "a".repeat(65) + "\"}", "{\"error\":\"Invalid_Grant\"}", "{\"error\":{\"message\":\"m\"}}",
                "not json", "", null, "{\"error\":\"caf\u00e9\"}"}) {
            assertEquals("", ServerCode.quoted(body, held, null), String.valueOf(body));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"upstream.%s", "%s-x", "x%s", "%s", "pre.%.9s", "%.8s"})
    void aCodeSharingEightCharactersWithAnyHeldTokenIsNotQuoted(String shape) {
        String refresh = "rt_" + "abcdefghijklmnop".toLowerCase() + "0123456789";
        String code = String.format(shape, refresh);
        assertEquals("", ServerCode.quoted("{\"error\":\"" + code + "\"}", holding(refresh), null), code);
        // The file's or the stored tokens count as much as the one sent.
        assertEquals("", ServerCode.quoted("{\"error\":\"" + code + "\"}", holding("rt_other"), holding(refresh)));
        assertEquals("", ServerCode.quoted("{\"error\":{\"code\":\"" + code + "\"}}", null, holding(refresh)));
    }

    @Test
    void aCaseFoldedTokenCountsAsTheToken() {
        String refresh = "rt_AbCdEfGhIjKlMnOp";
        assertEquals("", ServerCode.quoted("{\"error\":\"x." + refresh.toLowerCase() + "\"}", holding(refresh), null));
    }

    @Test
    void sevenSharedCharactersAreChance() {
        assertEquals(", abcdefg_x", ServerCode.quoted("{\"error\":\"abcdefg_x\"}", holding("rt_abcdefgzzzz"), null));
    }

    // ---- an echoed token never reaches the log ----

    @ParameterizedTest
    @ValueSource(ints = {400, 503})
    void anEchoedRefreshTokenNeverReachesTheLog(int status) {
        for (String shape : new String[] {"upstream.%s", "%s-x", "x%s"}) {
            String root = "rt_" + Jwt.randomText(32).toLowerCase();
            host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
            host.secret(root);
            host.reply(status, "{\"error\":{\"code\":\"" + String.format(shape, root) + "\"}}");
            Reply.of(new Provider(host.session()), Provider::credentials);
        }
        host.assertNoSecretInLogs();
        assertEquals(3, host.errors().size());
        for (String error : host.errors()) {
            assertTrue(error.contains("(HTTP " + status + ")"), error);
        }
    }

    @Test
    void anEchoedTokenInARevocationErrorNeverReachesTheLog() {
        String root = "rt_" + Jwt.randomText(32).toLowerCase();
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), root, null, null, null));
        host.secret(root);
        host.reply(400, "{\"error\":\"" + root + ".revoked\"}");
        assertEquals(0, new Provider(host).logout());
        List<String> warnings = host.messages("warn");
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("(HTTP 400)"), warnings.get(0));
    }
}
