package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import chatgpt.oauth.Hex;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NIST's SHA-256 short-message vectors ({@code src/test/resources/nist/SHA256ShortMsg.rsp}; SOURCE.md
 * says where it comes from): every message of 0 to 64 bytes. {@code test_crypto_corpus.py} runs
 * them through the wasm build too.
 */
class NistSha256Test {
    /** One vector: {@code Len} in bits, {@code Msg} and {@code MD} in hex. */
    record Vector(int bits, String message, String digest) {
        byte[] bytes() {
            // The empty message is written "00": Len says how much of Msg counts.
            return Arrays.copyOf(Hex.bytes(message), bits / 8);
        }

        @Override
        public String toString() {
            return "Len = " + bits;
        }
    }

    static List<Vector> vectors() throws Exception {
        String text;
        try (InputStream in = NistSha256Test.class.getResourceAsStream("/nist/SHA256ShortMsg.rsp")) {
            assertNotNull(in, "SHA256ShortMsg.rsp is not on the test classpath");
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<Vector> vectors = new ArrayList<>();
        String bits = null;
        String message = null;
        for (String line : text.split("\r?\n")) {
            String[] field = line.split(" = ", 2);
            if (field.length != 2) {
                continue;
            }
            switch (field[0].trim()) {
                case "Len" -> bits = field[1].trim();
                case "Msg" -> message = field[1].trim();
                case "MD" -> vectors.add(new Vector(Integer.parseInt(bits), message, field[1].trim()));
                default -> { }
            }
        }
        return vectors;
    }

    @Test
    void theFileHoldsEveryByteLengthFrom0To64() throws Exception {
        List<Vector> vectors = vectors();
        assertEquals(65, vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            assertEquals(8 * i, vectors.get(i).bits());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void digest(Vector vector) {
        assertEquals(vector.digest(), Hex.of(Sha256.digest(vector.bytes())));
    }
}
