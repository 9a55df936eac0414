package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/** One set of ChatGPT OAuth tokens, as read from a file, storage, or the token endpoint. */
final class Credentials {
    final String accessToken;
    /** Null when there is none: such credentials cannot be refreshed. */
    final String refreshToken;
    final String idToken;
    /** The {@code account_id} field written beside the tokens, used when no JWT carries one. */
    final String storedAccountId;
    /** Milliseconds since the epoch, or {@link Expiry#UNKNOWN}. */
    final long expiresAtMillis;
    /** Decoded from the JWTs on first use: an instance answers many calls with the same tokens. */
    private String accountId;
    private boolean accountIdKnown;

    Credentials(String accessToken, String refreshToken, String idToken, String storedAccountId,
            long expiresAtMillis) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.idToken = idToken;
        this.storedAccountId = storedAccountId;
        this.expiresAtMillis = expiresAtMillis;
    }

    /**
     * Reads tark's credentials format: {@code access_token} required; {@code refresh_token},
     * {@code id_token}, {@code expires_at} and {@code account_id} optional; other fields ignored.
     * Without {@code expires_at}, the access token's own {@code exp} counts.
     */
    static Credentials fromTarkJson(JsonObject json) {
        String accessToken = string(json, "access_token");
        if (accessToken == null) {
            return null;
        }
        long expiresAt = Expiry.fromExpiresAt(json.get("expires_at"));
        if (expiresAt == Expiry.UNKNOWN) {
            expiresAt = TokenClaims.expiryMillis(accessToken);
        }
        return new Credentials(accessToken, string(json, "refresh_token"), string(json, "id_token"),
                string(json, "account_id"), expiresAt);
    }

    /** Writes tark's credentials format (what {@link #fromTarkJson} reads back). */
    JsonObject toTarkJson() {
        JsonObject json = new JsonObject().add("access_token", accessToken);
        if (refreshToken != null) {
            json.add("refresh_token", refreshToken);
        }
        if (idToken != null) {
            json.add("id_token", idToken);
        }
        if (expiresAtMillis != Expiry.UNKNOWN) {
            json.add("expires_at", Expiry.toSeconds(expiresAtMillis));
        }
        String accountId = accountId();
        if (accountId != null) {
            json.add("account_id", accountId);
        }
        return json;
    }

    /** The ChatGPT account id from the tokens' claims, else the stored one; null if none. */
    String accountId() {
        if (!accountIdKnown) {
            accountId = TokenClaims.accountId(idToken, accessToken, storedAccountId);
            accountIdKnown = true;
        }
        return accountId;
    }

    boolean canRefresh() {
        return refreshToken != null;
    }

    /** A non-empty string field, or null. */
    static String string(JsonObject json, String name) {
        JsonValue value = json.get(name);
        return value != null && value.isString() && !value.asString().isEmpty() ? value.asString() : null;
    }
}
