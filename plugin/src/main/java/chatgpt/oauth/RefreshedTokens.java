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
 *
 * <p>Storage is read once per instance: tark loads {@code storage.json} when it loads the plugin,
 * so within an instance only this plugin's own writes change it.
 */
final class RefreshedTokens {
    static final String KEY = "refreshed_tokens";

    private final Host host;
    private boolean loaded;
    private String storedSource;
    private Credentials stored;

    RefreshedTokens(Host host) {
        this.host = host;
    }

    /** The tokens refreshed from the source with this fingerprint; null if none. Stale ones are dropped. */
    Credentials load(String fingerprint) {
        if (!loaded) {
            read();
        }
        if (stored != null && !fingerprint.equals(storedSource)) {
            clear();
        }
        return stored;
    }

    /** Persists refreshed tokens; false if the host could not store them. */
    boolean save(String fingerprint, Credentials credentials) {
        loaded = true;
        storedSource = fingerprint;
        stored = credentials;
        JsonObject entry = new JsonObject().add("source", fingerprint).add("credentials", credentials.toTarkJson());
        return host.storageSet(KEY, entry.toString());
    }

    void clear() {
        loaded = true;
        storedSource = null;
        stored = null;
        host.storageDelete(KEY);
    }

    private void read() {
        loaded = true;
        HostValue value = host.storageGet(KEY);
        if (!value.isPresent()) {
            return;
        }
        JsonObject json = JsonInput.parseObject(value.value());
        JsonValue tokens = json == null ? null : json.get("credentials");
        Credentials credentials = tokens != null && tokens.isObject() ? Credentials.fromTarkJson(tokens.asObject()) : null;
        String source = json == null ? null : Credentials.string(json, "source");
        if (credentials == null || source == null) {
            clear();
            return;
        }
        storedSource = source;
        stored = credentials;
    }
}
