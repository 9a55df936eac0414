package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.WholeNumber;

class ExpiryTest {
    private static final long NOW = Jwt.NOW_MILLIS;
    private static final long MINUTE = 60_000;

    /** The file's expires_at as Credentials reads it: a JSON number or string, as a whole number. */
    private static long fromFile(String number) {
        return Expiry.fromExpiresAt(WholeNumber.of(number, -1));
    }

    @ParameterizedTest
    @CsvSource({
        // seconds, integer and float (fraction dropped)
        "1750008400, 1750008400000",
        "1750008400.75, 1750008400000",
        "1.7500084E9, 1750008400000",
        // milliseconds, integer and float
        "1750008400123, 1750008400123",
        "1750008400123.9, 1750008400123",
        // the smallest value read as seconds and the largest read as seconds
        "1, 1000",
        "100000000000, 100000000000000",
        // just above the threshold: milliseconds
        "100000000001, 100000000001",
    })
    void expiresAtNumbers(String number, long expectedMillis) {
        assertEquals(expectedMillis, fromFile(number));
    }

    @ParameterizedTest
    @CsvSource({
        "'1750008400', 1750008400000",
        "'1750008400.5', 1750008400000",
        "'1750008400123', 1750008400123",
    })
    void expiresAtStringsHoldingANumber(String text, long expectedMillis) {
        assertEquals(expectedMillis, fromFile(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "-1750008400", "1e30", "1000000000000000", "soon", "", "null", "true",
            "[1750008400]", "99999999999999999999"})
    void implausibleOrNonNumericExpiresAtIsUnknown(String text) {
        assertEquals(Expiry.UNKNOWN, fromFile(text));
    }

    @Test
    void absentExpiresAtIsUnknown() {
        assertEquals(Expiry.UNKNOWN, Expiry.fromExpiresAt(-1));
    }

    @Test
    void jwtExpIsAlwaysSeconds() {
        assertEquals(1_750_008_400_000L, Expiry.fromJwtExp(1_750_008_400L));
        // Year 9999 in seconds: far in the future, not 1978 in milliseconds.
        assertEquals(253_402_300_799_000L, Expiry.fromJwtExp(253_402_300_799L));
        assertFalse(Expiry.needsRefresh(Expiry.fromJwtExp(253_402_300_799L), Expiry.UNKNOWN, NOW));
        // The file's expires_at may be milliseconds: the same number is taken as such there.
        assertEquals(253_402_300_799L, Expiry.fromExpiresAt(253_402_300_799L));
        assertEquals(Expiry.UNKNOWN, Expiry.fromJwtExp(0));
        assertEquals(Expiry.UNKNOWN, Expiry.fromJwtExp(-5));
        assertEquals(Expiry.UNKNOWN, Expiry.fromJwtExp(Long.MAX_VALUE), "no overflow into the past");
    }

    @Test
    void withoutALifetimeRefreshWhenLessThanFiveMinutesRemain() {
        long unknown = Expiry.UNKNOWN;
        assertEquals(5 * MINUTE, Expiry.MIN_REFRESH_MARGIN_MILLIS);
        assertEquals(Expiry.MIN_REFRESH_MARGIN_MILLIS, Expiry.refreshMargin(unknown));
        assertFalse(Expiry.needsRefresh(NOW + 60 * MINUTE, unknown, NOW));
        assertFalse(Expiry.needsRefresh(NOW + 5 * MINUTE, unknown, NOW), "exactly five minutes left is still fine");
        assertTrue(Expiry.needsRefresh(NOW + 5 * MINUTE - 1, unknown, NOW));
        assertTrue(Expiry.needsRefresh(NOW + MINUTE, unknown, NOW));
        assertTrue(Expiry.needsRefresh(NOW, unknown, NOW));
        assertTrue(Expiry.needsRefresh(NOW - 10 * MINUTE, unknown, NOW));
    }

    @ParameterizedTest
    @CsvSource({
        // lifetime (minutes), margin (minutes): min(2 days, 20 %), never below 5 minutes
        "14400, 2880",   // ChatGPT's 10-day token: 20 % is 2 days
        "43200, 2880",   // 30 days: capped at 2 days
        "7200, 1440",    // 5 days: 1 day
        "60, 12",        // 1 hour: 12 minutes
        "25, 5",         // 20 % is exactly 5 minutes
        "10, 5",         // 20 % is 2 minutes: the least margin
        "1, 5",
    })
    void theMarginIsAFifthOfTheLifetimeWithinFiveMinutesAndTwoDays(long lifetimeMinutes, long marginMinutes) {
        long lifetime = lifetimeMinutes * MINUTE;
        long margin = marginMinutes * MINUTE;
        assertEquals(margin, Expiry.refreshMargin(lifetime));
        assertFalse(Expiry.needsRefresh(NOW + margin, lifetime, NOW), "exactly the margin left is still fine");
        assertTrue(Expiry.needsRefresh(NOW + margin - 1, lifetime, NOW));
    }

    @Test
    void anHourLeftOfATenDayTokenIsRefreshedAtStart() {
        // The session that starts now must not end in 401s within the hour (tark never refreshes).
        assertTrue(Expiry.needsRefresh(NOW + 60 * MINUTE, 14_400 * MINUTE, NOW));
        assertFalse(Expiry.needsRefresh(NOW + 3 * 24 * 60 * MINUTE, 14_400 * MINUTE, NOW));
    }

    @Test
    void theReasonNamesTheRuleThatSetTheMargin() {
        assertTrue(Expiry.marginReason(14_400 * MINUTE).contains("capped at 2 days"));
        assertTrue(Expiry.marginReason(60 * MINUTE).startsWith("20 % of the token's lifetime"));
        assertTrue(Expiry.marginReason(10 * MINUTE).contains("least margin"));
        assertTrue(Expiry.marginReason(Expiry.UNKNOWN).contains("no lifetime"));
        // Built from the constants (constant expressions): they say what the constants say.
        String percent = Expiry.LIFETIME_PERCENT + " % of the";
        assertEquals(Expiry.MAX_REFRESH_MARGIN_MILLIS, Expiry.MAX_MARGIN_DAYS * 1440 * MINUTE);
        assertEquals(percent + " token's lifetime, capped at " + Expiry.MAX_MARGIN_DAYS
                + " days", Expiry.marginReason(14_400 * MINUTE));
        assertEquals("the least margin (" + percent + " lifetime is less)", Expiry.marginReason(10 * MINUTE));
        assertEquals(percent + " token's lifetime", Expiry.marginReason(60 * MINUTE));
    }

    @Test
    void spansReadAsPeopleSayThem() {
        assertEquals("about 0 minutes", Expiry.span(-5));
        assertEquals("about 59 minutes", Expiry.span(59 * MINUTE + 59_000));
        assertEquals("about 3 hours", Expiry.span(3 * 60 * MINUTE));
        assertEquals("about 2 days", Expiry.span(2 * 24 * 60 * MINUTE));
    }

    @Test
    void expiredAtTheExpiryInstant() {
        assertFalse(Expiry.isExpired(NOW + 1, NOW));
        assertTrue(Expiry.isExpired(NOW, NOW));
        assertTrue(Expiry.isExpired(NOW - 1, NOW));
    }

    @Test
    void unknownExpiryIsValidAndNeverRefreshed() {
        assertFalse(Expiry.isExpired(Expiry.UNKNOWN, NOW));
        assertFalse(Expiry.needsRefresh(Expiry.UNKNOWN, Expiry.UNKNOWN, NOW));
        assertFalse(Expiry.needsRefresh(Expiry.UNKNOWN, 14_400 * MINUTE, Long.MAX_VALUE / 2));
    }

    @Test
    void toSecondsTruncates() {
        assertEquals(1_750_008_400L, Expiry.toSeconds(1_750_008_400_999L));
        assertEquals(1_750_008_400L, Expiry.toSeconds(1_750_008_400_000L));
    }
}
