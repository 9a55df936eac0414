package tark.host;

/**
 * Where tark 0.12 keeps its files, as it places them (Rust's {@code dirs} crate): a plugin reads them
 * through {@code tark:fs} and so must know the layout itself.
 */
public final class TarkPaths {
    static final String XDG_DATA_HOME = "XDG_DATA_HOME";
    /** The data directories below HOME: Linux's default, then macOS's. */
    private static final String LINUX_DATA_DIR = "/.local/share";
    private static final String MACOS_DATA_DIR = "/Library/Application Support";

    private TarkPaths() {
    }

    /** HOME without a trailing slash; {@code "~"} when tark gives none (so messages still read as a path). */
    public static String home(Host host) {
        HostValue home = host.env("HOME");
        String path = home.isPresent() ? home.value() : "~";
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * The file at {@code relative} (starting with "/") below {@link #home}: joined here for every caller,
     * since each concatenation costs the module code.
     */
    public static String inHome(Host host, String relative) {
        return home(host) + relative;
    }

    /**
     * Where tark keeps {@code plugin}'s storage ({@code <data dir>/tark/plugins/<plugin>/data/storage.json}),
     * in the order to look: XDG_DATA_HOME when absolute (tark ignores a relative one) else Linux's
     * default, then macOS's.
     */
    public static String[] storageFiles(Host host, String plugin) {
        String home = home(host);
        HostValue xdg = host.env(XDG_DATA_HOME);
        String first = xdg.isPresent() && xdg.value().startsWith("/") ? xdg.value() : home + LINUX_DATA_DIR;
        return new String[] {storageFile(first, plugin), storageFile(home + MACOS_DATA_DIR, plugin)};
    }

    /** One data directory's storage file, joined in one concatenation (each costs the module code). */
    private static String storageFile(String dataDir, String plugin) {
        return dataDir + "/tark/plugins/" + plugin + "/data/storage.json";
    }
}
