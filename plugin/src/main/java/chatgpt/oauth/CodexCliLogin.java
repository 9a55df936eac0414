package chatgpt.oauth;

import tark.host.Host;
import tark.host.HostValue;
import tark.host.TarkPaths;

/**
 * The Codex CLI's login, {@code ~/.codex/auth.json}: {@code {"tokens": {...}, "last_refresh"}}. Read-only:
 * its refresh token belongs to the Codex CLI.
 */
final class CodexCliLogin extends CredentialsFile {
    static final String PATH = "/.codex/auth.json";

    /** The file asked before this one, named when this one is used in its place. */
    private final TarkCredentialsFile tarkFile;
    private String path;
    private boolean fallbackLogged;

    CodexCliLogin(Host host, TarkCredentialsFile tarkFile) {
        super(host);
        this.tarkFile = tarkFile;
    }

    @Override
    public String name() {
        return "codex_cli";
    }

    @Override
    public boolean refreshable() {
        return false;
    }

    @Override
    public Login find() throws AuthFailure {
        if (path == null) {
            path = TarkPaths.inHome(host, PATH);
        }
        HostValue file = host.readFile(path);
        if (!file.isPresent()) {
            return null;
        }
        Login login = login(path, file.value());
        if (!fallbackLogged) {
            fallbackLogged = true;
            host.logInfo("Using the Codex CLI's ChatGPT login (" + path + ", read-only): tark's credentials file "
                    + tarkFile.path() + " " + TarkCredentialsFile.CANNOT_READ + ".");
        }
        return login;
    }

    @Override
    Credentials parse(String path, String content) throws AuthFailure {
        Credentials credentials = Credentials.read(content, "tokens");
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.NOT_AUTHENTICATED, "The Codex CLI's login at " + path
                    + " holds no ChatGPT tokens: run `tark auth chatgpt-oauth` (or `codex login`).");
        }
        return credentials;
    }

    @Override
    public AuthFailure whyNotRefreshed(Login login, boolean expired) {
        return new AuthFailure(AuthFailure.EXPIRED, "The Codex CLI's ChatGPT login (" + login.location + ") has "
                + (expired ? "expired" : "to be refreshed") + ". This plugin does not refresh it, since that"
                + " would log the Codex CLI out: run `codex` once to refresh it, or log in to tark with"
                + " `tark auth chatgpt-oauth`.");
    }
}
