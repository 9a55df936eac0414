package tark.host;

/**
 * {@link Host} on tark's real imports. Every value arrives in {@link WasmMemory#receiveBuffer()}
 * and is copied into Java before the next host call; every argument is passed from a fresh Java
 * array whose address is taken right before the call, with no allocation in between.
 */
public final class WasmHost implements Host {
    public static final WasmHost INSTANCE = new WasmHost();

    /**
     * The last file read. Plugins re-read their files on every call (a file is the source of truth)
     * and it is almost always unchanged: then its bytes are compared in place, not copied and decoded.
     */
    private String lastPath;
    private byte[] lastBytes;
    private String lastText;

    private WasmHost() {
    }

    @Override
    public HostValue readFile(String path) {
        byte[] name = Utf8.encode(path);
        int ret = WasmMemory.receiveBuffer();
        int result = TarkImports.fsRead(WasmMemory.addressOf(name), name.length, ret);
        switch (result) {
            case -2:
                return HostValue.failure(HostValue.DENIED, result);
            case -3:
                return HostValue.absent();
            case -4:
                return HostValue.failure(HostValue.TOO_LARGE, result);
            default:
                return fileText(path, ret, result);
        }
    }

    private HostValue fileText(String path, int ret, int length) {
        if (length >= 0 && path.equals(lastPath) && WasmMemory.holds(ret, lastBytes, length)) {
            return HostValue.of(lastText);
        }
        byte[] bytes = length < 0 ? null : WasmMemory.read(ret, length);
        if (bytes == null) {
            return unreadable(length);
        }
        lastPath = path;
        lastBytes = bytes;
        lastText = Utf8.decode(bytes);
        return HostValue.of(lastText);
    }

    @Override
    public HostValue env(String name) {
        byte[] key = Utf8.encode(name);
        int ret = WasmMemory.receiveBuffer();
        int result = TarkImports.envGet(WasmMemory.addressOf(key), key.length, ret);
        if (result == 0) {
            return HostValue.absent();
        }
        if (result == -2) {
            return HostValue.failure(HostValue.DENIED, result);
        }
        return received(ret, result);
    }

    @Override
    public HostValue storageGet(String key) {
        byte[] name = Utf8.encode(key);
        int ret = WasmMemory.receiveBuffer();
        int result = TarkImports.storageGet(WasmMemory.addressOf(name), name.length, ret);
        return result == 0 ? HostValue.absent() : received(ret, result);
    }

    @Override
    public boolean storageSet(String key, String value) {
        byte[] name = Utf8.encode(key);
        byte[] bytes = Utf8.encode(value);
        return TarkImports.storageSet(WasmMemory.addressOf(name), name.length,
                WasmMemory.addressOf(bytes), bytes.length) == 0;
    }

    @Override
    public boolean storageDelete(String key) {
        byte[] name = Utf8.encode(key);
        return TarkImports.storageDelete(WasmMemory.addressOf(name), name.length) == 0;
    }

    @Override
    public HttpReply httpPost(String url, String[] headers, String body) {
        byte[] target = Utf8.encode(url);
        byte[] content = Utf8.encode(body);
        byte[] headerList = Utf8.encode(headerDocument(headers));
        int ret = WasmMemory.receiveBuffer();
        int result = TarkImports.httpPost(WasmMemory.addressOf(target), target.length,
                WasmMemory.addressOf(content), content.length,
                WasmMemory.addressOf(headerList), headerList.length, ret);
        return reply(ret, result);
    }

    @Override
    public HttpReply httpGet(String url, String[] headers) {
        byte[] target = Utf8.encode(url);
        byte[] headerList = Utf8.encode(headerDocument(headers));
        int ret = WasmMemory.receiveBuffer();
        int result = TarkImports.httpGet(WasmMemory.addressOf(target), target.length,
                WasmMemory.addressOf(headerList), headerList.length, ret);
        return reply(ret, result);
    }

    @Override
    public void logDebug(String message) {
        log('d', message);
    }

    @Override
    public void logInfo(String message) {
        log('i', message);
    }

    @Override
    public void logWarn(String message) {
        log('w', message);
    }

    @Override
    public void logError(String message) {
        log('e', message);
    }

    /** One body for the four levels ({@code level}: their initial), since each copy of it costs code. */
    private void log(char level, String message) {
        byte[] text = logLine(message);
        int address = WasmMemory.addressOf(text);
        if (level == 'd') {
            TarkImports.logDebug(address, text.length);
        } else if (level == 'i') {
            TarkImports.logInfo(address, text.length);
        } else if (level == 'w') {
            TarkImports.logWarn(address, text.length);
        } else {
            TarkImports.logError(address, text.length);
        }
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        // The array's address is taken right before the call: nothing allocates (or moves it) in between.
        return WasiImports.randomGet(WasmMemory.addressOf(bytes), length) == 0 ? bytes : null;
    }

    /**
     * A log line's bytes, its control characters written out ({@link ControlChars}): a line may quote a
     * path, an environment variable, the host's or a server's words, and tark's log reaches a terminal.
     */
    byte[] logLine(String message) {
        return Utf8.encode(ControlChars.escape(message));
    }

    // The helpers from here on are instance methods: in wasm a static call into a class with a
    // static initializer (INSTANCE) is preceded by a class-initialisation check.
    private HostValue received(int ret, int length) {
        byte[] bytes = length < 0 ? null : WasmMemory.read(ret, length);
        return bytes == null ? unreadable(length) : HostValue.of(Utf8.decode(bytes));
    }

    /** A host error code, or a value this module will not take (outside memory or over the limit). */
    private HostValue unreadable(int length) {
        return HostValue.failure(length < 0 ? HostValue.ERROR : HostValue.TOO_LARGE, length);
    }

    private HttpReply reply(int ret, int result) {
        if (result == -2) {
            return HttpReply.transportError("the host is not in the plugin's http capability");
        }
        HostValue document = received(ret, result);
        if (document.kind() == HostValue.TOO_LARGE) {
            return HttpReply.transportError("the HTTP reply is larger than " + WasmMemory.MAX_HOST_VALUE + " bytes");
        }
        if (!document.isPresent()) {
            return HttpReply.transportError("the host refused the request (code " + Decimal.of(result) + ")");
        }
        return HttpReply.parse(document.value());
    }

    /** tark's header list: a JSON array of [name, value] pairs. */
    String headerDocument(String[] headers) {
        StringBuilder pairs = new StringBuilder("[");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            JsonOutput.quote(pairs.append(i == 0 ? "[" : ",["), headers[i]).append(',');
            JsonOutput.quote(pairs, headers[i + 1]).append(']');
        }
        return pairs.append(']').toString();
    }
}
