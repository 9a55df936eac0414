package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.DAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatgpt.oauth.crypto.ChaCha20Poly1305;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LineageTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    /** The first ciphertext bytes compared: one block of the plaintext's start. */
    private static final int BLOCK = 16;
    private final String root = Jwt.opaque("rt");

    @Test
    void theIdIsStableForARootAndDiffersBetweenRoots() {
        assertEquals(Lineage.of(root).id, Lineage.of(root).id);
        assertNotEquals(Lineage.of(root).id, Lineage.of(Jwt.opaque("rt")).id);
        assertTrue(Lineage.of(root).id.matches("[0-9a-f]{32}"));
    }

    @Test
    void theIdHoldsNoPieceOfTheRoot() {
        FakeHost host = new FakeHost();
        host.secret(root);
        host.assertNoSecretIn(Lineage.of(root).id, "the lineage id");
    }

    @Test
    void sealedTextOpensUnderTheSameRootOnly() {
        String plaintext = "{\"access_token\":\"" + Jwt.access(Jwt.NOW_SECONDS) + "\"}";
        String sealed = Lineage.of(root).seal(plaintext);
        assertEquals(plaintext, Lineage.of(root).open(sealed));
        assertNull(Lineage.of(Jwt.opaque("rt")).open(sealed));
        assertTrue(sealed.matches("[A-Za-z0-9_-]+"), "url-safe base64: " + sealed);
        FakeHost host = new FakeHost();
        host.rememberSecretsIn(plaintext);
        host.secret(root);
        host.assertNoSecretIn(sealed, "the sealed text");
    }

    @Test
    void anyAlteredCharacterFailsToOpen() {
        Lineage lineage = Lineage.of(root);
        String sealed = lineage.seal("{\"access_token\":\"x\"}");
        for (int i = 0; i < sealed.length(); i++) {
            char c = sealed.charAt(i);
            String altered = sealed.substring(0, i) + (c == 'A' ? 'B' : 'A') + sealed.substring(i + 1);
            assertNull(lineage.open(altered), "altered at " + i);
        }
        assertNull(lineage.open(sealed.substring(0, sealed.length() - 1)));
        assertNull(lineage.open(sealed + "A"));
        assertNull(lineage.open(""));
        assertNull(lineage.open(null));
        assertNull(lineage.open("!!!"));
    }

    @Test
    void theNonceFollowsThePlaintextSoItNeverRepeatsForDifferentTokens() {
        Lineage lineage = Lineage.of(root);
        String a = lineage.seal("{\"access_token\":\"a\"}");
        String b = lineage.seal("{\"access_token\":\"b\"}");
        byte[] nonceA = java.util.Arrays.copyOf(Base64Url.decode(a), ChaCha20Poly1305.NONCE_BYTES);
        byte[] nonceB = java.util.Arrays.copyOf(Base64Url.decode(b), ChaCha20Poly1305.NONCE_BYTES);
        assertTrue(!java.util.Arrays.equals(nonceA, nonceB));
        assertEquals(a, lineage.seal("{\"access_token\":\"a\"}"), "the same plaintext seals the same way");
    }

    private static byte[] nonceOf(String sealed) {
        return Arrays.copyOf(Base64Url.decode(sealed), ChaCha20Poly1305.NONCE_BYTES);
    }

    private static byte[] firstBlockOf(String sealed) {
        return Arrays.copyOfRange(Base64Url.decode(sealed), ChaCha20Poly1305.NONCE_BYTES,
                ChaCha20Poly1305.NONCE_BYTES + BLOCK);
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
        assertTrue(plaintext.length() > 500, "real-shaped: " + plaintext.length());
        String sealed = lineage.seal(plaintext);
        FakeHost host = new FakeHost();
        host.rememberSecretsIn(plaintext);
        host.assertNoSecretIn(sealed, "the sealed text");
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
}
