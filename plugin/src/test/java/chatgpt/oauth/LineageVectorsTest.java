package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatgpt.oauth.crypto.ChaCha20Poly1305;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The stored tokens' derivations pinned to fixed values: {@code lineage-vectors.json}, computed with
 * Python's {@code cryptography} package (test_pinned_vectors.py holds it to the same values), never
 * printed from this code. Round trips cannot see a key derived with the wrong label or a nonce made
 * another way (sealing and opening agree with each other all the same); these values can.
 */
class LineageVectorsTest {
    /** The vectors' roots, each an object of the file's {@code roots}. */
    static List<JsonObject> roots() {
        List<JsonObject> roots = new ArrayList<>();
        for (JsonValue root : vectors().get("roots").asArray()) {
            roots.add(root.asObject());
        }
        assertTrue(roots.size() >= 2, "the vectors file lost its roots");
        return roots;
    }

    static JsonObject vectors() {
        try (InputStream in = LineageVectorsTest.class.getResourceAsStream("/lineage-vectors.json")) {
            assertNotNull(in, "lineage-vectors.json is not on the test classpath");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return Json.parse(reader).asObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(JsonObject object, String name) {
        JsonValue value = object.get(name);
        assertNotNull(value, "no " + name + " in " + object);
        return value.asString();
    }

    private static List<JsonObject> entries(JsonObject root) {
        List<JsonObject> entries = new ArrayList<>();
        for (JsonValue entry : root.get("entries").asArray()) {
            entries.add(entry.asObject());
        }
        return entries;
    }

    @Test
    void theSaltIsTheOneTheVectorsWereDerivedWith() {
        assertEquals("chatgpt-oauth stored tokens v1", text(vectors().get("derivation").asObject(), "salt"));
    }

    @Test
    void theLineageIdIsPinned() {
        for (JsonObject root : roots()) {
            assertEquals(text(root, "lineage_id"), Lineage.of(text(root, "root_refresh_token")).id);
        }
    }

    @Test
    void theSealKeyIsPinned() {
        for (JsonObject root : roots()) {
            assertEquals(text(root, "seal_key"), Hex.of(Lineage.of(text(root, "root_refresh_token")).sealKey()),
                    "HKDF-SHA256 with info \"seal key\"");
        }
    }

    @Test
    void theNonceKeyIsPinned() {
        for (JsonObject root : roots()) {
            assertEquals(text(root, "nonce_key"), Hex.of(Lineage.of(text(root, "root_refresh_token")).nonceKey()),
                    "HKDF-SHA256 with info \"nonce key\"");
        }
    }

    @Test
    void thePathFingerprintAndTheRefusalMarkArePinned() {
        for (JsonObject root : roots()) {
            assertEquals(text(root, "path_fingerprint"), StoredLogins.pathFingerprint(text(root, "path")));
            assertEquals(text(root, "refusal_mark"), StoredLogins.refusalMark(text(root, "root_refresh_token")));
        }
    }

    @Test
    void eachEntrySealsToExactlyThePinnedTextAndOpensBack() {
        for (JsonObject root : roots()) {
            Lineage lineage = Lineage.of(text(root, "root_refresh_token"));
            for (JsonObject entry : entries(root)) {
                String plaintext = text(entry, "plaintext");
                String sealed = text(entry, "sealed");
                assertEquals(sealed, lineage.seal(plaintext), text(entry, "name"));
                assertEquals(plaintext, lineage.open(sealed), text(entry, "name"));
                byte[] nonce = Arrays.copyOf(Base64Url.decode(sealed), 12);
                assertEquals(text(entry, "nonce"), Hex.of(nonce), "the vectors file's own nonce");
            }
        }
    }

    @Test
    void anEntryDoesNotOpenUnderTheOtherRoot() {
        List<JsonObject> roots = roots();
        for (int r = 0; r < roots.size(); r++) {
            Lineage other = Lineage.of(text(roots.get((r + 1) % roots.size()), "root_refresh_token"));
            for (JsonObject entry : entries(roots.get(r))) {
                assertNull(other.open(text(entry, "sealed")), text(entry, "name"));
            }
        }
    }

    @Test
    void savingThePinnedTokensWritesExactlyThePinnedStoredValue() {
        int checked = 0;
        for (JsonObject root : roots()) {
            for (JsonObject entry : entries(root)) {
                if (entry.get("stored_value") == null) {
                    continue;
                }
                FakeHost machine = new FakeHost().env("HOME", HOME);
                Credentials tokens = Credentials.fromTarkJson(text(entry, "plaintext"));
                assertEquals(text(entry, "plaintext"), tokens.toTarkJson(), "the plaintext is tark's format");
                Lineage lineage = Lineage.of(text(root, "root_refresh_token"));
                assertTrue(new TokenVault(machine).save(lineage, text(root, "path"), tokens));
                assertEquals(text(entry, "stored_value"), machine.disk().get(TokenVault.KEY), text(entry, "name"));
                machine.assertNoSecretInLogs();
                checked++;
            }
        }
        assertTrue(checked >= 2, "no stored value checked");
    }

    @Test
    void thePinnedStoredValueLoadsBackInANewInstance() {
        for (JsonObject root : roots()) {
            for (JsonObject entry : entries(root)) {
                if (entry.get("stored_value") == null) {
                    continue;
                }
                FakeHost machine = new FakeHost().env("HOME", HOME);
                machine.disk().put(TokenVault.KEY, text(entry, "stored_value"));
                Credentials loaded = new TokenVault(machine.session()).load(Lineage.of(text(root, "root_refresh_token")));
                assertNotNull(loaded, text(entry, "name"));
                assertEquals(text(entry, "plaintext"), loaded.toTarkJson(), text(entry, "name"));
                machine.assertNoSecretInLogs();
            }
        }
    }

    /**
     * The nonce is the first 12 bytes of HMAC-SHA256 under the pinned nonce key (from lineage-vectors.json,
     * not from Lineage), here computed by the JDK, for plaintexts of many lengths and scripts.
     */
    @Test
    void theNonceIsTheJdksHmacOfThePlaintextUnderThePinnedNonceKey() throws GeneralSecurityException {
        for (JsonObject root : roots()) {
            Lineage lineage = Lineage.of(text(root, "root_refresh_token"));
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(Hex.bytes(text(root, "nonce_key")), "HmacSHA256"));
            List<String> plaintexts = new ArrayList<>(List.of("", "a", "é", "日本語 ✓ 🚀"));
            for (int length = 1; length <= 300; length += 37) {
                plaintexts.add(Jwt.randomText(length));
            }
            for (String plaintext : plaintexts) {
                byte[] expected = Arrays.copyOf(hmac.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)),
                        ChaCha20Poly1305.NONCE_BYTES);
                byte[] nonce = Arrays.copyOf(Base64Url.decode(lineage.seal(plaintext)), ChaCha20Poly1305.NONCE_BYTES);
                assertEquals(Hex.of(expected), Hex.of(nonce), plaintext);
            }
        }
    }
}
