package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import tark.host.JsonInput;
import tark.host.Utf8;

/** What this plugin reads from ChatGPT's JWTs: the account id and the access token's expiry. */
final class TokenClaims {
    private static final String AUTH_CLAIM = "https://api.openai.com/auth";
    private static final String ACCOUNT_ID = "chatgpt_account_id";

    private TokenClaims() {
    }

    /** The JWT's payload (base64url, padding optional, any UTF-8); null if the token is not a JWT. */
    static JsonObject payload(String token) {
        if (token == null) {
            return null;
        }
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (secondDot < 0) {
            return null;
        }
        byte[] json = Base64Url.decode(token.substring(firstDot + 1, secondDot));
        return json == null ? null : JsonInput.parseObject(Utf8.decode(json));
    }

    /**
     * The ChatGPT account id of the first token that carries one, looked up as ChatGPT has issued it
     * over time: the auth claim object, a top-level claim, then the first organization; else
     * {@code fallback}. Empty ids count as absent.
     */
    static String accountId(String idToken, String accessToken, String fallback) {
        String found = accountId(payload(idToken));
        if (found == null) {
            found = accountId(payload(accessToken));
        }
        return found != null ? found : nonEmpty(fallback);
    }

    private static String accountId(JsonObject claims) {
        if (claims == null) {
            return null;
        }
        JsonValue auth = claims.get(AUTH_CLAIM);
        String id = auth != null && auth.isObject() ? string(auth.asObject().get(ACCOUNT_ID)) : null;
        if (id == null) {
            id = string(claims.get(ACCOUNT_ID));
        }
        if (id == null) {
            JsonValue organizations = claims.get("organizations");
            if (organizations != null && organizations.isArray() && !organizations.asArray().isEmpty()) {
                JsonValue first = organizations.asArray().get(0);
                id = first.isObject() ? string(first.asObject().get("id")) : null;
            }
        }
        return id;
    }

    /** The access token's {@code exp} in milliseconds, or {@link Expiry#UNKNOWN}. */
    static long expiryMillis(String accessToken) {
        JsonObject claims = payload(accessToken);
        JsonValue exp = claims == null ? null : claims.get("exp");
        return exp != null && exp.isNumber() ? Expiry.fromUnixTime(JsonInput.wholeNumber(exp, -1)) : Expiry.UNKNOWN;
    }

    private static String string(JsonValue value) {
        return value != null && value.isString() ? nonEmpty(value.asString()) : null;
    }

    private static String nonEmpty(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
