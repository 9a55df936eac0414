package chatgpt.oauth;

import tark.host.JsonInput;
import tark.host.Utf8;

/**
 * What this plugin reads from one of ChatGPT's JWTs, in one pass over its payload: the account id,
 * the expiry and the issue time.
 */
final class TokenClaims {
    private static final String AUTH_CLAIM = "https://api.openai.com/auth";
    private static final String ACCOUNT_ID = "chatgpt_account_id";

    /** The first account id the token carries, as it is (not yet checked); null if none. */
    final String accountId;
    /** The {@code exp} claim in milliseconds, or {@link Expiry#UNKNOWN}. */
    final long expiresAtMillis;
    /** The {@code iat} claim in milliseconds, or {@link Expiry#UNKNOWN}. */
    final long issuedAtMillis;

    private TokenClaims(String accountId, long expiresAtMillis, long issuedAtMillis) {
        this.accountId = accountId;
        this.expiresAtMillis = expiresAtMillis;
        this.issuedAtMillis = issuedAtMillis;
    }

    /**
     * The claims of a JWT (payload in either base64 alphabet, any UTF-8); no claims at all if not a JWT.
     * Made per call, as every table and constant object here: a static one needs a class initializer,
     * which wasm checks before each call into the class.
     */
    static TokenClaims of(String token) {
        // The ChatGPT workspace id, nested (as ChatGPT issues it now) then at the top level; then the
        // expiry and issue time. An organizations[].id is an API organisation, not a workspace: never
        // read as the account id.
        String nestedAccountId = AUTH_CLAIM + JsonInput.SEPARATOR + ACCOUNT_ID; // a constant: no code to join it
        JsonInput claims = token == null ? null
                : JsonInput.read(payload(token), nestedAccountId, ACCOUNT_ID, "exp", "iat");
        if (claims == null) {
            return new TokenClaims(null, Expiry.UNKNOWN, Expiry.UNKNOWN);
        }
        String accountId = claims.string(nestedAccountId);
        if (accountId == null) {
            accountId = claims.string(ACCOUNT_ID);
        }
        return new TokenClaims(accountId, jwtTime(claims, "exp"), jwtTime(claims, "iat"));
    }

    /** A time claim (a JSON number of seconds) in milliseconds, or {@link Expiry#UNKNOWN}. */
    private static long jwtTime(JsonInput claims, String claim) {
        return claims.isNumber(claim) ? Expiry.fromJwtExp(claims.wholeNumber(claim, -1)) : Expiry.UNKNOWN;
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
