package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenClaimsTest {
    private static final long EXP = Jwt.NOW_SECONDS + Fixtures.DAY;

    private static JsonObject authClaim(String accountId) {
        return new JsonObject().add("chatgpt_account_id", accountId).add("chatgpt_plan_type", "pro");
    }

    private static JsonArray organizations(String... ids) {
        JsonArray array = new JsonArray();
        for (String id : ids) {
            array.add(new JsonObject().add("id", id).add("role", "owner"));
        }
        return array;
    }

    /** The account id the plugin sends for these tokens and the file's account_id field. */
    private static String accountId(String idToken, String accessToken, String fileField) {
        return AccountId.of(TokenClaims.of(idToken), TokenClaims.of(accessToken), fileField).value;
    }

    @Test
    void readsAPayloadWithNonAsciiText() {
        String token = Jwt.token(Jwt.claims(EXP).add("org_name", "Société Générale — 東京 🚀")
                .add(Jwt.AUTH_CLAIM, authClaim("acct-1")));
        TokenClaims claims = TokenClaims.of(token);
        assertEquals("acct-1", claims.accountId);
        assertEquals(EXP * 1000, claims.expiresAtMillis);
    }

    @Test
    void readsBase64UrlAlphabetWithoutPadding() {
        // "???>>>" in the JSON text makes base64url use both '_' and '-'; the length leaves no padding.
        String payloadJson = "{\"x\":\"???>>>\",\"exp\":" + EXP + "}";
        String token = Jwt.token(payloadJson);
        String encoded = token.split("\\.")[1];
        assertTrue(encoded.contains("_") && encoded.contains("-"), encoded);
        assertFalse(encoded.contains("="));
        assertEquals(EXP * 1000, TokenClaims.of(token).expiresAtMillis);
    }

    @Test
    void readsTheStandardAlphabetWithPadding() {
        // The same characters make standard base64 use '/' and '+'; the length needs '=' padding.
        String payloadJson = "{\"x\":\"???>>>\",\"chatgpt_account_id\":\"acct-std\",\"exp\":" + EXP + "}";
        while (payloadJson.length() % 3 == 0) {
            payloadJson = payloadJson.replace("{", "{ "); // a length that needs padding
        }
        String token = Jwt.standardBase64Token(payloadJson);
        String encoded = token.split("\\.")[1];
        assertTrue(encoded.contains("/") && encoded.contains("+") && encoded.endsWith("="), encoded);
        TokenClaims claims = TokenClaims.of(token);
        assertEquals("acct-std", claims.accountId);
        assertEquals(EXP * 1000, claims.expiresAtMillis);
        assertEquals("acct-std", TokenClaims.of(token.replace("=", "")).accountId, "padding is optional");
    }

    @Test
    void paddedUrlSafePayloadsAreAcceptedToo() {
        byte[] json = "{\"exp\":1750000000 }".getBytes(StandardCharsets.UTF_8);
        String padded = java.util.Base64.getUrlEncoder().encodeToString(json);
        assertTrue(padded.endsWith("="));
        assertEquals(1_750_000_000_000L, TokenClaims.of("h." + padded + ".s").expiresAtMillis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "opaque-token", "one.dot", "a.!!!notbase64!!!.c", "..", "a..c"})
    void nonJwtsHaveNoClaims(String token) {
        assertNoClaims(TokenClaims.of(token));
    }

    @Test
    void nullHasNoClaims() {
        assertNoClaims(TokenClaims.of(null));
    }

    @Test
    void payloadThatIsNotAnObjectHasNoClaims() {
        assertNoClaims(TokenClaims.of(Jwt.token("[1,2,3]")));
        assertNoClaims(TokenClaims.of(Jwt.token("\"text\"")));
        assertNoClaims(TokenClaims.of(Jwt.token("{not json")));
    }

    @Test
    void aDensePayloadOverTheValueBudgetHasNoClaimsAndDoesNotFillTheHeap() {
        StringBuilder payload = new StringBuilder("{\"chatgpt_account_id\":\"acct-d\",\"exp\":" + EXP + ",\"x\":[");
        for (int i = 0; i < 350_000; i++) {
            payload.append(i == 0 ? "" : ",").append(i % 10);
        }
        assertNoClaims(TokenClaims.of(Jwt.token(payload.append("]}").toString())));
    }

    @Test
    void expiryIsTheExpClaimInSeconds() {
        assertEquals(EXP * 1000, TokenClaims.of(Jwt.access(EXP)).expiresAtMillis);
        assertEquals(EXP * 1000, TokenClaims.of(Jwt.token("{\"exp\":" + EXP + ".5}")).expiresAtMillis);
    }

    @Test
    void aFarFutureExpIsSecondsNotMilliseconds() {
        // 253402300799 is 9999-12-31T23:59:59Z in seconds; read as milliseconds it would be 1978.
        long millis = TokenClaims.of(Jwt.access(253_402_300_799L)).expiresAtMillis;
        assertEquals(253_402_300_799_000L, millis);
        assertFalse(Expiry.isExpired(millis, Jwt.NOW_MILLIS));
        assertFalse(Expiry.needsRefresh(millis, Expiry.UNKNOWN, Jwt.NOW_MILLIS));
    }

    @Test
    void lifetimeIsExpMinusIat() {
        assertEquals((EXP - 864_000) * 1000, TokenClaims.of(Jwt.lived(EXP, 864_000)).issuedAtMillis);
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.access(EXP)).issuedAtMillis, "no iat");
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.token("{\"exp\":" + EXP + ",\"iat\":\"1\"}")).issuedAtMillis);
        assertEquals(864_000_000L, Expiry.lifetime(TokenClaims.of(Jwt.lived(EXP, 864_000)).issuedAtMillis, EXP * 1000));
        assertEquals(Expiry.UNKNOWN, Expiry.lifetime(Expiry.UNKNOWN, EXP * 1000), "no iat");
        assertEquals(Expiry.UNKNOWN, Expiry.lifetime(EXP * 1000, Expiry.UNKNOWN), "no expiry");
        assertEquals(Expiry.UNKNOWN, Expiry.lifetime(EXP * 1000, EXP * 1000), "iat at the expiry");
        assertEquals(Expiry.UNKNOWN, Expiry.lifetime(EXP * 1000 + 60_000, EXP * 1000), "iat after the expiry");
    }

    @Test
    void noUsableExpIsUnknown() {
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.opaque("at")).expiresAtMillis);
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.token("{\"sub\":\"x\"}")).expiresAtMillis);
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.token("{\"exp\":\"" + EXP + "\"}")).expiresAtMillis);
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.token("{\"exp\":null}")).expiresAtMillis);
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(Jwt.token("{\"exp\":-3}")).expiresAtMillis);
        assertEquals(Expiry.UNKNOWN, TokenClaims.of(null).expiresAtMillis);
    }

    @Test
    void accountIdFromTheAuthClaimObject() {
        String id = Jwt.token(Jwt.claims(EXP).add(Jwt.AUTH_CLAIM, authClaim("acct-claim")));
        assertEquals("acct-claim", accountId(id, null, null));
    }

    @Test
    void authClaimWinsOverTopLevelAndOrganizationsInTheSameToken() {
        String id = Jwt.token(Jwt.claims(EXP)
                .add("organizations", organizations("org-first"))
                .add("chatgpt_account_id", "acct-top")
                .add(Jwt.AUTH_CLAIM, authClaim("acct-claim")));
        assertEquals("acct-claim", accountId(id, null, "stored"));
    }

    @Test
    void topLevelClaimWinsOverOrganizations() {
        String id = Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-first"))
                .add("chatgpt_account_id", "acct-top"));
        assertEquals("acct-top", accountId(id, null, null));
    }

    @Test
    void anOrganizationIsAnApiOrganisationNeverTheWorkspace() {
        String id = Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-first", "org-second")));
        assertNull(TokenClaims.of(id).accountId);
        assertNull(accountId(id, null, null), "no workspace id: the header is left out");
        assertEquals("acct-from-access", accountId(id, Jwt.withAccount(EXP, "acct-from-access"), "stored"));
        assertEquals("stored", accountId(id, id, "stored"));
    }

    @Test
    void idTokenWinsOverAccessToken() {
        String id = Jwt.withAccount(EXP, "acct-from-id");
        String access = Jwt.withAccount(EXP, "acct-from-access");
        assertEquals("acct-from-id", accountId(id, access, "stored"));
    }

    @Test
    void accessTokenWhenTheIdTokenHasNone() {
        String id = Jwt.token(Jwt.claims(EXP));
        String access = Jwt.withAccount(EXP, "acct-from-access");
        assertEquals("acct-from-access", accountId(id, access, "stored"));
        assertEquals("acct-from-access", accountId(null, access, "stored"));
        assertEquals("acct-from-access", accountId("opaque-id", access, "stored"));
    }

    @Test
    void accessTokensTopLevelAndOrganizations() {
        assertEquals("acct-top", accountId(null, Jwt.token(Jwt.claims(EXP).add("chatgpt_account_id", "acct-top")), null));
        assertNull(accountId(null, Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-a"))), null));
    }

    @Test
    void storedAccountIdWhenNoTokenCarriesOne() {
        assertEquals("stored", accountId(Jwt.access(EXP), Jwt.access(EXP), "stored"));
        assertEquals("stored", accountId(null, "opaque", "stored"));
    }

    @Test
    void noAccountIdAnywhereIsNullWithoutAWarning() {
        assertNull(accountId(Jwt.access(EXP), Jwt.access(EXP), null));
        AccountId none = AccountId.of(TokenClaims.of(null), TokenClaims.of(null), null);
        assertNull(none.value);
        assertNull(none.warning);
    }

    @Test
    void emptyOrMalformedIdsAreSkipped() {
        String access = Jwt.withAccount(EXP, "acct-good");
        String[] badIdTokens = {
            Jwt.token(Jwt.claims(EXP).add(Jwt.AUTH_CLAIM, authClaim(""))),
            Jwt.token(Jwt.claims(EXP).add(Jwt.AUTH_CLAIM, "not-an-object")),
            Jwt.token(Jwt.claims(EXP).add(Jwt.AUTH_CLAIM, new JsonObject().add("chatgpt_account_id", 42))),
            Jwt.token(Jwt.claims(EXP).add("chatgpt_account_id", "")),
            Jwt.token(Jwt.claims(EXP).add("organizations", new JsonArray())),
            Jwt.token(Jwt.claims(EXP).add("organizations", new JsonArray().add("org-as-string"))),
            Jwt.token(Jwt.claims(EXP).add("organizations", new JsonObject().add("id", "x"))),
            Jwt.token(Jwt.claims(EXP).add("organizations", organizations(""))),
        };
        for (String id : badIdTokens) {
            assertNull(TokenClaims.of(id).accountId, id);
            assertEquals("acct-good", accountId(id, access, null), id);
        }
    }

    @Test
    void nonAsciiAccountIdIsDecodedExactlyAndSent() {
        String access = Jwt.withAccount(EXP, "compte-é-東京");
        assertEquals("compte-é-東京", TokenClaims.of(access).accountId);
        AccountId accountId = AccountId.of(TokenClaims.of(null), TokenClaims.of(access), null);
        assertEquals("compte-é-東京", accountId.value);
        assertNull(accountId.warning);
    }

    @Test
    void anAccountIdClaimWithALineBreakIsNotSentAsAHeader() {
        String access = Jwt.withAccount(EXP, "compte\nX-Injected: 1");
        AccountId accountId = AccountId.of(TokenClaims.of(null), TokenClaims.of(access), null);
        assertNull(accountId.value);
        assertTrue(accountId.warning.contains("access_token"), accountId.warning);
    }

    private static void assertNoClaims(TokenClaims claims) {
        assertNull(claims.accountId);
        assertEquals(Expiry.UNKNOWN, claims.expiresAtMillis);
        assertEquals(Expiry.UNKNOWN, claims.issuedAtMillis);
    }
}
