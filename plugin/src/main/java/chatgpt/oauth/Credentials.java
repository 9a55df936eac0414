package chatgpt.oauth;

import tark.host.JsonInput;
import tark.host.JsonOutput;

/**
 * One set of ChatGPT OAuth tokens, as read from a file, storage, or the token endpoint, and tark's
 * credentials file format: {@code access_token} required; {@code refresh_token}, {@code id_token},
 * {@code expires_at} and {@code account_id} optional; other fields ignored.
 */
final class Credentials {
    /**
     * The longest token kept, in characters. ChatGPT's are a few KB, and tark's whole answer buffer is
     * 8 KB; larger ones would fill the fixed heap with the copies a save makes (decoded, sealed,
     * encoded). An access or refresh token over it makes the document unusable; a larger id token
     * (only read for the account id) is ignored.
     */
    static final int MAX_TOKEN = 32 * 1024;

    final String accessToken;
    /** Null when there is none: such credentials cannot be refreshed. */
    final String refreshToken;
    final String idToken;
    /** The {@code account_id} field written beside the tokens, used when no JWT carries one. */
    final String storedAccountId;
    /** Milliseconds since the epoch, or {@link Expiry#UNKNOWN}. */
    final long expiresAtMillis;
    /** Decoded from the JWTs on first use: an instance answers many calls with the same tokens. */
    private AccountId accountId;
    private TokenClaims accessClaims;

    Credentials(String accessToken, String refreshToken, String idToken, String storedAccountId,
            long expiresAtMillis) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.idToken = idToken;
        this.storedAccountId = storedAccountId;
        this.expiresAtMillis = expiresAtMillis;
    }

    /** tark's format; null if the text is not a JSON object with a string {@code access_token}. */
    static Credentials fromTarkJson(String text) {
        return read(text, null);
    }

    /**
     * The same fields inside the object {@code member} of the document (the Codex CLI's
     * {@code tokens}), or at the top level when {@code member} is null. Without {@code expires_at},
     * the access token's own {@code exp} counts.
     */
    static Credentials read(String text, String member) {
        // Each path joined once, then read by it. Locals, not static fields: a static initializer would put
        // a class-initialisation check before every call into this class in wasm.
        String accessPath = field(member, "access_token");
        String refreshPath = field(member, "refresh_token");
        String idPath = field(member, "id_token");
        String expiresPath = field(member, "expires_at");
        String accountPath = field(member, "account_id");
        JsonInput fields = JsonInput.read(text, accessPath, refreshPath, idPath, expiresPath, accountPath);
        String accessToken = fields == null ? null : fields.string(accessPath);
        String refreshToken = fields == null ? null : fields.string(refreshPath);
        if (accessToken == null || !withinLimit(accessToken, refreshToken)) {
            return null;
        }
        long expiresAt = Expiry.fromExpiresAt(fields.wholeNumber(expiresPath, -1));
        TokenClaims claims = null;
        if (expiresAt == Expiry.UNKNOWN) {
            claims = TokenClaims.of(accessToken);
            expiresAt = claims.expiresAtMillis;
        }
        Credentials credentials = new Credentials(accessToken, refreshToken,
                keptIdToken(fields.string(idPath)), fields.string(accountPath), expiresAt);
        credentials.accessClaims = claims; // decoded once: the account id and lifetime read them too
        return credentials;
    }

    /** The path of field {@code name} inside {@code member}, or at the top level when {@code member} is null. */
    private static String field(String member, String name) {
        return member == null ? name : JsonInput.path(member, name);
    }

    /** Writes tark's credentials format (what {@link #fromTarkJson} reads back). */
    String toTarkJson() {
        JsonOutput json = new JsonOutput().add("access_token", accessToken);
        if (refreshToken != null) {
            json.add("refresh_token", refreshToken);
        }
        if (idToken != null) {
            json.add("id_token", idToken);
        }
        if (expiresAtMillis != Expiry.UNKNOWN) {
            json.add("expires_at", Expiry.toSeconds(expiresAtMillis));
        }
        String accountId = accountId().value;
        if (accountId != null) {
            json.add("account_id", accountId);
        }
        return json.toString();
    }

    /** The ChatGPT account id from the tokens' claims, else the stored one. */
    AccountId accountId() {
        if (accountId == null) {
            accountId = AccountId.of(TokenClaims.of(idToken), accessClaims(), storedAccountId);
        }
        return accountId;
    }

    /**
     * The lifetime of the expiry in use: {@link #expiresAtMillis} (the file's or the token endpoint's
     * when given, else the JWT's {@code exp}) minus the access token's {@code iat}; {@link Expiry#UNKNOWN}
     * without both, or when not positive. Measured against the expiry that decides, so that a token
     * whose endpoint says one hour while its JWT says ten days is refreshed once an hour, not at every
     * start.
     */
    long lifetimeMillis() {
        return Expiry.lifetime(accessClaims().issuedAtMillis, expiresAtMillis);
    }

    /** Whether it is time to refresh, by {@link Expiry}'s rule. */
    boolean refreshDue(long nowMillis) {
        return Expiry.needsRefresh(expiresAtMillis, lifetimeMillis(), nowMillis);
    }

    boolean isExpired(long nowMillis) {
        return Expiry.isExpired(expiresAtMillis, nowMillis);
    }

    private TokenClaims accessClaims() {
        if (accessClaims == null) {
            accessClaims = TokenClaims.of(accessToken);
        }
        return accessClaims;
    }

    /** Whether the access and refresh tokens (null for absent) are at most {@link #MAX_TOKEN} characters. */
    static boolean withinLimit(String accessToken, String refreshToken) {
        return length(accessToken) <= MAX_TOKEN && length(refreshToken) <= MAX_TOKEN;
    }

    /** The id token, or null when it is over {@link #MAX_TOKEN}. */
    static String keptIdToken(String idToken) {
        return length(idToken) <= MAX_TOKEN ? idToken : null;
    }

    private static int length(String token) {
        return token == null ? 0 : token.length();
    }

    boolean canRefresh() {
        return refreshToken != null;
    }
}
