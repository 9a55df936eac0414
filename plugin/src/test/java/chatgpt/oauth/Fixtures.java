package chatgpt.oauth;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/** Paths and documents shared by the plugin's tests. */
final class Fixtures {
    static final String HOME = "/home/tester";
    static final String TARK_PATH = HOME + "/.config/tark/chatgpt_oauth.json";
    static final String CODEX_PATH = HOME + "/.codex/auth.json";
    static final long HOUR = 3600;
    static final long DAY = 86_400;
    /**
     * The refresh margin of the tests' access tokens, in seconds, from the policy itself ({@link Expiry}):
     * they carry no iat, so it is the least margin. Tests place expiries relative to it, so a change of
     * the rule changes this one line's answer, not the tests.
     */
    static final long MARGIN = Expiry.refreshMargin(Expiry.UNKNOWN) / 1000;
    /** Where tark keeps the plugin's storage.json for HOME (Linux, no XDG_DATA_HOME). */
    static final String STORAGE_PATH = HOME + "/.local/share" + FakeHost.STORAGE_BELOW_DATA_DIR;

    private Fixtures() {
    }

    /** tark's credentials file; null arguments are left out. */
    static String tarkFile(String accessToken, String refreshToken, String idToken, Object expiresAt,
            String accountId) {
        JsonObject json = new JsonObject().add("access_token", accessToken);
        if (refreshToken != null) {
            json.add("refresh_token", refreshToken);
        }
        if (idToken != null) {
            json.add("id_token", idToken);
        }
        if (expiresAt instanceof Long || expiresAt instanceof Integer) {
            json.add("expires_at", ((Number) expiresAt).longValue());
        } else if (expiresAt instanceof Double) {
            json.add("expires_at", (Double) expiresAt);
        } else if (expiresAt instanceof String) {
            json.add("expires_at", (String) expiresAt);
        }
        if (accountId != null) {
            json.add("account_id", accountId);
        }
        return json.toString();
    }

    /** The Codex CLI's auth.json. */
    static String codexFile(String accessToken, String refreshToken, String idToken, String accountId) {
        JsonObject tokens = new JsonObject().add("access_token", accessToken);
        if (refreshToken != null) {
            tokens.add("refresh_token", refreshToken);
        }
        if (idToken != null) {
            tokens.add("id_token", idToken);
        }
        if (accountId != null) {
            tokens.add("account_id", accountId);
        }
        return new JsonObject().add("OPENAI_API_KEY", (String) null).add("tokens", tokens)
                .add("last_refresh", "2025-06-01T10:00:00.000000Z").toString();
    }

    /** A token endpoint reply; null arguments (and a negative expiresIn) are left out. */
    static String tokenReply(String accessToken, String refreshToken, String idToken, long expiresIn) {
        JsonObject json = new JsonObject();
        if (accessToken != null) {
            json.add("access_token", accessToken);
        }
        if (refreshToken != null) {
            json.add("refresh_token", refreshToken);
        }
        if (idToken != null) {
            json.add("id_token", idToken);
        }
        if (expiresIn >= 0) {
            json.add("expires_in", expiresIn);
        }
        json.add("token_type", "Bearer").add("scope", "openid profile email");
        return json.toString();
    }

    /**
     * The credentials sealed in a storage entry ({@code {"lineage", "sealed"}}), opened with the key of the
     * login rooted at {@code rootRefreshToken}; null if there is no entry or it does not open.
     */
    static Credentials opened(String entry, String rootRefreshToken) {
        if (entry == null) {
            return null;
        }
        JsonObject json = Json.parse(entry).asObject();
        Lineage lineage = Lineage.of(rootRefreshToken);
        if (!lineage.id.equals(json.getString("lineage", null))) {
            return null;
        }
        JsonValue sealed = json.get("sealed");
        String plaintext = sealed != null && sealed.isString() ? lineage.open(sealed.asString()) : null;
        return plaintext == null ? null : Credentials.fromTarkJson(plaintext);
    }
}
