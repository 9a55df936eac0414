package chatgpt.oauth;

/**
 * One place ChatGPT credentials may come from. {@link CredentialSources} asks each in turn, in the
 * order of its list: a new source is a class implementing this and a line in that list (and, for a
 * file, its path under {@code fs_read} in plugin.toml).
 */
interface CredentialSource {
    /** The name the diagnostics line gives it; the check command reads it there. */
    String name();

    /**
     * The login held here now; null when there is none here, so the next source is asked. A failure
     * when there is one that cannot be used: it names the fix, and no later source is asked.
     */
    Login find() throws AuthFailure;

    /**
     * Whether this plugin may spend a refresh token found here. Not the Codex CLI's: a refresh would
     * retire the token the Codex CLI holds and log it out.
     */
    boolean refreshable();

    /**
     * Why a login from here that must be refreshed is not ({@code expired}, or only due), in this
     * source's words; null where the common reasons hold (no refresh token, or a refused one).
     */
    default AuthFailure whyNotRefreshed(Login login, boolean expired) {
        return null;
    }
}
