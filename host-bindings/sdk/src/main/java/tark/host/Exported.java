package tark.host;

/**
 * Runs a plugin's exports, one helper per signature, so that declaring an export is one line: its
 * name, the helper for its signature and its handler, a method of the plugin object {@code P} (made
 * on the first call, with the host).
 *
 * <pre>{@code
 * static final Exported<Provider> EXPORTED = new Exported<>(WasmHost.INSTANCE, Provider::new, "...");
 *
 * @Export(name = "provider_models")
 * public static int providerModels(int ret) {
 *     return EXPORTED.answer("provider_models", ret, Provider::models);
 * }
 * }</pre>
 *
 * Nothing escapes as a trap: an {@link ExportFailure} is logged (its message, which tells the user
 * what to do) and returns its code; any other exception returns {@link ExportFailure#INTERNAL_ERROR}
 * with one generic line, since parsers put their input (possibly a token) into messages. The helpers
 * also refuse, and log, what the host got wrong: an output buffer {@code alloc} did not lend for this
 * call (checked before the handler runs), an unreadable input, an answer that does not fit. Every call
 * ends by releasing the memory lent to the host for it.
 */
public final class Exported<P> {
    /** Makes the plugin object on the first call. */
    public interface Plugin<P> {
        P create(Host host) throws Exception;
    }

    /** An export that writes text into the host's output buffer. */
    public interface Answer<P> {
        String answer(P plugin) throws Exception;
    }

    /** An export that returns a status code. */
    public interface Status<P> {
        int status(P plugin) throws Exception;
    }

    /** An export that reads the host's input as text and writes text into its output buffer. */
    public interface InputAnswer<P> {
        String answer(P plugin, String input) throws Exception;
    }

    /** An export that reads the host's input as text and returns a status code. */
    public interface InputStatus<P> {
        int status(P plugin, String input) throws Exception;
    }

    /** The buffer tark lends for a {@code (ret) -> len} answer: {@code alloc(8192)}. */
    public static final int TARK_ANSWER_BUFFER = 8192;

    private final Host host;
    private final Buffers buffers;
    private final Plugin<P> factory;
    private P plugin;
    /** Appended to the "does not fit" error: what the user can do about an answer this large. */
    private final String tooLargeAdvice;
    /** The last answer and its UTF-8: an unchanged answer (the usual repeated call) is not encoded again. */
    private String lastText;
    private byte[] lastBytes;

    /** A wasm module's exports, on this module's memory. */
    public Exported(Host host, Plugin<P> factory, String tooLargeAdvice) {
        this(host, WasmMemory.buffers(), factory, tooLargeAdvice);
    }

    /** Exports on other buffers: {@link ArrayBuffers} runs them on the JVM. */
    public Exported(Host host, Buffers buffers, Plugin<P> factory, String tooLargeAdvice) {
        this.host = host;
        this.buffers = buffers;
        this.factory = factory;
        this.tooLargeAdvice = tooLargeAdvice;
    }

    private P plugin() throws Exception {
        if (plugin == null) {
            plugin = factory.create(host);
        }
        return plugin;
    }

    /** {@code (ret) -> len}: the handler's text into the buffer at {@code ret}. */
    public int answer(String name, int ret, Answer<P> handler) {
        try {
            int capacity = lentCapacity(name, ret);
            return write(name, ret, capacity, handler.answer(plugin()));
        } catch (Throwable failure) {
            return failed(name, failure);
        } finally {
            buffers.exportReturned();
        }
    }

    /** {@code () -> status}. */
    public int status(String name, Status<P> handler) {
        try {
            return handler.status(plugin());
        } catch (Throwable failure) {
            return failed(name, failure);
        } finally {
            buffers.exportReturned();
        }
    }

    /** {@code (ptr, len, ret) -> len}: the input's text to the handler, its text into the buffer at {@code ret}. */
    public int inputAnswer(String name, int ptr, int len, int ret, InputAnswer<P> handler) {
        try {
            int capacity = lentCapacity(name, ret);
            return write(name, ret, capacity, handler.answer(plugin(), input(name, ptr, len)));
        } catch (Throwable failure) {
            return failed(name, failure);
        } finally {
            buffers.exportReturned();
        }
    }

    /** {@code (ptr, len) -> status}: the input's text to the handler. */
    public int inputStatus(String name, int ptr, int len, InputStatus<P> handler) {
        try {
            return handler.status(plugin(), input(name, ptr, len));
        } catch (Throwable failure) {
            return failed(name, failure);
        } finally {
            buffers.exportReturned();
        }
    }

    private int lentCapacity(String name, int ret) throws ExportFailure {
        int capacity = buffers.outputCapacity(ret);
        if (capacity < 0) {
            throw notLent(name);
        }
        return capacity;
    }

    private String input(String name, int ptr, int len) throws ExportFailure {
        byte[] bytes = buffers.input(ptr, len);
        if (bytes == null) {
            throw hostBug(name, " was given a buffer outside memory or over " + WasmMemory.MAX_HOST_VALUE
                    + " bytes; nothing was done. This is a host bug.");
        }
        return Utf8.decode(bytes);
    }

    private int write(String name, int ret, int capacity, String text) throws ExportFailure {
        if (!text.equals(lastText)) {
            lastBytes = Utf8.encode(text);
            lastText = text;
        }
        int written = buffers.write(ret, lastBytes);
        if (written == Buffers.NOT_LENT) {
            throw notLent(name);
        }
        if (written < 0) {
            throw tooLarge(name, lastBytes.length, capacity, tooLargeAdvice);
        }
        return written;
    }

    /**
     * The failure of an answer of {@code length} bytes that does not fit the {@code capacity} the host
     * lent: what an export logs then, and what a plugin that works out afresh why an earlier call failed
     * (on another instance) reports, in the same words.
     */
    public static ExportFailure tooLarge(String name, int length, int capacity, String advice) {
        return new ExportFailure(ExportFailure.ANSWER_TOO_LARGE, "The answer of " + name + " ("
                + Decimal.of(length) + " bytes) does not fit the " + Decimal.of(capacity) + "-byte buffer the host lent for"
                + " it. " + advice);
    }

    private static ExportFailure notLent(String name) {
        return hostBug(name, " was given an output buffer that alloc did not lend for this call; nothing was"
                + " done. This is a host bug: call alloc right before the export and pass its pointer.");
    }

    /** What the host got wrong calling export {@code name}: one concatenation for all such messages (each costs code). */
    private static ExportFailure hostBug(String name, String what) {
        return new ExportFailure(ExportFailure.BAD_INPUT, name + what);
    }

    private int failed(String name, Throwable failure) {
        boolean reported = failure instanceof ExportFailure;
        try {
            host.logError(reported ? failure.getMessage()
                    : name + " failed unexpectedly; please report it to the plugin's authors.");
        } catch (Throwable ignored) {
            // Logging is best effort; the return code still reports the failure.
        }
        return reported ? ((ExportFailure) failure).code() : ExportFailure.INTERNAL_ERROR;
    }
}
