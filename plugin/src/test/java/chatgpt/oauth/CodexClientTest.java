package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodexClientTest extends HostTest {

    @Test
    void withoutOverridesItIsTheCodexCli() {
        CodexClient client = new CodexClient(host);
        assertEquals("codex_cli_rs", client.originator());
        assertEquals(CodexClient.VERSION, client.version());
        assertEquals("codex_cli_rs/" + CodexClient.VERSION + " (tark; wasm32) chatgpt-oauth/" + Release.VERSION,
                client.userAgent());
        assertTrue(host.messages("warn").isEmpty());
    }

    /** Shaped as codex-rs's get_codex_user_agent: {originator}/{version} ({os}; {arch}) {terminal}. */
    @Test
    void theUserAgentHasCodexsShape() {
        host.env(CodexClient.ORIGINATOR_VARIABLE, "codex-tui").env(CodexClient.VERSION_VARIABLE, "0.170.2");
        String agent = new CodexClient(host).userAgent();
        assertTrue(agent.matches("codex-tui/0\\.170\\.2 \\([^;()]+; [^;()]+\\) \\S+/\\S+"), agent);
    }

    @Test
    void plainOverridesAreSent() {
        host.env(CodexClient.VERSION_VARIABLE, "0.170.2").env(CodexClient.ORIGINATOR_VARIABLE, "codex_vscode");
        CodexClient client = new CodexClient(host);
        assertEquals("0.170.2", client.version());
        assertEquals("codex_vscode", client.originator());
        assertTrue(client.userAgent().startsWith("codex_vscode/0.170.2 ("), client.userAgent());
        assertTrue(host.messages("warn").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v0.170.0", "0.170.0-alpha.1", "0..1", ".1", "1.", "0.170 ", "0.170\r\nX-Evil: 1",
            "12345678901234567890123456789012345678901234567890123456789012345"})
    void aVersionThatIsNotPlainIsIgnoredWithOneWarning(String value) {
        host.env(CodexClient.VERSION_VARIABLE, value);
        CodexClient client = new CodexClient(host);
        assertEquals(CodexClient.VERSION, client.version());
        client.userAgent();
        client.originator();
        assertEquals(1, host.messages("warn").size(), host.messages("warn").toString());
        String warning = host.messages("warn").get(0);
        assertTrue(warning.contains(CodexClient.VERSION_VARIABLE) && warning.contains(CodexClient.VERSION), warning);
        assertFalse(warning.contains("\r") || warning.contains("\n"), "the value is not repeated: " + warning);
    }

    @ParameterizedTest
    @ValueSource(strings = {"codex cli", "codex/1", "codex;x", "\u00e9", "codex\tcli", "a\u001b[2J"})
    void anOriginatorThatIsNotPlainIsIgnoredWithOneWarning(String value) {
        host.env(CodexClient.ORIGINATOR_VARIABLE, value);
        CodexClient client = new CodexClient(host);
        assertEquals("codex_cli_rs", client.originator());
        client.version();
        assertEquals(1, host.messages("warn").size(), host.messages("warn").toString());
        assertTrue(host.messages("warn").get(0).contains(CodexClient.ORIGINATOR_VARIABLE));
    }

    @Test
    void plainMeansDigitsAndDotsOrATokensCharacters() {
        assertTrue(CodexClient.isPlain("0.162.1", true));
        assertTrue(CodexClient.isPlain("1", true));
        assertFalse(CodexClient.isPlain("", true));
        assertTrue(CodexClient.isPlain("Codex_Desktop-2.0", false));
        assertFalse(CodexClient.isPlain("", false));
    }

    @Test
    void theEnvironmentIsReadOnlyWhenUsedAndOnce() {
        host.env(CodexClient.VERSION_VARIABLE, "bad version");
        CodexClient client = new CodexClient(host);
        assertTrue(host.messages("warn").isEmpty(), "nothing read before use");
        client.userAgent();
        client.version();
        client.originator();
        assertEquals(1, host.messages("warn").size());
    }

    @Test
    void theSessionIdIsARandomUuidForTheInstance() {
        CodexClient client = new CodexClient(host);
        String id = client.sessionId();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
        assertEquals(id, client.sessionId(), "one id for the instance's life (one tark session)");
        assertFalse(id.equals(new CodexClient(host.session()).sessionId()), "a new provider init, a new id");
    }

    @Test
    void withoutARandomSourceThereIsNoSessionId() {
        tark.host.Host noRandom = new ExportedHostWithoutRandom(host);
        assertEquals(null, new CodexClient(noRandom).sessionId());
    }

    /** The host interface's default: no random source. */
    private static final class ExportedHostWithoutRandom implements tark.host.Host {
        private final FakeHost delegate;

        ExportedHostWithoutRandom(FakeHost delegate) {
            this.delegate = delegate;
        }

        @Override public tark.host.HostValue readFile(String path) { return delegate.readFile(path); }
        @Override public tark.host.HostValue env(String name) { return delegate.env(name); }
        @Override public tark.host.HostValue storageGet(String key) { return delegate.storageGet(key); }
        @Override public boolean storageSet(String key, String value) { return delegate.storageSet(key, value); }
        @Override public boolean storageDelete(String key) { return delegate.storageDelete(key); }
        @Override public tark.host.HttpReply httpPost(String url, String[] headers, String body) {
            return delegate.httpPost(url, headers, body);
        }
        @Override public tark.host.HttpReply httpGet(String url, String[] headers) { return delegate.httpGet(url, headers); }
        @Override public void logDebug(String message) { delegate.logDebug(message); }
        @Override public void logInfo(String message) { delegate.logInfo(message); }
        @Override public void logWarn(String message) { delegate.logWarn(message); }
        @Override public void logError(String message) { delegate.logError(message); }
        @Override public long currentTimeMillis() { return delegate.currentTimeMillis(); }
    }
}
