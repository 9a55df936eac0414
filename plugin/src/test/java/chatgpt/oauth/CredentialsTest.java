package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialsTest {
    private static final long EXP = Jwt.NOW_SECONDS + Fixtures.DAY;

    private static Credentials read(String json) {
        return Credentials.fromTarkJson(json);
    }

    @Test
    void readsEveryField() {
        String access = Jwt.access(EXP);
        String id = Jwt.access(EXP);
        Credentials credentials = read(Fixtures.tarkFile(access, "rt_1", id, Jwt.NOW_SECONDS + 600, "acct-1"));
        assertEquals(access, credentials.accessToken);
        assertEquals("rt_1", credentials.refreshToken);
        assertEquals(id, credentials.idToken);
        assertEquals("acct-1", credentials.storedAccountId);
        assertEquals((Jwt.NOW_SECONDS + 600) * 1000, credentials.expiresAtMillis);
        assertTrue(credentials.canRefresh());
    }

    @Test
    void onlyTheAccessTokenIsRequired() {
        Credentials credentials = read("{\"access_token\":\"opaque_abc\"}");
        assertNotNull(credentials);
        assertEquals("opaque_abc", credentials.accessToken);
        assertNull(credentials.refreshToken);
        assertNull(credentials.idToken);
        assertNull(credentials.storedAccountId);
        assertEquals(Expiry.UNKNOWN, credentials.expiresAtMillis);
        assertFalse(credentials.canRefresh());
    }

    @Test
    void unknownFieldsAreIgnored() {
        Credentials credentials = read("{\"access_token\":\"opaque_abc\",\"token_type\":\"Bearer\",\"extra\":{\"a\":[1]},"
                + "\"scope\":\"openid\"}");
        assertEquals("opaque_abc", credentials.accessToken);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"access_token\":\"\"}", "{\"access_token\":null}", "{\"access_token\":42}",
            "{\"access_token\":{\"value\":\"x\"}}", "{\"refresh_token\":\"rt\"}"})
    void noUsableAccessTokenIsNull(String json) {
        assertNull(read(json));
    }

    @Test
    void nonStringOrEmptyOptionalFieldsAreAbsent() {
        Credentials credentials = read("{\"access_token\":\"a\",\"refresh_token\":\"\",\"id_token\":5,"
                + "\"account_id\":false}");
        assertNull(credentials.refreshToken);
        assertNull(credentials.idToken);
        assertNull(credentials.storedAccountId);
        assertFalse(credentials.canRefresh());
    }

    @Test
    void withoutExpiresAtTheJwtExpCounts() {
        Credentials credentials = read(Fixtures.tarkFile(Jwt.access(EXP), "rt", null, null, null));
        assertEquals(EXP * 1000, credentials.expiresAtMillis);
    }

    @Test
    void expiresAtWinsOverTheJwtExp() {
        Credentials credentials = read(Fixtures.tarkFile(Jwt.access(EXP), "rt", null, Jwt.NOW_SECONDS + 60, null));
        assertEquals((Jwt.NOW_SECONDS + 60) * 1000, credentials.expiresAtMillis);
    }

    @Test
    void unreadableExpiresAtFallsBackToTheJwtExp() {
        Credentials credentials = read(Fixtures.tarkFile(Jwt.access(EXP), "rt", null, "tomorrow", null));
        assertEquals(EXP * 1000, credentials.expiresAtMillis);
    }

    @Test
    void expiresAtInMillisecondsFloatAndString() {
        long millis = (Jwt.NOW_SECONDS + 900) * 1000 + 250;
        assertEquals(millis, read("{\"access_token\":\"a\",\"expires_at\":" + millis + "}").expiresAtMillis);
        assertEquals((Jwt.NOW_SECONDS + 900) * 1000,
                read("{\"access_token\":\"a\",\"expires_at\":" + (Jwt.NOW_SECONDS + 900) + ".625}").expiresAtMillis);
        assertEquals((Jwt.NOW_SECONDS + 900) * 1000,
                read("{\"access_token\":\"a\",\"expires_at\":\"" + (Jwt.NOW_SECONDS + 900) + "\"}").expiresAtMillis);
    }

    @Test
    void writesWhatItReads() {
        String access = Jwt.access(EXP);
        Credentials original = new Credentials(access, "rt_2", "id_opaque", "acct-9", (Jwt.NOW_SECONDS + 77) * 1000);
        JsonObject json = Json.parse(original.toTarkJson()).asObject();
        assertEquals(access, json.getString("access_token", null));
        assertEquals("rt_2", json.getString("refresh_token", null));
        assertEquals("id_opaque", json.getString("id_token", null));
        assertEquals(Jwt.NOW_SECONDS + 77, json.getLong("expires_at", 0));
        assertEquals("acct-9", json.getString("account_id", null));
        Credentials back = Credentials.fromTarkJson(original.toTarkJson());
        assertEquals(original.accessToken, back.accessToken);
        assertEquals(original.refreshToken, back.refreshToken);
        assertEquals(original.idToken, back.idToken);
        assertEquals(original.storedAccountId, back.storedAccountId);
        assertEquals(original.expiresAtMillis, back.expiresAtMillis);
    }

    @Test
    void absentFieldsAreNotWritten() {
        JsonObject json = Json.parse(new Credentials("opaque_a", null, null, null, Expiry.UNKNOWN).toTarkJson()).asObject();
        assertEquals(1, json.size());
        assertEquals("opaque_a", json.getString("access_token", null));
    }

    @Test
    void writtenAccountIdComesFromTheClaimsFirst() {
        Credentials credentials = new Credentials(Jwt.withAccount(EXP, "acct-claim"), null, null, "acct-stored",
                Expiry.UNKNOWN);
        assertEquals("acct-claim", credentials.accountId().value);
        assertEquals("acct-claim", Json.parse(credentials.toTarkJson()).asObject().getString("account_id", null));
    }

    @Test
    void accountIdFallsBackToTheStoredOne() {
        assertEquals("acct-stored", new Credentials(Jwt.access(EXP), null, "opaque", "acct-stored",
                Expiry.UNKNOWN).accountId().value);
        assertNull(new Credentials(Jwt.access(EXP), null, null, null, Expiry.UNKNOWN).accountId().value);
    }

    @Test
    void readsTheFieldsInsideAMember() {
        String access = Jwt.access(EXP);
        Credentials credentials = Credentials.read(Fixtures.codexFile(access, "rt_c", null, "acct-c"), "tokens");
        assertEquals(access, credentials.accessToken);
        assertEquals("rt_c", credentials.refreshToken);
        assertEquals("acct-c", credentials.storedAccountId);
        assertEquals(EXP * 1000, credentials.expiresAtMillis);
        assertNull(Credentials.read("{\"access_token\":\"top\"}", "tokens"), "top-level fields are not the member's");
        assertNull(Credentials.read("{\"tokens\":null}", "tokens"));
    }

    @Test
    void lastDuplicateFieldCounts() {
        assertEquals("second", read("{\"access_token\":\"first\",\"access_token\":\"second\"}").accessToken);
    }

    @Test
    void aDenseFileOverTheValueBudgetIsRefusedNotParsedIntoATree() {
        StringBuilder json = new StringBuilder("{\"access_token\":\"a\",\"x\":[");
        for (int i = 0; i < 350_000; i++) {
            json.append(i == 0 ? "" : ",").append(i % 10);
        }
        assertNull(read(json.append("]}").toString()));
        assertNull(read("{\"access_token\":\"a\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}"), "too deep");
        assertEquals("a", read("{\"access_token\":\"a\",\"x\":" + "[".repeat(20) + "]".repeat(20) + "}").accessToken);
    }

    @Test
    void accountIdOfAnyTokenWithAControlCharacterIsPassedOverWithAWarning() {
        Credentials credentials = new Credentials(Jwt.withAccount(EXP, "acct\r\nX-Injected: 1"), null, null,
                "acct-file", Expiry.UNKNOWN);
        AccountId accountId = credentials.accountId();
        assertEquals("acct-file", accountId.value);
        assertTrue(accountId.warning.contains("access_token"), accountId.warning);
    }
}
