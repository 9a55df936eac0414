package chatgpt.oauth;

import tark.host.JsonInput;
import tark.host.Utf8;

/**
 * What this plugin reads from one of ChatGPT's JWTs, in one pass over its payload: the account id
 * and the expiry.
 */
final class TokenClaims {
    static final TokenClaims NONE = new TokenClaims(null, Expiry.UNKNOWN);

    private static final String AUTH_CLAIM = "https://api.openai.com/auth";
    private static final String ACCOUNT_ID = "chatgpt_account_id";
    /** The account id as ChatGPT has issued it over time, in order of preference; then the expiry. */
    private static final String[] FIELDS = {
        JsonInput.path(AUTH_CLAIM, ACCOUNT_ID), ACCOUNT_ID, JsonInput.path("organizations", "0", "id"), "exp",
    };
    private static final int EXP = 3;

    /** The first account id the token carries, as it is (not yet checked); null if none. */
    final String accountId;
    /** The {@code exp} claim in milliseconds, or {@link Expiry#UNKNOWN}. */
    final long expiresAtMillis;

    private TokenClaims(String accountId, long expiresAtMillis) {
        this.accountId = accountId;
        this.expiresAtMillis = expiresAtMillis;
    }

    /** The claims of a JWT (payload in either base64 alphabet, any UTF-8); {@link #NONE} if not a JWT. */
    static TokenClaims of(String token) {
        JsonInput claims = token == null ? null : JsonInput.read(payload(token), FIELDS);
        if (claims == null) {
            return NONE;
        }
        String accountId = null;
        for (int field = 0; field < EXP && accountId == null; field++) {
            accountId = claims.string(field);
        }
        long exp = claims.isNumber(EXP) ? Expiry.fromJwtExp(claims.wholeNumber(EXP, -1)) : Expiry.UNKNOWN;
        return new TokenClaims(accountId, exp);
    }

    /** The JWT's payload as text; null if the token is not a JWT. */
    private static String payload(String token) {
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (secondDot < 0) {
            return null;
        }
        byte[] json = Base64Url.decode(token.substring(firstDot + 1, secondDot));
        return json == null ? null : Utf8.decode(json);
    }
}
