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
import com.eclipsesource.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tark.host.ControlChars;

/**
 * {@code provider_chat}: tark's fallback after a failed {@code provider_auth_credentials} sends the user's
 * message here; the answer, shown as the assistant's message, says why and what to do, in the error
 * line's words, without sending, writing or spending anything.
 */
class ProviderChatTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    /** The chat answer's text, checked to be tark's ChatResponse; and that nothing was sent or written. */
    private String chatText() {
        int eventsBefore = host.events().size();
        int requestsBefore = host.requests().size();
        Reply reply = Reply.of(new Provider(host.session()), Provider::chat, Reply.CHAT_BUFFER);
        assertFalse(reply.isFailure());
        JsonObject json = Json.parse(reply.text).asObject();
        assertEquals(Set.of("text", "usage", "finish_reason"), Set.copyOf(json.names()));
        assertTrue(json.get("usage").isNull());
        assertEquals("stop", json.getString("finish_reason", null));
        String text = json.getString("text", "");
        assertFalse(text.isBlank(), "tark takes empty text for an error");
        assertTrue(text.startsWith("chatgpt-oauth"), text);
        assertEquals(requestsBefore, host.requests().size(), "never sends a request");
        assertFalse(host.events().subList(eventsBefore, host.events().size()).stream()
                .anyMatch(e -> e.startsWith("storage.set") || e.startsWith("storage.delete")), "never writes storage");
        host.assertNoSecretIn(reply.text, "the chat answer");
        return text;
    }

    /** The error line provider_auth_credentials wrote for the same state, on a fresh instance. */
    private String errorLine() {
        FakeHost other = host.session();
        Reply.of(new Provider(other), Provider::credentials);
        return other.errors().get(other.errors().size() - 1);
    }

    @Test
    void notLoggedIn() {
        String text = chatText();
        assertTrue(text.contains("tark auth chatgpt-oauth"), text);
        assertTrue(text.contains("re-select the chatgpt-oauth provider or restart tark"), text);
        assertTrue(text.contains(errorLine()), "the error line's own words: " + text);
    }

    @Test
    void damagedFile() {
        host.file(TARK_PATH, "{\"access_token\": ");
        String text = chatText();
        assertTrue(text.contains("are not a JSON object"), text);
        assertTrue(text.contains(errorLine()), text);
    }

    @Test
    void capabilityMissing() {
        host.deniedPaths.add(TARK_PATH);
        String text = chatText();
        assertTrue(text.contains("fs_read"), text);
        assertTrue(text.contains(errorLine()), text);
    }

    @Test
    void codexCliLoginExpired() {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null));
        String text = chatText();
        assertTrue(text.contains("run `codex` once"), text);
        assertTrue(text.contains(errorLine()), text);
    }

    @Test
    void refusedLoginSaysLogInAgain() {
        String root = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
        host.reply(400, "{\"error\":\"invalid_grant\"}");
        assertEquals(AuthFailure.REFRESH_REJECTED, Reply.of(new Provider(host), Provider::credentials).code);
        String refusal = host.errors().get(host.errors().size() - 1);
        String text = chatText();
        assertTrue(text.contains(refusal), "the init's error line: " + text);
        assertTrue(text.contains("tark auth chatgpt-oauth"), text);
    }

    @Test
    void unavailableTokenEndpointSaysRetry() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
        String text = chatText();
        assertTrue(text.contains("could not be refreshed when tark started"), text);
        assertTrue(text.contains("try again"), text);
    }

    @Test
    void unusableTokenSaysWhichFile() {
        host.file(TARK_PATH, Fixtures.tarkFile("bad token", null, null, null, null));
        String text = chatText();
        assertTrue(text.contains("visible ASCII"), text);
        assertTrue(text.contains(errorLine()), text);
    }

    @Test
    void aLoginThatWorksByNowIsPickedUpByReselectingTheProvider() {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, null));
        String text = chatText();
        assertTrue(text.contains("works now"), text);
        assertTrue(text.contains("Re-select the chatgpt-oauth provider or restart tark"), text);
    }

    @Test
    void anotherSessionsRefreshCountsAsWorking() {
        String root = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
        new TokenVault(host.session()).save(Lineage.of(root), TARK_PATH,
                new Credentials(Jwt.access(NOW + DAY), Jwt.opaque("rt"), null, null, (NOW + DAY) * 1000));
        assertTrue(chatText().contains("works now"));
    }

    @Test
    void controlCharactersFromThePathAreWrittenOutInTheAnswer() {
        // An OSC-8 hyperlink, a carriage return and a C1 CSI that erases the line, in the configured path.
        host.env(TarkCredentialsFile.PATH_VARIABLE, "/tmp/\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\r\u009b2K.json");
        String text = chatText();
        assertTrue(text.contains("/tmp/\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07\\x0d\\x9b2K.json"), text);
        assertFalse(text.chars().anyMatch(c -> ControlChars.isControl((char) c)), text);
    }

    @Test
    void theAnswerFitsTarksBufferWhateverTheLocation() {
        host.env(TarkCredentialsFile.PATH_VARIABLE, "/" + "\u0001\u00e9\ud83d\ude80".repeat(40_000));
        Reply reply = Reply.of(new Provider(host), Provider::chat, Reply.CHAT_BUFFER);
        assertTrue(reply.text.getBytes(StandardCharsets.UTF_8).length <= 65536, "fits alloc(65536)");
        JsonObject json = Json.parse(reply.text).asObject();
        String text = json.getString("text", "");
        assertTrue(text.length() <= Provider.MAX_CHAT_TEXT, "bounded");
        assertFalse(Character.isHighSurrogate(text.charAt(text.length() - 2)), "no broken pair at the cut");
    }
}
