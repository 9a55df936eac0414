package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.CODEX_PATH;
import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tark.host.ExportFailure;
import tark.host.HttpReply;

/**
 * tark's fallback after a failed provider init: a fresh instance answers {@code provider_chat}. For every
 * kind of failure, its paragraph is the init's error line, whole, in the chat's frame: both are rendered
 * from the same failure, and the chat works it out again without sending or writing anything.
 */
class ChatMatchesInitTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    /** A state of the machine, and the tark instance whose provider init then fails. */
    private static Arguments kind(String name, int code, Function<FakeHost, FakeHost> state) {
        return Arguments.of(name, code, state);
    }

    private static FakeHost expiredLogin(FakeHost host) {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
        return host.session();
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                kind("not logged in", AuthFailure.NOT_AUTHENTICATED, FakeHost::session),
                kind("damaged file", AuthFailure.INVALID_CREDENTIALS, host -> {
                    host.file(TARK_PATH, "{\"access_token\": ");
                    return host.session();
                }),
                kind("fs_read refuses the file", AuthFailure.NOT_ALLOWED, host -> {
                    host.deniedPaths.add(TARK_PATH);
                    return host.session();
                }),
                kind("access token not header-safe", AuthFailure.INVALID_CREDENTIALS, host -> {
                    host.file(TARK_PATH, Fixtures.tarkFile("bad token", null, null, null, null));
                    return host.session();
                }),
                kind("Codex CLI login expired", AuthFailure.EXPIRED, host -> {
                    host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null));
                    return host.session();
                }),
                kind("expired, no refresh token", AuthFailure.EXPIRED, host -> {
                    host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), null, null, null, null));
                    return host.session();
                }),
                kind("refused", AuthFailure.REFRESH_REJECTED, host -> {
                    host.reply(400, "{\"error\":\"invalid_grant\"}");
                    return expiredLogin(host);
                }),
                kind("refused, remembered from an earlier start", AuthFailure.REFRESH_REJECTED, host -> {
                    host.reply(400, "{\"error\":\"invalid_grant\"}");
                    FakeHost first = expiredLogin(host);
                    Reply.of(new Provider(first), Provider::credentials);
                    return host.session();
                }),
                kind("refused by another session since this one started", AuthFailure.REFRESH_REJECTED, host -> {
                    FakeHost stale = expiredLogin(host);
                    host.reply(400, "{\"error\":\"invalid_grant\"}");
                    Reply.of(new Provider(host.session()), Provider::credentials);
                    return stale;
                }),
                kind("token endpoint unavailable", AuthFailure.REFRESH_FAILED, host -> {
                    host.reply(503, "{\"error\":\"temporarily_unavailable\"}");
                    return expiredLogin(host);
                }),
                kind("network down", AuthFailure.REFRESH_FAILED, host -> {
                    host.reply(HttpReply.transportError("error sending request: connection refused"));
                    return expiredLogin(host);
                }),
                kind("a reply without tokens", AuthFailure.REFRESH_FAILED, host -> {
                    host.reply(200, "{}");
                    return expiredLogin(host);
                }),
                kind("clock ahead of the refreshed token", AuthFailure.REFRESH_FAILED, host -> {
                    host.reply(200, Fixtures.tokenReply(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, -1));
                    return expiredLogin(host);
                }),
                kind("answer too large for tark", AuthFailure.ANSWER_TOO_LARGE, host -> {
                    host.file(TARK_PATH, Fixtures.tarkFile(oversizedAccessToken(), Jwt.opaque("rt"), null, null, null));
                    return host.session();
                }));
    }

    /** A valid access token of about 9.5 KB: within the file's limit, past tark's 8 KiB answer buffer. */
    static String oversizedAccessToken() {
        return Jwt.token(Jwt.claims(NOW + 5 * DAY).add("pad", Jwt.randomText(7000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void theChatSaysWhatTheInitsErrorLineSaid(String name, int code, Function<FakeHost, FakeHost> state) {
        FakeHost init = state.apply(host);
        int errorsBefore = host.errors().size();
        Reply failed = Reply.of(new Provider(init), Exports.CREDENTIALS, Provider::credentials, Reply.TARK_BUFFER);
        assertEquals(code, failed.code, name + ": " + host.logs());
        List<String> errors = host.errors().subList(errorsBefore, host.errors().size());
        assertEquals(1, errors.size(), "one error line: " + errors);
        String errorLine = errors.get(0);

        String text = chat(host.session());
        assertEquals(Provider.chatParagraph(new ExportFailure(code, errorLine)), text);
    }

    /** provider_chat on a fresh instance: the answer's text; nothing sent, nothing written. */
    private String chat(FakeHost chat) {
        int requests = host.requests().size();
        int events = host.events().size();
        Reply reply = Reply.of(new Provider(chat), Provider::chat, Reply.CHAT_BUFFER);
        assertEquals(requests, host.requests().size(), "provider_chat sends nothing");
        assertFalse(host.events().subList(events, host.events().size()).stream()
                .anyMatch(e -> e.startsWith("storage.set") || e.startsWith("storage.delete")), "and writes nothing");
        host.assertNoSecretIn(reply.text, "the chat answer");
        return Json.parse(reply.text).asObject().getString("text", null);
    }

    @Test
    void aRefusalThatStorageCouldNotKeepIsNotBlamedOnTheNetwork() {
        FakeHost init = expiredLogin(host);
        init.failStorageSet = true;
        host.reply(400, "{\"error\":\"invalid_grant\"}");
        assertEquals(AuthFailure.REFRESH_REJECTED, Reply.of(new Provider(init), Provider::credentials).code);
        String text = chat(host.session());
        assertFalse(text.contains("network was down") || text.contains("unavailable"), text);
        assertTrue(text.contains("error line in tark's log says why"), text);
        assertTrue(text.contains("If ChatGPT refused the login, run `tark auth chatgpt-oauth`"), text);
        assertTrue(text.contains("check the network connection"), "the other possible cause, as one: " + text);
    }

    @Test
    void aRecordGoesStaleWhenTheLoginChanges() {
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, -1));
        Reply.of(new Provider(expiredLogin(host)), Provider::credentials);
        assertTrue(chat(host.session()).contains("check the system clock"));

        expiredLogin(host); // logged in again since, and that login has expired too: nothing recorded for it
        String text = chat(host.session());
        assertFalse(text.contains("system clock"), text);
        assertTrue(text.contains("error line in tark's log says why"), text);
    }

    @Test
    void theRecordHoldsNoPieceOfAToken() {
        host.reply(200, Fixtures.tokenReply(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, -1));
        Reply.of(new Provider(expiredLogin(host)), Provider::credentials);
        String stored = host.disk().get(TokenVault.KEY);
        assertTrue(stored.contains("\"failure\""), stored);
        host.assertNoSecretIn(stored, "the stored value");
        host.assertNoSecretIn(host.disk().text(), "storage.json");
    }

    @Test
    void aFailureTheChatWorksOutAlikeWritesNothing() {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null));
        for (int start = 0; start < 3; start++) {
            Reply.of(new Provider(host.session()), Provider::credentials);
        }
        assertFalse(host.events().stream().anyMatch(e -> e.startsWith("storage.set")), "no record needed");
    }

    @Test
    void theSameFailureAgainIsNotWrittenAgain() {
        FakeHost first = expiredLogin(host);
        host.reply(HttpReply.transportError("connection refused"));
        host.reply(HttpReply.transportError("connection refused"));
        Reply.of(new Provider(first), Provider::credentials);
        Reply.of(new Provider(host.session()), Provider::credentials);
        assertEquals(2, host.requests().size(), "both starts tried");
        assertEquals(1, host.events().stream().filter(e -> e.startsWith("storage.set")).count(), "one record");
    }
}
