package chatgpt.oauth;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.JsonInput;

/**
 * Tokens this plugin obtained by refreshing, kept in {@code tark:storage} and tied to the exact
 * source content they descend from. Refresh tokens are single-use, so once one is spent the stored
 * successor must win over the (now dead) one in the unchanged file. When the file changes (a new
 * login), the stored tokens are stale and are dropped.
 */
final class RefreshedTokens {
    static final String KEY = "refreshed_tokens";

    /** What storage holds for one source. */
    static final class Entry {
        final Credentials credentials;
        /** The token endpoint refused the refresh token: only a new login helps. */
        final boolean rejected;

        Entry(Credentials credentials, boolean rejected) {
            this.credentials = credentials;
            this.rejected = rejected;
        }
    }

    private final Host host;

    RefreshedTokens(Host host) {
        this.host = host;
    }

    /** The entry for the source with this fingerprint; null if none. Another source's entry is dropped. */
    Entry load(String fingerprint) {
        HostValue stored = host.storageGet(KEY);
        if (!stored.isPresent()) {
            return null;
        }
        JsonObject json = JsonInput.parseObject(stored.value());
        JsonValue tokens = json == null ? null : json.get("credentials");
        Credentials credentials = tokens != null && tokens.isObject()
                ? Credentials.fromTarkJson(tokens.asObject()) : null;
        if (credentials == null || !fingerprint.equals(Credentials.string(json, "source"))) {
            host.storageDelete(KEY);
            return null;
        }
        return new Entry(credentials, json.getBoolean("rejected", false));
    }

    /** Persists refreshed tokens; false if the host could not store them. */
    boolean save(String fingerprint, Credentials credentials) {
        return write(fingerprint, credentials, false);
    }

    /** Remembers that these credentials' refresh token was refused, so it is not presented again. */
    void markRejected(String fingerprint, Credentials credentials) {
        write(fingerprint, credentials, true);
    }

    void clear() {
        host.storageDelete(KEY);
    }

    private boolean write(String fingerprint, Credentials credentials, boolean rejected) {
        JsonObject entry = new JsonObject().add("source", fingerprint).add("credentials", credentials.toTarkJson());
        if (rejected) {
            entry.add("rejected", true);
        }
        return host.storageSet(KEY, entry.toString());
    }
}
