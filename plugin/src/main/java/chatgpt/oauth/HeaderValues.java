package chatgpt.oauth;

/**
 * Which values may become an HTTP header of tark's model requests. tark hands them to its HTTP client
 * as they are: a control character would make every request fail with an unclear error, and on a
 * laxer client a CR or LF would inject headers.
 */
final class HeaderValues {
    /** Longer than any ChatGPT account id or organisation id seen. */
    private static final int MAX_ACCOUNT_ID = 128;

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

    /** An account id: letters, digits, {@code - _ . :} (UUIDs and {@code org-...} ids). */
    static boolean isAccountId(String value) {
        if (value.isEmpty() || value.length() > MAX_ACCOUNT_ID) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == ':')) {
                return false;
            }
        }
        return true;
    }
}
