package tark.host;

/**
 * Everything a tark plugin can ask of its host. {@link WasmHost} implements it on tark's imports;
 * tests implement it in memory, so plugin logic runs unchanged on the JVM.
 */
public interface Host {
    /** {@code tark:fs.read}: the file's UTF-8 text ({@code ~/} is expanded by the host). */
    HostValue readFile(String path);

    /** {@code tark:env.get}: absent when unset or empty. */
    HostValue env(String name);

    /** {@code tark:storage.get}: absent when the key is missing. */
    HostValue storageGet(String key);

    /** {@code tark:storage.set}: true when the host persisted it. */
    boolean storageSet(String key, String value);

    /** {@code tark:storage.delete}: true on success. */
    boolean storageDelete(String key);

    /**
     * {@code tark:http.post}. Headers are name/value pairs, flattened: {@code {name1, value1, ...}}.
     * A refused host (capabilities) comes back as a transport error.
     */
    HttpReply httpPost(String url, String[] headers, String body);

    /** {@code tark:http.get}, as {@link #httpPost}. */
    HttpReply httpGet(String url, String[] headers);

    void logDebug(String message);

    void logInfo(String message);

    void logWarn(String message);

    void logError(String message);

    /** Wall-clock time in milliseconds since the Unix epoch (WASI's clock in wasm). */
    long currentTimeMillis();

    /**
     * {@code length} bytes from the host's secure random source (WASI's {@code random_get} in wasm);
     * null when there is none.
     */
    default byte[] randomBytes(int length) {
        return null;
    }
}
