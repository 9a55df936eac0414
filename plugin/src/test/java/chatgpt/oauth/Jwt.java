package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/** Builds fake tokens for tests: JWTs (header.payload.signature, base64url without padding) and opaque ones. */
final class Jwt {
    /** The tests' "now": 2025-06-15T16:26:40Z. */
    static final long NOW_MILLIS = 1_750_004_800_000L;
    static final long NOW_SECONDS = NOW_MILLIS / 1000;
    static final String AUTH_CLAIM = "https://api.openai.com/auth";

    private static final String HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test\"}";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final Random RANDOM = new Random(20250615);

    private Jwt() {
    }

    /** A JWT with this payload (the JSON text exactly as given, encoded as UTF-8). */
    static String token(String payloadJson) {
        return base64Url(HEADER.getBytes(StandardCharsets.UTF_8)) + "."
                + base64Url(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + randomText(43);
    }

    /** A JWT whose payload is in the standard base64 alphabet ({@code + /}) with {@code =} padding. */
    static String standardBase64Token(String payloadJson) {
        return base64Url(HEADER.getBytes(StandardCharsets.UTF_8)) + "."
                + Base64.getEncoder().encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + randomText(43);
    }

    static String token(JsonObject payload) {
        return token(payload.toString());
    }

    /**
     * A payload with {@code exp} (seconds), a unique {@code jti} and a non-ASCII name. No {@code iat}: its
     * lifetime is unknown, so the refresh margin is the least one (see {@link #lived}).
     */
    static JsonObject claims(long expSeconds) {
        return new JsonObject()
                .add("iss", "https://auth.openai.com")
                .add("exp", expSeconds)
                .add("jti", randomText(16))
                .add("name", "Zoë Ünïcødé 日本語 ✓ 🚀");
    }

    /** An access token issued {@code lifetimeSeconds} before it expires at {@code expSeconds} (iat and exp). */
    static String lived(long expSeconds, long lifetimeSeconds) {
        return token(claims(expSeconds).add("iat", expSeconds - lifetimeSeconds));
    }

    /** An access token expiring at {@code expSeconds}, without any account id. */
    static String access(long expSeconds) {
        return token(claims(expSeconds));
    }

    /** An access or id token expiring at {@code expSeconds} carrying the account id in the auth claim object. */
    static String withAccount(long expSeconds, String accountId) {
        return token(claims(expSeconds).add(AUTH_CLAIM, new JsonObject().add("chatgpt_account_id", accountId)
                .add("chatgpt_plan_type", "plus")));
    }

    /** A non-JWT token: a prefix and random letters, nothing that reads like English. */
    static String opaque(String prefix) {
        return prefix + "_" + randomText(32);
    }

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static synchronized String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }
}
