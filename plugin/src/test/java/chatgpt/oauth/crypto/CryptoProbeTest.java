package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chatgpt.oauth.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tark.host.ExportFailure;
import tark.host.toolchain.WasmBuild;

/**
 * Builds {@link CryptoProbe}, the crypto code's test-only wasm module, with the plugin's own build
 * into {@link #MODULE} (where {@code test_crypto_corpus.py} runs it in wasmtime; dist/ is not
 * touched), and checks its request format on the JVM.
 */
class CryptoProbeTest {
    /** Where test_crypto_corpus.py looks for the module (tests run in plugin/). */
    static final Path MODULE = Path.of("target", "crypto-probe", "crypto-probe.wasm");

    private final CryptoProbe probe = new CryptoProbe();

    @Test
    void buildsTheModuleWithTheCryptoExport() throws Exception {
        Files.deleteIfExists(MODULE);
        WasmBuild.main(new String[] {CryptoProbe.class.getName(), MODULE.getParent().toString(),
                MODULE.getFileName().toString()});
        String module = new String(Files.readAllBytes(MODULE), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(module.startsWith("\0asm"), "not a wasm module");
        assertTrue(module.contains(CryptoProbe.EXPORT), "no export named " + CryptoProbe.EXPORT);
    }

    @Test
    void answersInHex() throws Exception {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", probe.answer("sha256 616263"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", probe.answer("sha256 "));
        assertEquals("00000001", probe.answer("chacha20_blocks ffffffff 00000040"));
    }

    @Test
    void sealsAndOpensWithEmptyArguments() throws Exception {
        String key = Hex.of(Rfc8439.KEY_80_TO_9F);
        String nonce = "070000004041424344454647";
        String tag = probe.answer("seal " + key + " " + nonce + "  ");
        assertEquals(32, tag.length());
        assertEquals("", probe.answer("open " + key + " " + nonce + " " + tag + " "));
        assertEquals(CryptoProbe.NOT_AUTHENTIC, probe.answer("open " + key + " " + nonce + " " + tag + " 00"));
    }

    @Test
    void aRefusalOfThePrimitivesIsItsOwnCode() {
        ExportFailure refused = assertThrows(ExportFailure.class,
                () -> probe.answer("chacha20 " + "00".repeat(32) + " ffffffff " + "00".repeat(12) + " " + "00".repeat(65)));
        assertEquals(CryptoProbe.REFUSED, refused.code());
        assertTrue(refused.getMessage().contains("2^32 - 1"), refused.getMessage());
    }

    @Test
    void aMalformedRequestIsBadInput() {
        for (String request : new String[] {"sha2 00", "sha256 0", "sha256 0G", "sha256 AB", "hkdf 00 00 00 0020"}) {
            ExportFailure failure = assertThrows(ExportFailure.class, () -> probe.answer(request), request);
            assertEquals(ExportFailure.BAD_INPUT, failure.code(), request);
        }
    }
}
