package chatgpt.oauth;

import tark.host.ExportFailure;

/**
 * A failure the user can act on: the export returns {@link #code()} and logs {@link #getMessage()},
 * which names the cause and the fix. Messages never contain a token.
 */
final class AuthFailure extends ExportFailure {
    /** No credentials anywhere: the user has not logged in. */
    static final int NOT_AUTHENTICATED = -1;
    /** A credentials file exists but cannot be used as it is. */
    static final int INVALID_CREDENTIALS = -2;
    /** The token endpoint refused the refresh token: the user must log in again. */
    static final int REFRESH_REJECTED = -3;
    /** The refresh could not be completed (network, server error, odd reply); may work later. */
    static final int REFRESH_FAILED = -4;
    /** The access token has expired and this plugin may not refresh it. */
    static final int EXPIRED = -5;
    /** tark's capabilities refused something the plugin needs. */
    static final int NOT_ALLOWED = -6;
    /** The answer does not fit the host's buffer (refused by the SDK). */
    static final int ANSWER_TOO_LARGE = ExportFailure.ANSWER_TOO_LARGE;
    /** The host passed input that cannot be read, or a buffer it was not lent. */
    static final int BAD_INPUT = ExportFailure.BAD_INPUT;

    AuthFailure(int code, String message) {
        super(code, message);
    }
}
