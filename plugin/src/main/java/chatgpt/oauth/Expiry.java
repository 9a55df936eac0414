package chatgpt.oauth;

/** When an access token expires, and whether it is time to refresh it. */
final class Expiry {
    /** The expiry is not known (an opaque token without {@code expires_at}): taken as valid. */
    static final long UNKNOWN = Long.MIN_VALUE;
    /** Refresh when less than this remains, so a request started now does not outlive the token. */
    static final long REFRESH_MARGIN_MILLIS = 5 * 60 * 1000L;

    /** Values above this are milliseconds: as seconds they would be after the year 5000. */
    private static final long MILLIS_THRESHOLD = 100_000_000_000L;
    /** Anything later than this (as milliseconds, about the year 33658) is not a real expiry. */
    private static final long LATEST_MILLIS = 1_000_000_000_000_000L;

    private Expiry() {
    }

    /**
     * The credentials file's {@code expires_at}: Unix seconds, or milliseconds when clearly so (some
     * tools write those). Returns {@link #UNKNOWN} for anything implausible.
     */
    static long fromExpiresAt(long number) {
        if (number <= 0) {
            return UNKNOWN;
        }
        return plausible(number > MILLIS_THRESHOLD ? number : number * 1000);
    }

    /** A JWT's {@code exp}: a NumericDate, always seconds (RFC 7519), whatever its size. */
    static long fromJwtExp(long seconds) {
        return seconds <= 0 || seconds > LATEST_MILLIS / 1000 ? UNKNOWN : seconds * 1000;
    }

    private static long plausible(long millis) {
        return millis < LATEST_MILLIS ? millis : UNKNOWN;
    }

    static boolean isExpired(long expiresAtMillis, long nowMillis) {
        return expiresAtMillis != UNKNOWN && expiresAtMillis <= nowMillis;
    }

    static boolean needsRefresh(long expiresAtMillis, long nowMillis) {
        return expiresAtMillis != UNKNOWN && expiresAtMillis - nowMillis < REFRESH_MARGIN_MILLIS;
    }

    /** Whole seconds, for the files and answers this plugin writes. */
    static long toSeconds(long expiresAtMillis) {
        return expiresAtMillis / 1000;
    }
}
