package chatgpt.oauth;

import tark.host.Decimal;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.TarkPaths;

/**
 * tark's own credentials file, written by {@code tark auth chatgpt-oauth} (or by hand):
 * {@code $CHATGPT_OAUTH_CREDENTIALS_PATH}, else {@code ~/.config/tark/chatgpt_oauth.json}.
 */
final class TarkCredentialsFile extends CredentialsFile {
    static final String PATH_VARIABLE = "CHATGPT_OAUTH_CREDENTIALS_PATH";
    static final String DEFAULT_PATH = "/.config/tark/chatgpt_oauth.json";
    /** tark's fs.read answers alike for a missing file, an unreadable one and one not in UTF-8. */
    static final String CANNOT_READ = "is missing, unreadable, or not UTF-8 text (tark does not say which)";

    private String path;
    /** Whether the last {@link #find} found no file: tark's logout deletes it. */
    private boolean absent;

    TarkCredentialsFile(Host host) {
        super(host);
    }

    @Override
    public String name() {
        return "tark_file";
    }

    @Override
    public boolean refreshable() {
        return true;
    }

    @Override
    public Login find() throws AuthFailure {
        HostValue file = host.readFile(path());
        absent = file.kind() == HostValue.ABSENT;
        if (file.isPresent()) {
            return login(path, file.value());
        }
        if (file.kind() == HostValue.DENIED) {
            throw new AuthFailure(AuthFailure.NOT_ALLOWED, "tark refused to read the credentials file "
                    + path + ": add it to fs_read under [capabilities] in the plugin's plugin.toml, "
                    + "or set " + PATH_VARIABLE + " to a path listed there.");
        }
        if (!absent) {
            // Both causes end in a parenthesis: the message is joined once (each concatenation costs code).
            boolean tooLarge = file.kind() == HostValue.TOO_LARGE;
            String cause = tooLarge ? "it is too large (over 1 MiB" : "tark could not read it (code ";
            String code = tooLarge ? "" : Decimal.of(file.code());
            throw new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "Cannot use the ChatGPT credentials file " + path
                    + ": " + cause + code + "). Run `tark auth chatgpt-oauth` to write it again.");
        }
        return null;
    }

    @Override
    Credentials parse(String path, String content) throws AuthFailure {
        return tarkFormat(path, content);
    }

    /** Whether the last {@link #find} saw no file: the user is logged out of it. */
    boolean isAbsent() {
        return absent;
    }

    /** The file's path; the environment is fixed for the life of an instance, so it is read once. */
    String path() {
        if (path == null) {
            HostValue configured = host.env(PATH_VARIABLE);
            path = configured.isPresent() ? configured.value() : TarkPaths.inHome(host, DEFAULT_PATH);
        }
        return path;
    }
}
