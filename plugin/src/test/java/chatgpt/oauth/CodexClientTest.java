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
        client.headers();
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
        assertTrue(CodexClient.isPlainVersion("0.162.1"));
        assertTrue(CodexClient.isPlainVersion("1"));
        assertFalse(CodexClient.isPlainVersion(""));
        assertTrue(CodexClient.isPlainToken("Codex_Desktop-2.0"));
        assertFalse(CodexClient.isPlainToken(""));
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
}
