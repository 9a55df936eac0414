package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatgpt.oauth.crypto.ChaCha20Poly1305;
import org.junit.jupiter.api.Test;

class LineageTest {
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
}
