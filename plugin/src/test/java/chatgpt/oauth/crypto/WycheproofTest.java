package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chatgpt.oauth.Hex;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Project Wycheproof's ChaCha20-Poly1305, HKDF-SHA256 and HMAC-SHA256 vectors
 * ({@code src/test/resources/wycheproof/}, where SOURCE.md says where they come from), every case.
 * {@code test_crypto_corpus.py} runs the same cases through the wasm build of this code.
 */
class WycheproofTest {
    static final String CHACHA20_POLY1305 = "chacha20_poly1305_test.json";
    static final String HKDF_SHA256 = "hkdf_sha256_test.json";
    static final String HMAC_SHA256 = "hmac_sha256_test.json";

    /** One test of a file, with its group's parameters. */
    record Case(JsonObject group, JsonObject test) {
        byte[] bytes(String field) {
            return Hex.bytes(test.getString(field, null));
        }

        int groupInt(String field) {
            return group.getInt(field, -1);
        }

        boolean valid() {
            return "valid".equals(test.getString("result", null));
        }

        @Override
        public String toString() {
            return "tcId " + test.getInt("tcId", -1) + " " + test.getString("comment", "") + " " + test.get("flags");
        }
    }

    static JsonObject file(String name) throws Exception {
        try (InputStream in = WycheproofTest.class.getResourceAsStream("/wycheproof/" + name)) {
            assertNotNull(in, name + " is not on the test classpath");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return Json.parse(reader).asObject();
            }
        }
    }

    static List<Case> cases(String name) throws Exception {
        List<Case> cases = new ArrayList<>();
        for (JsonValue group : file(name).get("testGroups").asArray()) {
            for (JsonValue test : group.asObject().get("tests").asArray()) {
                cases.add(new Case(group.asObject(), test.asObject()));
            }
        }
        return cases;
    }

    static List<Case> chacha20Poly1305() throws Exception {
        return cases(CHACHA20_POLY1305);
    }

    static List<Case> hkdfSha256() throws Exception {
        return cases(HKDF_SHA256);
    }

    static List<Case> hmacSha256() throws Exception {
        return cases(HMAC_SHA256);
    }

    /** Every case of a file is run: as many as its header counts, and as many as the review ran. */
    @ParameterizedTest
    @CsvSource({CHACHA20_POLY1305 + ", 325", HKDF_SHA256 + ", 86", HMAC_SHA256 + ", 174"})
    void eachFileHoldsTheCasesItsHeaderCounts(String name, int expected) throws Exception {
        assertEquals(expected, file(name).getInt("numberOfTests", -1));
        assertEquals(expected, cases(name).size());
    }

    /**
     * A valid case seals to its ciphertext and tag and opens back; an invalid one (a modified tag) does
     * not open; a nonce other than 96 bits is refused both ways.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("chacha20Poly1305")
    void chacha20Poly1305(Case c) {
        byte[] key = c.bytes("key");
        byte[] nonce = c.bytes("iv");
        byte[] aad = c.bytes("aad");
        byte[] sealed = concat(c.bytes("ct"), c.bytes("tag"));
        if (c.groupInt("ivSize") != 96) {
            assertFalse(c.valid());
            assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.seal(key, nonce, c.bytes("msg"), aad));
            assertThrows(IllegalArgumentException.class, () -> ChaCha20Poly1305.open(key, nonce, sealed, aad));
            return;
        }
        byte[] opened = ChaCha20Poly1305.open(key, nonce, sealed, aad);
        if (c.valid()) {
            assertArrayEquals(sealed, ChaCha20Poly1305.seal(key, nonce, c.bytes("msg"), aad));
            assertArrayEquals(c.bytes("msg"), opened);
        } else {
            assertNull(opened);
        }
    }

    /** A valid case derives its okm; the invalid ones ask for more than 255 blocks, which is refused. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hkdfSha256")
    void hkdfSha256(Case c) {
        int size = c.test().getInt("size", -1);
        if (c.valid()) {
            assertArrayEquals(c.bytes("okm"), Hkdf.sha256(c.bytes("ikm"), c.bytes("salt"), c.bytes("info"), size));
        } else {
            assertThrows(IllegalArgumentException.class,
                    () -> Hkdf.sha256(c.bytes("ikm"), c.bytes("salt"), c.bytes("info"), size));
        }
    }

    /** The MAC, cut to the group's tag size, is the case's tag exactly when the case is valid. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hmacSha256")
    void hmacSha256(Case c) {
        byte[] tag = Arrays.copyOf(Sha256.hmac(c.bytes("key"), c.bytes("msg")), c.groupInt("tagSize") / 8);
        if (c.valid()) {
            assertArrayEquals(c.bytes("tag"), tag);
        } else {
            assertFalse(Arrays.equals(c.bytes("tag"), tag));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
