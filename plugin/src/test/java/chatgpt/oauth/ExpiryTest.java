package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.JsonInput;

class ExpiryTest {
    private static final long NOW = Jwt.NOW_MILLIS;
    private static final long MINUTE = 60_000;

    /** The file's expires_at as Credentials reads it: a JSON number or string, as a whole number. */
    private static long fromFile(String number) {
        return Expiry.fromExpiresAt(JsonInput.wholeNumber(number, -1));
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
        assertFalse(Expiry.needsRefresh(Expiry.fromJwtExp(253_402_300_799L), NOW));
        // The file's expires_at may be milliseconds: the same number is taken as such there.
        assertEquals(253_402_300_799L, Expiry.fromExpiresAt(253_402_300_799L));
        assertEquals(Expiry.UNKNOWN, Expiry.fromJwtExp(0));
        assertEquals(Expiry.UNKNOWN, Expiry.fromJwtExp(-5));
        assertEquals(Expiry.UNKNOWN, Expiry.fromJwtExp(Long.MAX_VALUE), "no overflow into the past");
    }

    @Test
    void refreshWhenLessThanFiveMinutesRemain() {
        assertEquals(5 * MINUTE, Expiry.REFRESH_MARGIN_MILLIS);
        assertFalse(Expiry.needsRefresh(NOW + 60 * MINUTE, NOW));
        assertFalse(Expiry.needsRefresh(NOW + 5 * MINUTE, NOW), "exactly five minutes left is still fine");
        assertTrue(Expiry.needsRefresh(NOW + 5 * MINUTE - 1, NOW));
        assertTrue(Expiry.needsRefresh(NOW + MINUTE, NOW));
        assertTrue(Expiry.needsRefresh(NOW, NOW));
        assertTrue(Expiry.needsRefresh(NOW - 10 * MINUTE, NOW));
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
        assertFalse(Expiry.needsRefresh(Expiry.UNKNOWN, NOW));
        assertFalse(Expiry.needsRefresh(Expiry.UNKNOWN, Long.MAX_VALUE / 2));
    }

    @Test
    void toSecondsTruncates() {
        assertEquals(1_750_008_400L, Expiry.toSeconds(1_750_008_400_999L));
        assertEquals(1_750_008_400L, Expiry.toSeconds(1_750_008_400_000L));
    }
}
