package chatgpt.oauth;

/** Where the current credentials came from, and what that allows. */
final class CredentialSource {
    // Kinds are ints, not an enum: each enum costs the module a class with its own tables.
    /** tark's own credentials file (written by {@code tark auth chatgpt-oauth} or by hand). */
    static final int TARK_FILE = 1;
    /** Credentials the host handed over with {@code provider_auth_init}. */
    static final int HOST_INIT = 2;
    /** The Codex CLI's login, read-only: its refresh token belongs to the Codex CLI. */
    static final int CODEX_CLI = 3;

    final int kind;
    /** A path or description, for logs and the check command. */
    final String location;
    final Credentials credentials;
    /**
     * Whether this plugin may spend the source's refresh token. Never for the Codex CLI's login: a
     * refresh would retire the token the Codex CLI holds and log it out.
     */
    final boolean refreshable;
    /** The text the credentials were read from (for recognising storage written by version 0.3). */
    final String content;

    CredentialSource(int kind, String location, Credentials credentials, String content) {
        this.kind = kind;
        this.location = location;
        this.credentials = credentials;
        this.refreshable = kind != CODEX_CLI;
        this.content = content;
    }

    /** The name the check command and the diagnostics line use. */
    String kindName() {
        return kind == TARK_FILE ? "tark_file" : kind == HOST_INIT ? "host_init" : "codex_cli";
    }
}
