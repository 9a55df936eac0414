package chatgpt.oauth;

/**
 * Whether to refresh the tokens found, and why: a pure function of what is known about them, apart
 * from doing it ({@link ChatGptAuth}). Ints, not an enum: each enum costs the module a class with its
 * own tables.
 */
final class RefreshDecision {
    /** Not in the refresh margin yet: use them. */
    static final int USE = 1;
    /** Due, but this plugin may not refresh them; still valid: use them (a later start may refresh). */
    static final int USE_UNREFRESHED = 2;
    /** Due: refresh them; should that fail, a still-valid token is used (tark keeps it all session). */
    static final int REFRESH = 3;
    /** Asked for (the host saw them refused), or unusable in a header: refresh them, or fail. */
    static final int REFRESH_OR_FAIL = 4;
    /** Expired, or asked for, and this plugin may not refresh them: fail. */
    static final int FAIL = 5;

    private RefreshDecision() {
    }

    /**
     * @param forced    the host asked for a refresh ({@code provider_auth_refresh})
     * @param unusable  the access token cannot go in a header (stored tokens only: the next may be fine)
     * @param due       less than the refresh margin is left
     * @param expired   no time is left
     * @param mayRefresh this plugin may spend the refresh token (allowed, never refused)
     */
    static int of(boolean forced, boolean unusable, boolean due, boolean expired, boolean mayRefresh) {
        if (!forced && !unusable && !due) {
            return USE;
        }
        if (!mayRefresh) {
            return forced || expired ? FAIL : USE_UNREFRESHED;
        }
        return forced || unusable ? REFRESH_OR_FAIL : REFRESH;
    }
}
