package chatgpt.oauth;

import tark.host.Decimal;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.TarkPaths;

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
    /** Whether the last {@link #find} found no tark credentials file (tark's logout deletes it). */
    private boolean tarkFileAbsent;
    private boolean fallbackLogged;

    CredentialSources(Host host) {
        this.host = host;
    }

    /** The first source that has credentials; a failure naming the fix when none does. */
    CredentialSource find() throws AuthFailure {
        HostValue tarkFile = host.readFile(tarkPath());
        tarkFileAbsent = tarkFile.kind() == HostValue.ABSENT;
        if (tarkFile.isPresent()) {
            return parsed(CredentialSource.TARK_FILE, tarkPath, tarkFile.value());
        }
        if (tarkFile.kind() == HostValue.DENIED) {
            throw new AuthFailure(AuthFailure.NOT_ALLOWED, "tark refused to read the credentials file "
                    + tarkPath + ": add it to fs_read under [capabilities] in the plugin's plugin.toml, "
                    + "or set " + PATH_VARIABLE + " to a path listed there.");
        }
        if (!tarkFileAbsent) {
            throw unreadable(tarkPath, tarkFile);
        }
        if (adopted != null) {
            return adopted;
        }
        String codexPath = home + CODEX_FILE;
        HostValue codexFile = host.readFile(codexPath);
        if (codexFile.isPresent()) {
            CredentialSource codex = parsed(CredentialSource.CODEX_CLI, codexPath, codexFile.value());
            if (!fallbackLogged) {
                fallbackLogged = true;
                host.logInfo("Using the Codex CLI's ChatGPT login (" + codexPath + ", read-only): tark's"
                        + " credentials file " + tarkPath + " " + CANNOT_READ + ".");
            }
            return codex;
        }
        throw new AuthFailure(AuthFailure.NOT_AUTHENTICATED, "No ChatGPT credentials: " + tarkPath + " "
                + CANNOT_READ + ". Run `tark auth chatgpt-oauth` to log in with your ChatGPT Plus/Pro account"
                + " (or `codex login` for the Codex CLI); with `tark plugin auth`, choose the Global scope (a"
                + " project-scoped login is not read). If the file is there, make it readable and save it as"
                + " UTF-8 JSON, or delete it and log in again.");
    }

    /** tark's fs.read answers alike for a missing file, an unreadable one and one not in UTF-8. */
    private static final String CANNOT_READ = "is missing, unreadable, or not UTF-8 text (tark does not say which)";

    /** Whether the last {@link #find} saw no tark credentials file: the user is logged out of it. */
    boolean tarkFileAbsent() {
        return tarkFileAbsent;
    }

    /** {@code provider_auth_init}: credentials for this instance, used when there is no tark file. */
    void adopt(String json) throws AuthFailure {
        adopted = fromTarkJson(CredentialSource.HOST_INIT, "the credentials given to provider_auth_init", json);
    }

    void forgetAdopted() {
        adopted = null;
    }

    /** The path of tark's credentials file: {@code $CHATGPT_OAUTH_CREDENTIALS_PATH}, else the default. */
    String tarkPath() {
        if (tarkPath == null) {
            home = TarkPaths.home(host);
            HostValue configured = host.env(PATH_VARIABLE);
            tarkPath = configured.isPresent() ? configured.value() : home + TARK_FILE;
        }
        return tarkPath;
    }

    /** {@code $HOME}, or {@code ~} for the host to expand when tark does not pass HOME. */

    /** The source for a file's content, parsed only when the content differs from last time. */
    private CredentialSource parsed(int kind, String location, String content) throws AuthFailure {
        if (lastSource == null || lastSource.kind != kind || !content.equals(lastContent)) {
            lastSource = kind == CredentialSource.CODEX_CLI ? fromCodexJson(location, content)
                    : fromTarkJson(kind, location, content);
            lastContent = content;
        }
        return lastSource;
    }

    static CredentialSource fromTarkJson(int kind, String location, String content) throws AuthFailure {
        Credentials credentials = Credentials.fromTarkJson(content);
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "The ChatGPT credentials in " + location
                    + " are not a JSON object with a string \"access_token\" (and tokens of at most "
                    + Credentials.MAX_TOKEN / 1024 + " KB): run `tark auth chatgpt-oauth` to write them again.");
        }
        return new CredentialSource(kind, location, credentials, content);
    }

    /** The Codex CLI's {@code auth.json}: {@code {"tokens": {...}, "last_refresh"}}. */
    static CredentialSource fromCodexJson(String location, String content) throws AuthFailure {
        Credentials credentials = Credentials.read(content, "tokens");
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.NOT_AUTHENTICATED, "The Codex CLI's login at " + location
                    + " holds no ChatGPT tokens: run `tark auth chatgpt-oauth` (or `codex login`).");
        }
        return new CredentialSource(CredentialSource.CODEX_CLI, location, credentials, content);
    }

    private static AuthFailure unreadable(String path, HostValue result) {
        String why = result.kind() == HostValue.TOO_LARGE ? "it is too large (over 1 MiB)"
                : "tark could not read it (code " + Decimal.of(result.code()) + ")";
        return new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "Cannot use the ChatGPT credentials file " + path
                + ": " + why + ". Run `tark auth chatgpt-oauth` to write it again.");
    }
}
