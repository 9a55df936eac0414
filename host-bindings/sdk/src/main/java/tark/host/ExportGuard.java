package tark.host;

/**
 * Runs a plugin's exports so that nothing escapes as a trap: any Java exception becomes
 * {@link #INTERNAL_ERROR} and one {@code tark:log} error line. The exception's message is never
 * logged, because parsers put their input (possibly a token) into messages. Every call ends by
 * releasing the memory lent to the host for it ({@link WasmMemory#exportReturned()}).
 *
 * <p>A plugin numbers its exports and implements one {@link Dispatcher#dispatch}; each
 * {@code @Export} method is then a one-line call to {@link #run}. One dispatcher instead of a
 * lambda per export keeps the module small.
 */
public final class ExportGuard {
    /** Returned when an export failed on an unexpected exception. */
    public static final int INTERNAL_ERROR = -99;

    /** A plugin's exports, numbered. */
    public interface Dispatcher {
        /** Runs export number {@code export} with up to three i32 arguments; returns its result. */
        int dispatch(int export, int a, int b, int c) throws Exception;

        /** The export's wasm name, for the log. */
        String name(int export);
    }

    private ExportGuard() {
    }

    public static int run(Host host, Dispatcher exports, int export, int a, int b, int c) {
        try {
            return exports.dispatch(export, a, b, c);
        } catch (Throwable failure) {
            try {
                host.logError(exports.name(export) + " failed unexpectedly; please report it to the plugin's authors.");
            } catch (Throwable ignored) {
                // Logging is best effort; the return code still reports the failure.
            }
            return INTERNAL_ERROR;
        } finally {
            WasmMemory.exportReturned();
        }
    }
}
