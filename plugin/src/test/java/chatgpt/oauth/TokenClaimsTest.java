package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    @Test
    void decodesAPayloadWithNonAsciiText() {
        String token = Jwt.token(Jwt.claims(EXP).add("org_name", "Société Générale — 東京 🚀"));
        JsonObject payload = TokenClaims.payload(token);
        assertNotNull(payload);
        assertEquals("Zoë Ünïcødé 日本語 ✓ 🚀", payload.getString("name", null));
        assertEquals("Société Générale — 東京 🚀", payload.getString("org_name", null));
        assertEquals(EXP, payload.getLong("exp", 0));
    }

    @Test
    void decodesBase64UrlAlphabetWithoutPadding() {
        // "???>>>" in the JSON text makes base64url use both '_' and '-'; the length leaves no padding.
        String payloadJson = "{\"x\":\"???>>>\",\"exp\":" + EXP + "}";
        String token = Jwt.token(payloadJson);
        String encoded = token.split("\\.")[1];
        assertTrue(encoded.contains("_") && encoded.contains("-"), encoded);
        assertFalse(encoded.contains("="));
        assertEquals("???>>>", TokenClaims.payload(token).getString("x", null));
    }

    @Test
    void paddedPayloadsAreAcceptedToo() {
        byte[] json = "{\"exp\":12}".getBytes(StandardCharsets.UTF_8);
        String padded = java.util.Base64.getUrlEncoder().encodeToString(json);
        assertTrue(padded.endsWith("="));
        assertEquals(12, TokenClaims.payload("h." + padded + ".s").getInt("exp", 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "opaque-token", "one.dot", "a.!!!notbase64!!!.c", "a.e30", "..", "a..c"})
    void nonJwtsHaveNoPayload(String token) {
        assertNull(TokenClaims.payload(token));
    }

    @Test
    void nullHasNoPayload() {
        assertNull(TokenClaims.payload(null));
    }

    @Test
    void payloadThatIsNotAnObjectIsNull() {
        assertNull(TokenClaims.payload(Jwt.token("[1,2,3]")));
        assertNull(TokenClaims.payload(Jwt.token("\"text\"")));
        assertNull(TokenClaims.payload(Jwt.token("{not json")));
    }

    @Test
    void expiryIsTheAccessTokensExp() {
        assertEquals(EXP * 1000, TokenClaims.expiryMillis(Jwt.access(EXP)));
        assertEquals(EXP * 1000, TokenClaims.expiryMillis(Jwt.token("{\"exp\":" + EXP + ".5}")));
    }

    @Test
    void noUsableExpIsUnknown() {
        assertEquals(Expiry.UNKNOWN, TokenClaims.expiryMillis(Jwt.opaque("at")));
        assertEquals(Expiry.UNKNOWN, TokenClaims.expiryMillis(Jwt.token("{\"sub\":\"x\"}")));
        assertEquals(Expiry.UNKNOWN, TokenClaims.expiryMillis(Jwt.token("{\"exp\":\"" + EXP + "\"}")));
        assertEquals(Expiry.UNKNOWN, TokenClaims.expiryMillis(Jwt.token("{\"exp\":null}")));
        assertEquals(Expiry.UNKNOWN, TokenClaims.expiryMillis(null));
    }

    @Test
    void accountIdFromTheAuthClaimObject() {
        String id = Jwt.token(Jwt.claims(EXP).add(Jwt.AUTH_CLAIM, authClaim("acct-claim")));
        assertEquals("acct-claim", TokenClaims.accountId(id, null, null));
    }

    @Test
    void authClaimWinsOverTopLevelAndOrganizationsInTheSameToken() {
        String id = Jwt.token(Jwt.claims(EXP)
                .add("organizations", organizations("org-first"))
                .add("chatgpt_account_id", "acct-top")
                .add(Jwt.AUTH_CLAIM, authClaim("acct-claim")));
        assertEquals("acct-claim", TokenClaims.accountId(id, null, "stored"));
    }

    @Test
    void topLevelClaimWinsOverOrganizations() {
        String id = Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-first"))
                .add("chatgpt_account_id", "acct-top"));
        assertEquals("acct-top", TokenClaims.accountId(id, null, null));
    }

    @Test
    void firstOrganizationIsTheLastResortInAToken() {
        String id = Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-first", "org-second")));
        assertEquals("org-first", TokenClaims.accountId(id, null, null));
    }

    @Test
    void idTokenWinsOverAccessToken() {
        String id = Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-from-id")));
        String access = Jwt.withAccount(EXP, "acct-from-access");
        assertEquals("org-from-id", TokenClaims.accountId(id, access, "stored"));
    }

    @Test
    void accessTokenWhenTheIdTokenHasNone() {
        String id = Jwt.token(Jwt.claims(EXP));
        String access = Jwt.withAccount(EXP, "acct-from-access");
        assertEquals("acct-from-access", TokenClaims.accountId(id, access, "stored"));
        assertEquals("acct-from-access", TokenClaims.accountId(null, access, "stored"));
        assertEquals("acct-from-access", TokenClaims.accountId("opaque-id", access, "stored"));
    }

    @Test
    void accessTokensTopLevelAndOrganizations() {
        assertEquals("acct-top", TokenClaims.accountId(null,
                Jwt.token(Jwt.claims(EXP).add("chatgpt_account_id", "acct-top")), null));
        assertEquals("org-a", TokenClaims.accountId(null,
                Jwt.token(Jwt.claims(EXP).add("organizations", organizations("org-a"))), null));
    }

    @Test
    void storedAccountIdWhenNoTokenCarriesOne() {
        assertEquals("stored", TokenClaims.accountId(Jwt.access(EXP), Jwt.access(EXP), "stored"));
        assertEquals("stored", TokenClaims.accountId(null, "opaque", "stored"));
    }

    @Test
    void noAccountIdAnywhereIsNull() {
        assertNull(TokenClaims.accountId(Jwt.access(EXP), Jwt.access(EXP), null));
        assertNull(TokenClaims.accountId(null, null, null));
        assertNull(TokenClaims.accountId(null, null, ""), "an empty stored id counts as absent");
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
            assertEquals("acct-good", TokenClaims.accountId(id, access, null), TokenClaims.payload(id).toString());
        }
    }

    @Test
    void nonAsciiAccountIdIsDecodedExactly() {
        String access = Jwt.withAccount(EXP, "compte-é-東京");
        assertEquals("compte-é-東京", TokenClaims.accountId(null, access, null));
    }
}
