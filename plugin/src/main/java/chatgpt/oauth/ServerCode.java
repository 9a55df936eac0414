package chatgpt.oauth;

import tark.host.JsonInput;

/**
 * The one rule for a server's words in a log line: an OAuth error code is quoted only when it is a
 * plain code and cannot carry a token. An endpoint or proxy may echo what it was sent
 * ({@code "upstream.<refresh token>"}), and the log is no place for any part of a token.
 */
final class ServerCode {
    static final int MAX_LENGTH = 64;
    /** A shared run this long with a token held counts as part of it. */
    static final int TOKEN_PIECE = 8;

    private ServerCode() {
    }

    /**
     * {@code ", <code>"} for the reply's {@code error} (or {@code error.code}), or "" when there is
     * none or it may not be quoted: not a short lowercase word of {@code [a-z0-9_.-]}, or sharing
     * {@link #TOKEN_PIECE} characters with any token the call holds ({@code sent}, and {@code alsoHeld}:
     * the file's, or the stored ones; either may be null).
     */
    static String quoted(String body, Credentials sent, Credentials alsoHeld) {
        String code = of(body);
        return code != null && !sharesPiece(code, sent) && !sharesPiece(code, alsoHeld) ? ", " + code : "";
    }

    /**
     * The reply's plain OAuth error code: {@code error} (a string), {@code error.code}, or a top-level
     * {@code code}, as the Codex CLI reads them; null when there is none or it is not plain.
     */
    static String of(String body) {
        String nestedCode = "error" + JsonInput.SEPARATOR + "code"; // a constant: no code to join it
        JsonInput json = JsonInput.read(body, "error", nestedCode, "code");
        if (json == null) {
            return null;
        }
        String code = json.string("error");
        if (code == null) {
            code = json.string(nestedCode);
        }
        if (code == null) {
            code = json.string("code");
        }
        return code != null && isPlain(code) ? code : null;
    }

    private static boolean isPlain(String code) {
        if (code.isEmpty() || code.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean sharesPiece(String code, Credentials held) {
        return held != null && (sharesPiece(code, held.accessToken) || sharesPiece(code, held.refreshToken)
                || sharesPiece(code, held.idToken));
    }

    /** Compared case-insensitively: a code is lowercase, and a case-folded token is still the token. */
    private static boolean sharesPiece(String code, String token) {
        if (token == null) {
            return false;
        }
        String folded = asciiLowerCase(token);
        for (int start = 0; start + TOKEN_PIECE <= code.length(); start++) {
            if (folded.contains(code.substring(start, start + TOKEN_PIECE))) {
                return true;
            }
        }
        return false;
    }

    /** ASCII letters only: String.toLowerCase would bring Unicode's case tables into the module. */
    private static String asciiLowerCase(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            folded.append(c >= 'A' && c <= 'Z' ? (char) (c + 'a' - 'A') : c);
        }
        return folded.toString();
    }
}
