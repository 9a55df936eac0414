package chatgpt.oauth;

import tark.host.Host;
import tark.host.HostValue;
import tark.host.JsonInput;

/**
 * The plugin's {@code storage.json} as it is on disk now, read through {@code tark:fs}. tark gives each
 * instance the copy it loaded at start, and other tark sessions (other terminals) rewrite the file
 * since: before spending a refresh token, the plugin looks here for tokens one of them saved.
 */
final class StorageFile {
    static final String XDG_VARIABLE = "XDG_DATA_HOME";
    /** Below the data directory, as tark places it: {@code <data dir>/tark/plugins/<name>/data}. */
    static final String PLUGIN_STORAGE = "/tark/plugins/chatgpt-oauth/data/storage.json";
    /** The data directories tark uses: Linux's default below HOME, then macOS's. */
    private static final String[] HOME_DATA_DIRS = {"/.local/share", "/Library/Application Support"};

    /**
     * The largest storage.json read, in characters: four logins' sealed tokens take a few tens of KB.
     * A larger file is not ours to parse: its transient copies would crowd TeaVM's fixed heap.
     */
    static final int MAX_CHARS = 512 * 1024;

    private final Host host;
    private String[] paths;

    StorageFile(Host host) {
        this.host = host;
    }

    /** The value of {@code key} in the first storage file found; null if none holds one. */
    String read(String key) {
        for (String path : paths()) {
            HostValue file = host.readFile(path);
            if (file.isPresent()) {
                if (file.value().length() > MAX_CHARS) {
                    return null;
                }
                JsonInput storage = JsonInput.read(file.value(), key);
                return storage == null ? null : storage.string(0);
            }
        }
        return null;
    }

    private String[] paths() {
        if (paths == null) {
            String home = CredentialSources.home(host);
            HostValue xdg = host.env(XDG_VARIABLE);
            // As tark's `dirs` crate does: a relative XDG_DATA_HOME is ignored.
            String first = xdg.isPresent() && xdg.value().startsWith("/") ? xdg.value() : home + HOME_DATA_DIRS[0];
            paths = new String[] {first + PLUGIN_STORAGE, home + HOME_DATA_DIRS[1] + PLUGIN_STORAGE};
        }
        return paths;
    }
}
