package tark.host;

/**
 * A plugin's {@code storage.json} as it is on disk now, read through {@code tark:fs}. tark gives each
 * instance the copy it loaded at start ({@code tark:storage}), and other tark sessions (other
 * terminals) rewrite the file since: a plugin that shares state between sessions looks here.
 */
public final class StorageFile {
    /**
     * The largest storage.json read, in characters. A larger file is not parsed: its transient copies
     * would crowd TeaVM's fixed heap.
     */
    public static final int MAX_CHARS = 512 * 1024;

    private final Host host;
    private final String plugin;
    private String[] paths;

    /** The storage file of the plugin named {@code plugin} (its directory name under tark's plugins). */
    public StorageFile(Host host, String plugin) {
        this.host = host;
        this.plugin = plugin;
    }

    /** The string value of {@code key} in the first storage file found; null if none holds one. */
    public String read(String key) {
        if (paths == null) {
            paths = TarkPaths.storageFiles(host, plugin);
        }
        for (String path : paths) {
            HostValue file = host.readFile(path);
            if (file.isPresent()) {
                if (file.value().length() > MAX_CHARS) {
                    return null;
                }
                JsonInput storage = JsonInput.read(file.value(), key);
                return storage == null ? null : storage.string(key);
            }
        }
        return null;
    }
}
