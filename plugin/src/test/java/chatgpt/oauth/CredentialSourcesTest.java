package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.CODEX_PATH;
import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.HostValue;

class CredentialSourcesTest extends HostTest {
    private static final long EXP = Jwt.NOW_SECONDS + DAY;
    private CredentialSources sources;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
        sources = new CredentialSources(host);
    }

    private AuthFailure failure() {
        return assertThrows(AuthFailure.class, () -> sources.find());
    }

    @Test
    void tarkFileAtTheDefaultPath() throws AuthFailure {
        String access = Jwt.access(EXP);
        host.file(TARK_PATH, Fixtures.tarkFile(access, "rt_file", null, null, null));
        Login source = sources.find();
        assertEquals("tark_file", source.source.name());
        assertEquals(TARK_PATH, source.location);
        assertEquals(access, source.credentials.accessToken);
        assertEquals("rt_file", source.credentials.refreshToken);
    }

    @Test
    void pathVariableWins() throws AuthFailure {
        String custom = "/srv/creds/chatgpt.json";
        host.env(TarkCredentialsFile.PATH_VARIABLE, custom);
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.opaque("at"), null, null, null, null));
        String access = Jwt.access(EXP);
        host.file(custom, Fixtures.tarkFile(access, null, null, null, null));
        Login source = sources.find();
        assertEquals(custom, source.location);
        assertEquals(access, source.credentials.accessToken);
        assertFalse(host.events().contains("fs.read " + TARK_PATH), "the default path is not read at all");
    }

    @Test
    void emptyPathVariableMeansTheDefault() throws AuthFailure {
        host.env(TarkCredentialsFile.PATH_VARIABLE, "");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), null, null, null, null));
        assertEquals(TARK_PATH, sources.find().location);
    }

    @Test
    void deniedPathVariableMeansTheDefault() throws AuthFailure {
        host.deniedEnv.add(TarkCredentialsFile.PATH_VARIABLE);
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), null, null, null, null));
        assertEquals(TARK_PATH, sources.find().location);
    }

    @Test
    void trailingSlashInHomeIsDropped() throws AuthFailure {
        host.env("HOME", HOME + "/");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), null, null, null, null));
        assertEquals(TARK_PATH, sources.find().location);
    }

    @Test
    void withoutHomeThePathsStartWithTilde() throws AuthFailure {
        host.env.remove("HOME");
        String access = Jwt.access(EXP);
        host.file("~/.codex/auth.json", Fixtures.codexFile(access, null, null, null));
        Login source = sources.find();
        assertEquals("codex_cli", source.source.name());
        assertEquals(access, source.credentials.accessToken);
        assertEquals(List.of("fs.read ~/.config/tark/chatgpt_oauth.json", "fs.read ~/.codex/auth.json"),
                host.events().stream().filter(e -> e.startsWith("fs.read")).toList());
    }

    @Test
    void deniedHomeAlsoMeansTilde() throws AuthFailure {
        host.env.remove("HOME");
        host.deniedEnv.add("HOME");
        host.file("~/.config/tark/chatgpt_oauth.json", Fixtures.tarkFile(Jwt.access(EXP), null, null, null, null));
        assertEquals("~/.config/tark/chatgpt_oauth.json", sources.find().location);
    }

    @Test
    void tarkFileWinsOverHostInitAndCodex() throws AuthFailure {
        String access = Jwt.access(EXP);
        host.file(TARK_PATH, Fixtures.tarkFile(access, null, null, null, null));
        sources.adopt(Fixtures.tarkFile(Jwt.opaque("at"), null, null, null, null));
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.opaque("at"), null, null, null));
        assertEquals(access, sources.find().credentials.accessToken);
    }

    @Test
    void hostInitCredentialsWhenThereIsNoTarkFile() throws AuthFailure {
        String access = Jwt.access(EXP);
        sources.adopt(Fixtures.tarkFile(access, "rt_init", null, null, null));
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.opaque("at"), null, null, null));
        Login source = sources.find();
        assertEquals("host_init", source.source.name());
        assertEquals(access, source.credentials.accessToken);
        assertEquals("rt_init", source.credentials.refreshToken);
    }

    @Test
    void codexCliWhenThereIsNothingElse() throws AuthFailure {
        String access = Jwt.access(EXP);
        String id = Jwt.withAccount(EXP, "acct-codex");
        host.file(CODEX_PATH, Fixtures.codexFile(access, "rt_codex", id, "acct-stored"));
        Login source = sources.find();
        assertEquals("codex_cli", source.source.name());
        assertEquals(CODEX_PATH, source.location);
        assertEquals(access, source.credentials.accessToken);
        assertEquals("rt_codex", source.credentials.refreshToken);
        assertEquals(id, source.credentials.idToken);
        assertEquals("acct-stored", source.credentials.storedAccountId);
        assertEquals(EXP * 1000, source.credentials.expiresAtMillis);
    }

    @Test
    void codexFileIsOnlyRead() throws AuthFailure {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(EXP), "rt_codex", null, null));
        sources.find();
        assertTrue(host.storage.isEmpty());
        assertTrue(host.requests().isEmpty());
    }

    @Test
    void codexFileWithoutTokensIsNotAuthenticated() {
        host.file(CODEX_PATH, "{\"OPENAI_API_KEY\":\"sk-something\",\"tokens\":null}");
        assertEquals(AuthFailure.NOT_AUTHENTICATED, failure().code());
        host.file(CODEX_PATH, "{\"tokens\":{\"refresh_token\":\"rt\"}}");
        assertEquals(AuthFailure.NOT_AUTHENTICATED, failure().code());
        host.file(CODEX_PATH, "not json");
        AuthFailure failure = failure();
        assertEquals(AuthFailure.NOT_AUTHENTICATED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"));
    }

    @Test
    void nothingAnywhereIsNotAuthenticatedWithTheLoginCommand() {
        AuthFailure failure = failure();
        assertEquals(AuthFailure.NOT_AUTHENTICATED, failure.code());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"), failure.getMessage());
        assertTrue(failure.getMessage().contains(TARK_PATH), failure.getMessage());
    }

    @Test
    void deniedTarkFileSaysWhatToAddToPluginToml() {
        host.deniedPaths.add(TARK_PATH);
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(EXP), null, null, null));
        AuthFailure failure = failure();
        assertEquals(AuthFailure.NOT_ALLOWED, failure.code());
        assertTrue(failure.getMessage().contains("fs_read"), failure.getMessage());
        assertTrue(failure.getMessage().contains("plugin.toml"), failure.getMessage());
        assertTrue(failure.getMessage().contains(TARK_PATH), failure.getMessage());
    }

    @Test
    void deniedCustomPathIsNamed() {
        String custom = "/srv/creds/chatgpt.json";
        host.env(TarkCredentialsFile.PATH_VARIABLE, custom);
        host.deniedPaths.add(custom);
        AuthFailure failure = failure();
        assertEquals(AuthFailure.NOT_ALLOWED, failure.code());
        assertTrue(failure.getMessage().contains(custom), failure.getMessage());
        assertTrue(failure.getMessage().contains("fs_read"), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{", "[]", "[{\"access_token\":\"a\"}]", "\"a\"", "{}",
            "{\"access_token\":\"\"}", "{\"access_token\":7}", "{\"refresh_token\":\"rt\"}"})
    void malformedTarkFileIsInvalidCredentials(String content) {
        host.files.put(TARK_PATH, content);
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(EXP), null, null, null));
        AuthFailure failure = failure();
        assertEquals(AuthFailure.INVALID_CREDENTIALS, failure.code());
        assertTrue(failure.getMessage().contains(TARK_PATH), failure.getMessage());
        assertTrue(failure.getMessage().contains("tark auth chatgpt-oauth"), failure.getMessage());
    }

    @Test
    void tooDeepTarkFileIsInvalidCredentials() {
        host.files.put(TARK_PATH, "{\"access_token\":\"a\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        assertEquals(AuthFailure.INVALID_CREDENTIALS, failure().code());
    }

    @Test
    void unreadableTarkFileIsInvalidCredentials() {
        host.fileFailures.put(TARK_PATH, HostValue.failure(HostValue.TOO_LARGE, -4));
        AuthFailure tooLarge = failure();
        assertEquals(AuthFailure.INVALID_CREDENTIALS, tooLarge.code());
        assertEquals("Cannot use the ChatGPT credentials file " + TARK_PATH + ": it is too large (over 1 MiB). Run"
                + " `tark auth chatgpt-oauth` to write it again.", tooLarge.getMessage());
        host.fileFailures.put(TARK_PATH, HostValue.failure(HostValue.ERROR, -1));
        AuthFailure unreadable = failure();
        assertEquals(AuthFailure.INVALID_CREDENTIALS, unreadable.code());
        assertEquals("Cannot use the ChatGPT credentials file " + TARK_PATH + ": tark could not read it (code -1). Run"
                + " `tark auth chatgpt-oauth` to write it again.", unreadable.getMessage());
    }

    @Test
    void malformedHostInitCredentialsAreInvalid() {
        assertEquals(AuthFailure.INVALID_CREDENTIALS,
                assertThrows(AuthFailure.class, () -> sources.adopt("{\"nope\":1}")).code());
    }

    @Test
    void anUnchangedFileIsNotParsedAgain() throws AuthFailure {
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), "rt_a", null, null, null));
        Login first = sources.find();
        assertSame(first, sources.find());
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), "rt_b", null, null, null));
        assertNotSame(first, sources.find());
    }

    @Test
    void theSourceKeepsTheExactContentItWasReadFrom() throws AuthFailure {
        String content = Fixtures.tarkFile(Jwt.access(EXP), "rt_a", null, null, null);
        host.file(TARK_PATH, content);
        assertEquals(content, sources.find().content);
        host.file(TARK_PATH, content + "\n");
        assertEquals(content + "\n", sources.find().content);
    }

    @Test
    void onlyTheCodexLoginIsNotRefreshable() throws AuthFailure {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(EXP), "rt_codex", null, null));
        assertFalse(sources.find().source.refreshable());
        sources.adopt(Fixtures.tarkFile(Jwt.access(EXP), "rt_init", null, null, null));
        assertTrue(sources.find().source.refreshable());
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), "rt_file", null, null, null));
        assertTrue(sources.find().source.refreshable());
    }

    @Test
    void aFileTarkCannotReadAsUtf8IsNamedAsSuch() {
        // tark's fs.read answers -3 alike for a missing file, an unreadable one and one not in UTF-8.
        host.fileFailures.put(TARK_PATH, HostValue.absent());
        AuthFailure failure = failure();
        assertEquals(AuthFailure.NOT_AUTHENTICATED, failure.code());
        assertTrue(failure.getMessage().contains("missing, unreadable, or not UTF-8"), failure.getMessage());
        assertTrue(failure.getMessage().contains("UTF-8 JSON"), "says how to fix it: " + failure.getMessage());
        assertTrue(failure.getMessage().contains(TARK_PATH), failure.getMessage());
    }

    @Test
    void fallingBackToTheCodexLoginIsLoggedOnceAndSaysWhy() throws AuthFailure {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(EXP), "rt_codex", null, null));
        sources.find();
        sources.find();
        List<String> info = host.messages("info");
        assertEquals(1, info.size(), info.toString());
        assertTrue(info.get(0).contains("Codex CLI"), info.get(0));
        assertTrue(info.get(0).contains(CODEX_PATH), info.get(0));
        assertTrue(info.get(0).contains(TARK_PATH + " is missing, unreadable, or not UTF-8"), info.get(0));
    }

    @Test
    void tarkFileAbsentIsTrueOnlyWhenTarkSaysSo() throws AuthFailure {
        host.file(CODEX_PATH, Fixtures.codexFile(Jwt.access(EXP), null, null, null));
        sources.find();
        assertTrue(sources.tarkFileAbsent());
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(EXP), null, null, null, null));
        sources.find();
        assertFalse(sources.tarkFileAbsent());
        host.files.remove(TARK_PATH);
        host.deniedPaths.add(TARK_PATH);
        failure();
        assertFalse(sources.tarkFileAbsent(), "a refused read is no logout");
    }
}
