package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which values may become the bearer token or the ChatGPT-Account-Id header. */
class HeaderValuesTest {
    private static final long EXP = Jwt.NOW_SECONDS + Fixtures.DAY;

    @Test
    void realTokensAreHeaderSafe() {
        assertTrue(HeaderValues.isToken(Jwt.access(EXP)));
        assertTrue(HeaderValues.isToken(Jwt.opaque("at")));
        assertTrue(HeaderValues.isToken("!~"), "every visible ASCII character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tok en", "token\r\n", "token\n", "tok\u0000en", "tok\ten", "tok\u007fen", "tokén",
            "tok\u2028en"})
    void tokensWithSpaceControlOrNonAsciiAreNot(String token) {
        assertFalse(HeaderValues.isToken(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"acct-1", "d0c7a1e2-1234-4abc-9def-0123456789ab", "org-AbC_12", "user:1.2", "a",
            "compte-é-東京", "acct 1", "acct/1", "acct\"1"})
    void printableAccountIdsAreAccepted(String id) {
        assertTrue(HeaderValues.isAccountId(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "acct\r\nX-Injected: 1", "acct\n", "acct\u0000", "acct\t", "acct\u007f", "acct\u0085",
            " acct", "acct "})
    void accountIdsWithControlCharactersOrEdgeSpacesAreRefused(String id) {
        assertFalse(HeaderValues.isAccountId(id));
    }

    @Test
    void accountIdsHaveALengthLimit() {
        assertTrue(HeaderValues.isAccountId("a".repeat(256)));
        assertFalse(HeaderValues.isAccountId("a".repeat(257)));
    }

    @Test
    void aBadCandidateIsPassedOverForTheNextOneWithAWarningNamingIt() {
        TokenClaims badId = TokenClaims.of(Jwt.withAccount(EXP, "acct\r\nX-Evil: 1"));
        TokenClaims goodAccess = TokenClaims.of(Jwt.withAccount(EXP, "acct-good"));
        AccountId fromAccess = AccountId.of(badId, goodAccess, "acct-file");
        assertEquals("acct-good", fromAccess.value);
        assertEquals("Ignored the id_token's account claim: it holds a control character (or is blank or over 256"
                + " characters), so it cannot be sent as the ChatGPT-Account-Id header.", fromAccess.warning);

        AccountId fromFile = AccountId.of(TokenClaims.of(null), TokenClaims.of(null), "acct\u0000");
        assertNull(fromFile.value);
        assertTrue(fromFile.warning.contains("account_id"), fromFile.warning);
        assertEquals("Ignored the account_id field: it holds a control character (or is blank or over 256"
                + " characters), so it cannot be sent as the ChatGPT-Account-Id header. No usable account id is"
                + " left, so the header is left out; a team workspace then refuses requests: run"
                + " `tark auth chatgpt-oauth` to log in again.", fromFile.warning);
        assertNull(AccountId.of(TokenClaims.of(null), goodAccess, null).warning, "nothing passed over");
        assertFalse(fromFile.warning.contains("\u0000"), "the bad value itself is not logged");
    }
}
