package chatgpt.oauth;

/** Where the current credentials came from, and what that allows. */
final class CredentialSource {
    /** tark's own credentials file (written by {@code tark auth chatgpt-oauth} or by hand). */
    static final int TARK_FILE = 1;
    /** Credentials the host handed over with {@code provider_auth_init}. */
    static final int HOST_INIT = 2;
    /** The Codex CLI's login, read-only: its refresh token belongs to the Codex CLI. */
    static final int CODEX_CLI = 3;

    final int kind;
    /** A path or description, for logs and the check command. */
    final String location;
    /** Identifies the exact content the credentials were read from (see {@link RefreshedTokens}). */
    final String fingerprint;
    final Credentials credentials;

    CredentialSource(int kind, String location, String fingerprint, Credentials credentials) {
        this.kind = kind;
        this.location = location;
        this.fingerprint = fingerprint;
        this.credentials = credentials;
    }

    /** A short fingerprint of a text: FNV-1a over its characters, plus its length. */
    static String fingerprintOf(String content) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < content.length(); i++) {
            hash ^= content.charAt(i);
            hash *= 0x100000001b3L;
        }
        return Long.toHexString(hash) + ":" + content.length();
    }
}
