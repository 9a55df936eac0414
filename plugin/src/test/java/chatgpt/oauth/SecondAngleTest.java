package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.HttpReply;

/**
 * A second angle on three rules that each had one test: the nonce rule (LineageTest), the carry-over
 * of other logins' entries when saving (TokenVaultTest), and save-before-answer (ChatGptAuthTest).
 * Each test here fails on its own when its rule is broken in a way the first test does not see.
 */
class SecondAngleTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    private static final int NONCE = 12;
    private static final int BLOCK = 16;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    // ---- the nonce is an HMAC of the whole plaintext ----

    private static byte[] nonceOf(String sealed) {
        return Arrays.copyOf(Base64Url.decode(sealed), NONCE);
    }

    private static byte[] firstBlockOf(String sealed) {
        return Arrays.copyOfRange(Base64Url.decode(sealed), NONCE, NONCE + BLOCK);
    }

    /**
     * Real tokens share long prefixes (the JWT header, the issuer claim): a nonce taken from part of the
     * plaintext would repeat for different tokens under one key. One character changed anywhere, the
     * last included, gives a new nonce, and so a new keystream: the first ciphertext block differs even
     * though the first plaintext block does not.
     */
    @Test
    void oneCharacterChangedAnywhereInRealShapedTokensGivesANewNonceAndANewFirstBlock() {
        Lineage lineage = Lineage.of(Jwt.opaque("rt"));
        String plaintext = new Credentials(Jwt.withAccount(NOW + DAY, "acct-1"), Jwt.opaque("rt"),
                Jwt.withAccount(NOW + DAY, "acct-1"), null, (NOW + DAY) * 1000).toTarkJson();
        host.rememberSecretsIn(plaintext);
        assertTrue(plaintext.length() > 500, "real-shaped: " + plaintext.length());
        String sealed = lineage.seal(plaintext);
        Set<String> nonces = new HashSet<>();
        nonces.add(Hex.of(nonceOf(sealed)));
        int[] positions = {0, 1, 17, 40, 63, 64, plaintext.length() / 2, plaintext.length() - 2, plaintext.length() - 1};
        for (int at : positions) {
            char c = plaintext.charAt(at);
            String changed = plaintext.substring(0, at) + (char) (c == 'x' ? 'y' : 'x') + plaintext.substring(at + 1);
            String resealed = lineage.seal(changed);
            assertEquals(resealed, lineage.seal(changed), "sealing is deterministic");
            assertTrue(nonces.add(Hex.of(nonceOf(resealed))), "the nonce repeated for a change at " + at);
            if (at >= BLOCK) {
                assertFalse(Arrays.equals(firstBlockOf(sealed), firstBlockOf(resealed)),
                        "same first block for a change at " + at + ": the keystream repeated");
            }
            assertEquals(changed, lineage.open(resealed));
        }
    }

    /**
     * The nonce is the first 12 bytes of HMAC-SHA256 under the pinned nonce key (from lineage-vectors.json,
     * not from Lineage), here computed by the JDK, for plaintexts of many lengths and scripts.
     */
    @Test
    void theNonceIsTheJdksHmacOfThePlaintextUnderThePinnedNonceKey() throws GeneralSecurityException {
        for (JsonObject root : LineageVectorsTest.roots()) {
            Lineage lineage = Lineage.of(LineageVectorsTest.text(root, "root_refresh_token"));
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(Hex.bytes(LineageVectorsTest.text(root, "nonce_key")), "HmacSHA256"));
            List<String> plaintexts = new ArrayList<>(List.of("", "a", "é", "日本語 ✓ 🚀"));
            for (int length = 1; length <= 300; length += 37) {
                plaintexts.add(Jwt.randomText(length));
            }
            for (String plaintext : plaintexts) {
                byte[] expected = Arrays.copyOf(hmac.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)), NONCE);
                assertEquals(Hex.of(expected), Hex.of(nonceOf(lineage.seal(plaintext))), plaintext);
            }
        }
    }

    // ---- a save carries the other logins' entries over from the disk as it is now ----

    private static Credentials tokens(long expSeconds) {
        return new Credentials(Jwt.access(expSeconds), Jwt.opaque("rt"), null, null, expSeconds * 1000);
    }

    /**
     * One instance saves twice (two refreshes in one long session); between them another session
     * refreshed its own login. The second save carries that login's newest entry over, byte for byte with
     * its path, never the older copy this instance read at its first save: that one's refresh token is spent.
     */
    @Test
    void aSecondSaveCarriesOverAnotherSessionsNewerEntryNotTheCopyReadAtTheFirstSave() {
        Lineage mine = Lineage.of(Jwt.opaque("rt"));
        Lineage other = Lineage.of(Jwt.opaque("rt"));
        String otherPath = "/work/chatgpt.json";
        Credentials otherOld = tokens(NOW + HOUR);
        Credentials otherNew = tokens(NOW + 2 * HOUR);
        Credentials mineFirst = tokens(NOW + 3 * HOUR);
        Credentials mineSecond = tokens(NOW + 4 * HOUR);
        for (Credentials c : List.of(otherOld, otherNew, mineFirst, mineSecond)) {
            host.secret(c.accessToken);
            host.secret(c.refreshToken);
        }
        assertTrue(new TokenVault(host.session()).save(other, otherPath, otherOld));
        TokenVault instance = new TokenVault(host.session());
        assertTrue(instance.save(mine, TARK_PATH, mineFirst));
        assertEquals(otherOld.refreshToken, new TokenVault(host.session()).load(other).refreshToken);

        assertTrue(new TokenVault(host.session()).save(other, otherPath, otherNew), "the other session refreshes");
        StoredLogins theirs = StoredLogins.parse(host.disk().get(TokenVault.KEY));
        assertEquals(other.id, theirs.lineage(0));

        assertTrue(instance.save(mine, TARK_PATH, mineSecond));
        String stored = host.disk().get(TokenVault.KEY);
        StoredLogins ours = StoredLogins.parse(stored);
        assertEquals(2, ours.size(), stored);
        assertEquals(mine.id, ours.lineage(0));
        assertEquals(other.id, ours.lineage(1));
        assertEquals(theirs.sealed(0), ours.sealed(1), "the other login's entry, carried over as it was on disk");
        JsonObject carried = Json.parse(stored).asObject().get("others").asArray().get(0).asObject();
        assertEquals(StoredLogins.pathFingerprint(otherPath), carried.getString("path", null), "its path kept");
        Credentials otherNext = new TokenVault(host.session()).load(other);
        assertNotNull(otherNext, "the other login's entry was dropped");
        assertEquals(otherNew.refreshToken, otherNext.refreshToken, "a stale copy of the other login was written back");
        assertEquals(mineSecond.refreshToken, new TokenVault(host.session()).load(mine).refreshToken);
        host.assertNoSecretIn(host.disk().text(), "storage.json");
    }

    // ---- refreshed tokens are saved before anything else happens ----

    /**
     * A {@link Host} that notes, for every log line and at the end of the call, whether the rotated
     * refresh token had already reached storage.json, once the token endpoint has been asked.
     */
    private static final class Watched implements Host {
        final FakeHost fake;
        final String root;
        String rotated;
        boolean asked;
        final List<String> before = new ArrayList<>();
        int after;

        Watched(FakeHost fake, String root) {
            this.fake = fake;
            this.root = root;
        }

        void note(String message) {
            if (asked) {
                Credentials stored = Fixtures.opened(fake.disk().get(TokenVault.KEY), root);
                if (stored != null && rotated.equals(stored.refreshToken)) {
                    after++;
                } else {
                    before.add(message);
                }
            }
        }

        @Override
        public HostValue readFile(String path) {
            return fake.readFile(path);
        }

        @Override
        public HostValue env(String name) {
            return fake.env(name);
        }

        @Override
        public HostValue storageGet(String key) {
            return fake.storageGet(key);
        }

        @Override
        public boolean storageSet(String key, String value) {
            return fake.storageSet(key, value);
        }

        @Override
        public boolean storageDelete(String key) {
            return fake.storageDelete(key);
        }

        @Override
        public HttpReply httpPost(String url, String[] headers, String body) {
            HttpReply reply = fake.httpPost(url, headers, body);
            asked |= url.equals(TokenRefresher.TOKEN_URL);
            return reply;
        }

        @Override
        public HttpReply httpGet(String url, String[] headers) {
            return fake.httpGet(url, headers);
        }

        @Override
        public void logDebug(String message) {
            note(message);
            fake.logDebug(message);
        }

        @Override
        public void logInfo(String message) {
            note(message);
            fake.logInfo(message);
        }

        @Override
        public void logWarn(String message) {
            note(message);
            fake.logWarn(message);
        }

        @Override
        public void logError(String message) {
            note(message);
            fake.logError(message);
        }

        @Override
        public long currentTimeMillis() {
            return fake.currentTimeMillis();
        }
    }

    /** An access token whose credentials answer is larger than tark's buffer (yet within the token limit). */
    private static String oversizedAccessToken() {
        String token = Jwt.token(Jwt.claims(NOW + DAY).add("pad", Jwt.randomText(Reply.TARK_BUFFER)));
        assertTrue(token.length() > Reply.TARK_BUFFER && token.length() < Credentials.MAX_TOKEN);
        return token;
    }

    /**
     * Whatever ends the call after the token endpoint answered (an answer too large for tark's buffer,
     * a returned token already expired or not header-safe, or nothing at all), every log line after the
     * request, the call's own error line included, and the end of the call find the rotated refresh token
     * in storage.json already: the save is the first thing done with the reply. Then the next instance
     * presents the rotated token, not the spent one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"answered", "too large", "expired", "not header-safe"})
    void theRotatedTokensAreInStorageBeforeAnyLineIsLoggedAndBeforeTheCallEnds(String outcome) {
        String root = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW - HOUR), root, null, null, null));
        String access = outcome.equals("too large") ? oversizedAccessToken()
                : outcome.equals("expired") ? Jwt.access(NOW - 60)
                : outcome.equals("not header-safe") ? Jwt.access(NOW + DAY) + "\r\n" : Jwt.access(NOW + DAY);
        String rotated = Jwt.opaque("rt");
        host.secret(access.trim());
        host.reply(200, Fixtures.tokenReply(access, rotated, null, -1));
        FakeHost instance = host.session();
        Watched watched = new Watched(instance, root);
        watched.rotated = rotated;
        Reply reply = Reply.of(new Provider(watched), Provider::credentials);
        assertEquals(!outcome.equals("answered"), reply.isFailure(), "code " + reply.code);
        if (outcome.equals("too large")) {
            assertEquals(AuthFailure.ANSWER_TOO_LARGE, reply.code);
        }
        assertTrue(watched.asked);
        assertEquals(List.of(), watched.before, "logged before the rotated tokens were saved");
        assertTrue(watched.after > 0, "nothing logged after the refresh");
        watched.note("the call's end");
        assertEquals(List.of(), watched.before, "the call ended before the rotated tokens were saved");

        String next = Jwt.access(NOW + 2 * DAY);
        host.reply(200, Fixtures.tokenReply(next, Jwt.opaque("rt"), null, -1));
        Reply again = Reply.of(new Provider(host.session()), Provider::refresh);
        assertFalse(again.isFailure(), "code " + again.code);
        assertEquals(2, host.requests().size());
        assertEquals(rotated, host.requests().get(1).presentedRefreshToken(), "the spent refresh token was presented");
    }

    /** The refresh hook too: its answer does not fit tark's buffer, and the rotated tokens are kept all the same. */
    @Test
    void aRefreshHookAnswerTooLargeStillKeepsTheRotatedTokens() {
        String root = Jwt.opaque("rt");
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + DAY), root, null, null, null));
        String rotated = Jwt.opaque("rt");
        String access = oversizedAccessToken();
        host.secret(access);
        host.reply(200, Fixtures.tokenReply(access, rotated, null, -1));
        Reply reply = Reply.of(new Provider(host.session()), Provider::refresh);
        assertEquals(AuthFailure.ANSWER_TOO_LARGE, reply.code);
        Credentials stored = Fixtures.opened(host.disk().get(TokenVault.KEY), root);
        assertNotNull(stored, "nothing saved");
        assertEquals(rotated, stored.refreshToken);
        assertNotEquals(root, stored.refreshToken);
    }
}
