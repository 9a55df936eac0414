package chatgpt.oauth;

/**
 * Which values may become an HTTP header of tark's model requests. tark hands them to its HTTP client
 * as they are: a control character would make every request fail with an unclear error, and on a
 * laxer client a CR or LF would inject headers.
 */
final class HeaderValues {
    /** Longer than any ChatGPT account id or organisation id seen. */
    private static final int MAX_ACCOUNT_ID = 256;

    private HeaderValues() {
    }

    /** A bearer token: visible ASCII only (no space, no control character). */
    static boolean isToken(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return !value.isEmpty();
    }

    /**
     * An account id: printable characters only (no C0 or C1 control character, no DEL), no space at
     * either end. tark's HTTP client takes any other character, and ChatGPT's ids are plain ASCII, but
     * a JWT's claims are UTF-8 and the header is only sent, never interpreted, here.
     */
    static boolean isAccountId(String value) {
        if (value.isEmpty() || value.length() > MAX_ACCOUNT_ID || value.charAt(0) == ' '
                || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' || c >= 0x7F && c <= 0x9F) {
                return false;
            }
        }
        return true;
    }
}
