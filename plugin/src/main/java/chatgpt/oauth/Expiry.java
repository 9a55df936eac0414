package chatgpt.oauth;

import tark.host.Decimal;

/**
 * When an access token expires, and whether it is time to refresh it. tark takes the token once, at
 * provider init, and uses it for the whole session (it never asks again, nor retries a 401): so the
 * plugin refreshes well before the end, as the Codex CLI does (after 8 days of a ~10-day token).
 */
final class Expiry {
    /** The expiry (or lifetime) is not known (an opaque token without {@code expires_at}): taken as valid. */
    static final long UNKNOWN = Long.MIN_VALUE;
    /** The least margin: a request started now must not outlive the token. */
    static final long MIN_REFRESH_MARGIN_MILLIS = 5 * 60 * 1000L;
    /** The most margin, in days: a ChatGPT token lives about 10 days; a session rarely lasts two. */
    static final int MAX_MARGIN_DAYS = 2;
    static final long MAX_REFRESH_MARGIN_MILLIS = MAX_MARGIN_DAYS * 24 * 60 * 60 * 1000L;
    /** The margin's share of the token's lifetime, in percent. */
    static final int LIFETIME_PERCENT = 20;

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

    /** {@code expiresAt - issuedAt}, or {@link #UNKNOWN} without both or when not positive. */
    static long lifetime(long issuedAtMillis, long expiresAtMillis) {
        return issuedAtMillis == UNKNOWN || expiresAtMillis == UNKNOWN || expiresAtMillis <= issuedAtMillis
                ? UNKNOWN : expiresAtMillis - issuedAtMillis;
    }

    static boolean isExpired(long expiresAtMillis, long nowMillis) {
        return expiresAtMillis != UNKNOWN && expiresAtMillis <= nowMillis;
    }

    /**
     * How long before its expiry a token is refreshed: min(2 days, 20 % of its lifetime), and never less
     * than 5 minutes; 5 minutes when the lifetime is unknown.
     */
    static long refreshMargin(long lifetimeMillis) {
        if (lifetimeMillis == UNKNOWN) {
            return MIN_REFRESH_MARGIN_MILLIS;
        }
        long share = lifetimeMillis / 100 * LIFETIME_PERCENT;
        return Math.max(MIN_REFRESH_MARGIN_MILLIS, Math.min(MAX_REFRESH_MARGIN_MILLIS, share));
    }

    static boolean needsRefresh(long expiresAtMillis, long lifetimeMillis, long nowMillis) {
        return expiresAtMillis != UNKNOWN && expiresAtMillis - nowMillis < refreshMargin(lifetimeMillis);
    }

    /**
     * Why the margin is what it is, for the diagnostics line (the check command prints it). Built from
     * the constants as constant expressions: javac joins them, so they cost the module no code.
     */
    static String marginReason(long lifetimeMillis) {
        long margin = refreshMargin(lifetimeMillis);
        if (lifetimeMillis == UNKNOWN) {
            return "the token states no lifetime (exp and iat), so the least margin";
        }
        if (margin == MAX_REFRESH_MARGIN_MILLIS) {
            return LIFETIME_PERCENT + " % of the token's lifetime, capped at " + MAX_MARGIN_DAYS + " days";
        }
        return margin == MIN_REFRESH_MARGIN_MILLIS
                ? "the least margin (" + LIFETIME_PERCENT + " % of the lifetime is less)"
                : LIFETIME_PERCENT + " % of the token's lifetime";
    }

    /** A duration as people say it: "about 3 hours". */
    static String span(long millis) {
        long minutes = Math.max(0, millis) / 60_000;
        // The number and unit are chosen first, then joined once: each concatenation costs the module code.
        long count = minutes < 120 ? minutes : minutes < 48 * 60 ? minutes / 60 : minutes / (24 * 60);
        String unit = minutes < 120 ? " minutes" : minutes < 48 * 60 ? " hours" : " days";
        return "about " + Decimal.of(count) + unit;
    }

    /** Whole seconds, for the files and answers this plugin writes. */
    static long toSeconds(long expiresAtMillis) {
        return expiresAtMillis / 1000;
    }
}
