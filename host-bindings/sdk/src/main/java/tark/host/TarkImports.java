package tark.host;

import org.teavm.interop.Import;

/**
 * The raw {@code tark:*} host functions, with tark's exact wasm signatures. Pointers are addresses in
 * this module's linear memory; strings are UTF-8 (ptr, len) pairs. Every {@code ret} parameter is a
 * buffer the host fills with the whole value, bounded only by the end of memory, so callers must pass
 * memory from {@link WasmMemory#receiveBuffer()}. Use {@link WasmHost} rather than these directly.
 */
final class TarkImports {
    private TarkImports() {
    }

    @Import(module = "tark:storage", name = "get")
    static native int storageGet(int keyPtr, int keyLen, int ret);

    @Import(module = "tark:storage", name = "set")
    static native int storageSet(int keyPtr, int keyLen, int valuePtr, int valueLen);

    @Import(module = "tark:storage", name = "delete")
    static native int storageDelete(int keyPtr, int keyLen);

    @Import(module = "tark:http", name = "get")
    static native int httpGet(int urlPtr, int urlLen, int headersPtr, int headersLen, int ret);

    @Import(module = "tark:http", name = "post")
    static native int httpPost(int urlPtr, int urlLen, int bodyPtr, int bodyLen,
            int headersPtr, int headersLen, int ret);

    @Import(module = "tark:env", name = "get")
    static native int envGet(int namePtr, int nameLen, int ret);

    @Import(module = "tark:fs", name = "read")
    static native int fsRead(int pathPtr, int pathLen, int ret);

    @Import(module = "tark:log", name = "debug")
    static native void logDebug(int msgPtr, int msgLen);

    @Import(module = "tark:log", name = "info")
    static native void logInfo(int msgPtr, int msgLen);

    @Import(module = "tark:log", name = "warn")
    static native void logWarn(int msgPtr, int msgLen);

    @Import(module = "tark:log", name = "error")
    static native void logError(int msgPtr, int msgLen);
}
