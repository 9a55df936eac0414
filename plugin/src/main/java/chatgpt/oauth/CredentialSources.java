package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.JsonInput;

/**
 * Finds the credentials to use, in order: tark's credentials file, credentials the host handed this
 * instance with {@code provider_auth_init}, then the Codex CLI's login (read-only).
 *
 * <p>The files are read on every call (they are the source of truth), but an unchanged file is not
 * parsed again, and the environment, fixed for the life of an instance, is read once.
 */
final class CredentialSources {
    static final String PATH_VARIABLE = "CHATGPT_OAUTH_CREDENTIALS_PATH";
    static final String TARK_FILE = "/.config/tark/chatgpt_oauth.json";
    static final String CODEX_FILE = "/.codex/auth.json";

    private final Host host;
    private String home;
    private String tarkPath;
    private CredentialSource adopted;
    private String lastContent;
    private CredentialSource lastSource;

    CredentialSources(Host host) {
        this.host = host;
    }

    /** The first source that has credentials; a failure naming the fix when none does. */
    CredentialSource find() throws AuthFailure {
        if (tarkPath == null) {
            home = home();
            tarkPath = tarkFilePath(home);
        }
        HostValue tarkFile = host.readFile(tarkPath);
        if (tarkFile.isPresent()) {
            return parsed(CredentialSource.TARK_FILE, tarkPath, tarkFile.value());
        }
        if (tarkFile.kind() == HostValue.DENIED) {
            throw new AuthFailure(AuthFailure.NOT_ALLOWED, "tark refused to read the credentials file "
                    + tarkPath + ": add it to fs_read under [capabilities] in the plugin's plugin.toml, "
                    + "or set " + PATH_VARIABLE + " to a path listed there.");
        }
        if (tarkFile.kind() != HostValue.ABSENT) {
            throw unreadable(tarkPath, tarkFile);
        }
        if (adopted != null) {
            return adopted;
        }
        String codexPath = home + CODEX_FILE;
        HostValue codexFile = host.readFile(codexPath);
        if (codexFile.isPresent()) {
            return parsed(CredentialSource.CODEX_CLI, codexPath, codexFile.value());
        }
        throw new AuthFailure(AuthFailure.NOT_AUTHENTICATED, "No ChatGPT credentials found at " + tarkPath
                + ": run `tark auth chatgpt-oauth` to log in with your ChatGPT Plus/Pro account"
                + " (or log in with the Codex CLI, `codex login`).");
    }

    /** {@code provider_auth_init}: credentials for this instance, used when there is no tark file. */
    void adopt(String json) throws AuthFailure {
        adopted = fromTarkJson(CredentialSource.HOST_INIT, "the credentials given to provider_auth_init", json);
    }

    void forgetAdopted() {
        adopted = null;
    }

    /** The source for a file's content, parsed only when the content differs from last time. */
    private CredentialSource parsed(int kind, String location, String content) throws AuthFailure {
        if (lastSource == null || lastSource.kind != kind || !content.equals(lastContent)) {
            lastSource = kind == CredentialSource.CODEX_CLI ? fromCodexJson(location, content)
                    : fromTarkJson(kind, location, content);
            lastContent = content;
        }
        return lastSource;
    }

    /** {@code $HOME}, or {@code ~} for the host to expand when tark does not pass HOME. */
    String home() {
        HostValue home = host.env("HOME");
        return home.isPresent() ? stripTrailingSlash(home.value()) : "~";
    }

    String tarkFilePath(String home) {
        HostValue configured = host.env(PATH_VARIABLE);
        return configured.isPresent() ? configured.value() : home + TARK_FILE;
    }

    static CredentialSource fromTarkJson(int kind, String location, String content) throws AuthFailure {
        JsonObject json = JsonInput.parseObject(content);
        Credentials credentials = json == null ? null : Credentials.fromTarkJson(json);
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "The ChatGPT credentials in " + location
                    + " are not a JSON object with a string \"access_token\": run `tark auth chatgpt-oauth`"
                    + " to write them again.");
        }
        return new CredentialSource(kind, location, CredentialSource.fingerprintOf(content), credentials);
    }

    /** The Codex CLI's {@code auth.json}: {@code {"tokens": {...}, "last_refresh"}}. */
    static CredentialSource fromCodexJson(String location, String content) throws AuthFailure {
        JsonObject json = JsonInput.parseObject(content);
        JsonValue tokens = json == null ? null : json.get("tokens");
        Credentials credentials = tokens != null && tokens.isObject()
                ? Credentials.fromTarkJson(tokens.asObject()) : null;
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.NOT_AUTHENTICATED, "The Codex CLI's login at " + location
                    + " holds no ChatGPT tokens: run `tark auth chatgpt-oauth` (or `codex login`).");
        }
        return new CredentialSource(CredentialSource.CODEX_CLI, location,
                CredentialSource.fingerprintOf(content), credentials);
    }

    private static AuthFailure unreadable(String path, HostValue result) {
        String why = result.kind() == HostValue.TOO_LARGE ? "it is too large (over 1 MiB)"
                : "tark could not read it (code " + result.code() + ")";
        return new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "Cannot use the ChatGPT credentials file " + path
                + ": " + why + ". Run `tark auth chatgpt-oauth` to write it again.");
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
