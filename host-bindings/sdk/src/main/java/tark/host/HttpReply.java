package tark.host;

/**
 * The host's reply document for {@code tark:http}: an HTTP response of any status, or a transport
 * error (no response at all, or the host refused the request).
 */
public final class HttpReply {
    private final int status;
    private final String body;
    private final String error;

    private HttpReply(int status, String body, String error) {
        this.status = status;
        this.body = body;
        this.error = error;
    }

    public static HttpReply response(int status, String body) {
        return new HttpReply(status, body, null);
    }

    public static HttpReply transportError(String message) {
        return new HttpReply(0, null, message);
    }

    /**
     * Parses tark's reply document: {@code {"status", "headers", "body"}} or {@code {"error"}}.
     * Anything else is reported as a transport error rather than thrown.
     */
    public static HttpReply parse(String document) {
        JsonInput reply = JsonInput.read(document, "error", "status", "body");
        if (reply == null) {
            return transportError("the host's HTTP reply is not a JSON object");
        }
        if (reply.string("error") != null) {
            return transportError(reply.string("error"));
        }
        long code = reply.isNumber("status") ? reply.wholeNumber("status", -1) : -1;
        if (code < 100 || code > 999) {
            return transportError("the host's HTTP reply has no valid status");
        }
        String body = reply.string("body");
        return response((int) code, body != null ? body : "");
    }

    public boolean isTransportError() {
        return error != null;
    }

    /** The HTTP status; 0 for a transport error. */
    public int status() {
        return status;
    }

    public boolean isSuccess() {
        return error == null && status >= 200 && status < 300;
    }

    /** The response body; null for a transport error. */
    public String body() {
        return body;
    }

    /** The transport error's message; null for a response. */
    public String error() {
        return error;
    }
}
