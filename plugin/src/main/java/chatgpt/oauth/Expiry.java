package chatgpt.oauth;

import com.eclipsesource.json.JsonValue;
import tark.host.JsonInput;

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
     * Reads {@code expires_at}: Unix seconds, or milliseconds when clearly so; integer or float, or
     * a string holding one. Returns {@link #UNKNOWN} for anything else.
     */
    static long fromExpiresAt(JsonValue value) {
        return fromUnixTime(JsonInput.wholeNumber(value, -1));
    }

    /** Seconds or milliseconds since the epoch, as milliseconds; {@link #UNKNOWN} if implausible. */
    static long fromUnixTime(long number) {
        if (number <= 0) {
            return UNKNOWN;
        }
        long millis = number > MILLIS_THRESHOLD ? number : number * 1000;
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
