package chatgpt.oauth.crypto;

import org.teavm.interop.Export;
import tark.host.ExportFailure;
import tark.host.Exported;
import tark.host.WasmHost;

/**
 * A test-only wasm module of the plugin's crypto code, never shipped: {@link CryptoProbeTest} builds
 * it with the plugin's own build (TeaVM and the module rewrites) into {@code target/crypto-probe/},
 * and {@code test_crypto_corpus.py} runs the Wycheproof and NIST vectors and a differential test
 * against Python's {@code cryptography} through it in wasmtime. The plugin's own exports cannot reach
 * the primitives with chosen inputs; this one export can, through the SDK's {@link Exported} like
 * every export of the plugin.
 *
 * <p>{@code crypto(ptr, len, ret) -> len}: the input is one request, an operation and its arguments
 * in hex, separated by single spaces (an empty argument is an empty string); 32-bit numbers are 4
 * bytes, big-endian. The answer is the result in hex, {@link #NOT_AUTHENTIC} when {@code open} finds
 * the tag wrong. A primitive's refusal (IllegalArgumentException) returns {@link #REFUSED} and logs
 * its message; any other exception returns -99, as in the plugin.
 */
public final class CryptoProbe {
    /** The code a refusal of the primitives is returned as. */
    public static final int REFUSED = -20;
    /** {@code open}'s answer for a ciphertext, tag, nonce or aad that does not authenticate. */
    public static final String NOT_AUTHENTIC = "null";
    static final String EXPORT = "crypto";

    private static final Exported<CryptoProbe> EXPORTED = new Exported<>(WasmHost.INSTANCE, host -> new CryptoProbe(),
            "The answer was too long for the buffer.");

    /** TeaVM's entry point; never run. */
    public static void main(String[] args) {
    }

    @Export(name = EXPORT)
    public static int crypto(int ptr, int len, int ret) {
        return EXPORTED.inputAnswer(EXPORT, ptr, len, ret, CryptoProbe::answer);
    }

    /** The answer to one request (see the class comment); runs on the JVM as in wasm. */
    String answer(String request) throws ExportFailure {
        int space = request.indexOf(' ');
        String operation = space < 0 ? request : request.substring(0, space);
        byte[][] a = arguments(request, space);
        try {
            byte[] result = run(operation, a);
            return result == null ? NOT_AUTHENTIC : hex(result);
        } catch (IllegalArgumentException refused) {
            throw new ExportFailure(REFUSED, "refused: " + refused.getMessage());
        }
    }

    private static byte[] run(String operation, byte[][] a) throws ExportFailure {
        switch (operation) {
            case "chacha20":
                return ChaCha20.xor(a[0], int32(a[1]), a[2], a[3]);
            case "seal":
                return ChaCha20Poly1305.seal(a[0], a[1], a[2], a[3]);
            case "open":
                return ChaCha20Poly1305.open(a[0], a[1], a[2], a[3]);
            case "poly1305":
                return Poly1305.mac(a[0], a[1]);
            case "sha256":
                return Sha256.digest(a[0]);
            case "hmac":
                return Sha256.hmac(a[0], a[1]);
            case "hkdf":
                return Hkdf.sha256(a[0], a[1], a[2], int32(a[3]));
            // The length rules, given lengths rather than arrays: their limits are near 2 GiB.
            case "chacha20_blocks":
                return bytes32(ChaCha20.blocks(int32(a[0]), int32(a[1])));
            case "sha256_padded_length":
                return bytes32(Sha256.paddedLength(int32(a[0])));
            case "aead_mac_input_length":
                return bytes32(ChaCha20Poly1305.macInputLength(int32(a[0]), int32(a[1])));
            default:
                throw new ExportFailure(ExportFailure.BAD_INPUT, "unknown operation: " + operation);
        }
    }

    /** The hex arguments after the operation (the space at {@code from}), decoded. */
    private static byte[][] arguments(String request, int from) throws ExportFailure {
        int count = 0;
        for (int i = from; i >= 0; i = request.indexOf(' ', i + 1)) {
            count++;
        }
        byte[][] arguments = new byte[count][];
        for (int n = 0, start = from + 1; n < count; n++) {
            int end = request.indexOf(' ', start);
            end = end < 0 ? request.length() : end;
            arguments[n] = unhex(request, start, end);
            start = end + 1;
        }
        return arguments;
    }

    private static byte[] unhex(String text, int start, int end) throws ExportFailure {
        if ((end - start) % 2 != 0) {
            throw new ExportFailure(ExportFailure.BAD_INPUT, "an argument has an odd number of hex digits");
        }
        byte[] bytes = new byte[(end - start) / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (digit(text.charAt(start + 2 * i)) << 4 | digit(text.charAt(start + 2 * i + 1)));
        }
        return bytes;
    }

    private static int digit(char c) throws ExportFailure {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        throw new ExportFailure(ExportFailure.BAD_INPUT, "an argument is not lowercase hex");
    }

    private static String hex(byte[] bytes) {
        String digits = "0123456789abcdef";
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(digits.charAt(b >> 4 & 15)).append(digits.charAt(b & 15));
        }
        return out.toString();
    }

    private static int int32(byte[] bytes) throws ExportFailure {
        if (bytes.length != 4) {
            throw new ExportFailure(ExportFailure.BAD_INPUT, "a number must be 4 bytes");
        }
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
    }

    private static byte[] bytes32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
