package tark.host;

/**
 * A failure an export reports to the host: {@link Exported} logs its message as the call's one error
 * line and returns its negative {@link #code()}. The message must tell the user what to do, and must
 * never hold a secret.
 */
public class ExportFailure extends Exception {
    /** The answer does not fit the buffer the host lent for it. */
    public static final int ANSWER_TOO_LARGE = -7;
    /** The host passed a buffer that cannot be read, or an output buffer it did not get from alloc. */
    public static final int BAD_INPUT = -8;
    /** The export failed on an unexpected exception (a bug: its message is not logged). */
    public static final int INTERNAL_ERROR = -99;

    private final int code;

    public ExportFailure(int code, String message) {
        super(message);
        this.code = code;
    }

    public final int code() {
        return code;
    }
}
