package tark.host;

/** What a value-returning host function gave back: the value, or why there is none. */
public final class HostValue {
    public static final int VALUE = 0;
    /** Unset variable, missing storage key, missing or unreadable file. */
    public static final int ABSENT = 1;
    /** The manifest's capabilities do not allow it. */
    public static final int DENIED = 2;
    /** Larger than this module accepts from the host. */
    public static final int TOO_LARGE = 3;
    /** Any other failure; {@link #code()} holds the host's return code. */
    public static final int ERROR = 4;

    private final int kind;
    private final int code;
    private final String value;

    private HostValue(int kind, int code, String value) {
        this.kind = kind;
        this.code = code;
        this.value = value;
    }

    public static HostValue of(String value) {
        return new HostValue(VALUE, 0, value);
    }

    public static HostValue absent() {
        return new HostValue(ABSENT, 0, null);
    }

    public static HostValue failure(int kind, int code) {
        return new HostValue(kind, code, null);
    }

    public int kind() {
        return kind;
    }

    public boolean isPresent() {
        return kind == VALUE;
    }

    /** The value; null unless {@link #isPresent()}. */
    public String value() {
        return value;
    }

    /** The host's raw return code for failures (e.g. -2, -3); 0 otherwise. */
    public int code() {
        return code;
    }
}
