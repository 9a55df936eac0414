package chatgpt.oauth;

import tark.host.Host;

/**
 * A credentials file: read on every call (it is the source of truth), parsed only when its content
 * changed since the last read.
 */
abstract class CredentialsFile implements CredentialSource {
    final Host host;
    private String lastContent;
    private Login lastLogin;

    CredentialsFile(Host host) {
        this.host = host;
    }

    /** The login in the file at {@code path} (one path per instance) that holds {@code content}. */
    final Login login(String path, String content) throws AuthFailure {
        if (lastLogin == null || !content.equals(lastContent)) {
            lastLogin = new Login(this, path, parse(path, content), content);
            lastContent = content;
        }
        return lastLogin;
    }

    /** The credentials in {@code content}; a failure naming the fix when there are none. */
    abstract Credentials parse(String path, String content) throws AuthFailure;

    /** tark's own credentials format, in a file or handed over by the host. */
    static Credentials tarkFormat(String location, String content) throws AuthFailure {
        Credentials credentials = Credentials.fromTarkJson(content);
        if (credentials == null) {
            throw new AuthFailure(AuthFailure.INVALID_CREDENTIALS, "The ChatGPT credentials in " + location
                    + " are not a JSON object with a string \"access_token\" (and tokens of at most "
                    + Credentials.MAX_TOKEN / 1024 + " KB): run `tark auth chatgpt-oauth` to write them again.");
        }
        return credentials;
    }
}
