package chatgpt.oauth;

/** An export's outcome: a text for the host's buffer, or a negative code (already logged). */
final class Reply {
    final int code;
    /** Null for a failure. */
    final String text;

    private Reply(int code, String text) {
        this.code = code;
        this.text = text;
    }

    static Reply text(String text) {
        return new Reply(0, text);
    }

    static Reply failure(int code) {
        return new Reply(code, null);
    }

    boolean isFailure() {
        return text == null;
    }
}
