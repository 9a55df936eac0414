package chatgpt.oauth;

/**
 * What a provider init settled on: the tokens handed to tark, or the failure met with the tokens it
 * concerns (the newest known); and why.
 */
final class Handover {
    // Why, beyond RefreshDecision.USE and USE_UNREFRESHED.
    /** Refreshed now. */
    static final int REFRESHED = 10;
    /** Another tark session refreshed this login: its tokens, from storage.json on disk. */
    static final int OTHER_SESSION = 11;
    /** The refresh failed for now; the still-valid token is used. */
    static final int KEPT_VALID = 12;
    /** {@link #failure} says why. */
    static final int FAILED = 13;

    final Credentials tokens;
    final int why;
    /** Null when the tokens were handed over. */
    final AuthFailure failure;
    /** Whether the token endpoint was asked (or storage on disk was, about refreshing). */
    final boolean refreshTried;

    private Handover(Credentials tokens, int why, AuthFailure failure, boolean refreshTried) {
        this.tokens = tokens;
        this.why = why;
        this.failure = failure;
        this.refreshTried = refreshTried;
    }

    static Handover of(Credentials tokens, int why, boolean refreshTried) {
        return new Handover(tokens, why, null, refreshTried);
    }

    static Handover failed(Credentials concerned, AuthFailure failure, boolean refreshTried) {
        return new Handover(concerned, FAILED, failure, refreshTried);
    }
}
