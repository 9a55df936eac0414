package tark.host;

/**
 * Runs an export's body so that nothing escapes as a trap: any Java exception becomes
 * {@link #INTERNAL_ERROR} and one {@code tark:log} error line. The exception's message is never
 * logged, because parsers put their input (possibly a token) into messages.
 */
public final class ExportGuard {
    /** Returned when an export failed on an unexpected exception. */
    public static final int INTERNAL_ERROR = -99;

    /** An export's body: returns the export's result. */
    public interface Body {
        int run() throws Exception;
    }

    private ExportGuard() {
    }

    public static int run(Host host, String export, Body body) {
        try {
            return body.run();
        } catch (Throwable failure) {
            try {
                host.logError(export + " failed unexpectedly; please report it to the plugin's authors.");
            } catch (Throwable ignored) {
                // Logging is best effort; the return code still reports the failure.
            }
            return INTERNAL_ERROR;
        } finally {
            WasmMemory.exportReturned();
        }
    }
}
