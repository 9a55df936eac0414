package chatgpt.oauth;

/** The credentials a source holds now: where they are, the tokens, and the text they were read from. */
final class Login {
    final CredentialSource source;
    /** A path or description, for logs and the check command. */
    final String location;
    /** The source's own tokens; those this plugin refreshed from them are in {@link TokenVault}. */
    final Credentials credentials;
    /** The text the credentials were read from (for recognising storage written by version 0.3). */
    final String content;
    /** {@link CredentialSource#refreshable}, asked once. */
    private final boolean refreshable;

    Login(CredentialSource source, String location, Credentials credentials, String content) {
        this.source = source;
        this.location = location;
        this.credentials = credentials;
        this.content = content;
        this.refreshable = source.refreshable();
    }

    /** Whether this plugin may spend {@code tokens}' refresh token at all (the source's, or one it refreshed). */
    boolean mayRefresh(Credentials tokens) {
        return refreshable && tokens.canRefresh();
    }
}
