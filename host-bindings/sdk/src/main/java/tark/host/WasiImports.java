package tark.host;

import org.teavm.interop.Import;

/**
 * The WASI preview1 functions the SDK calls itself (TeaVM's runtime imports the others it needs).
 * tark links all of preview1. Use {@link WasmHost} rather than these directly.
 */
final class WasiImports {
    private WasiImports() {
    }

    /** Fills {@code len} bytes at {@code buf} from the host's secure random source; 0 on success (an errno otherwise). */
    @Import(module = "wasi_snapshot_preview1", name = "random_get")
    static native int randomGet(int buf, int len);
}
