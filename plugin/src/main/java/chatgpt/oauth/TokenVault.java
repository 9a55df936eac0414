package chatgpt.oauth;

import tark.host.Host;
import tark.host.HostValue;
import tark.host.JsonInput;
import tark.host.JsonOutput;

/**
 * Tokens this plugin obtained by refreshing, kept sealed in {@code tark:storage} under their
 * {@link Lineage}. Refresh tokens are single-use: once the file's is spent, its stored descendant is
 * the login, so it wins while the file keeps that refresh token (whatever else is edited in it).
 *
 * <p>tark loads {@code storage.json} once per instance and rewrites the whole file from that copy on
 * every set or delete, so a write from a stale copy erases what other tark sessions saved since. This
 * class therefore writes only to save tokens just obtained (carrying over, from the file on disk, the
 * entries of up to three other logins) or to forget on logout; an entry of another lineage is
 * ignored, never deleted while credentials are in use; and {@link #loadFromDisk} sees other
 * sessions' saves.
 */
final class TokenVault {
    static final String KEY = "tokens";
    /** Version 0.3 kept refreshed tokens in clear under this key; they are moved under a seal. */
    static final String LEGACY_KEY = "refreshed_tokens";
    /**
     * Logins kept besides the one saved last (another credentials file, another terminal): each keeps
     * its own descendant, so two logins on one machine do not overwrite each other's.
     */
    private static final int MAX_OTHERS = 3;
    /** The entry: the last saved login's lineage and sealed tokens, then the others' in "others". */
    private static final String[] ENTRY_FIELDS = new String[2 + 2 * MAX_OTHERS];

    static {
        ENTRY_FIELDS[0] = "lineage";
        ENTRY_FIELDS[1] = "sealed";
        for (int i = 0; i < MAX_OTHERS; i++) {
            ENTRY_FIELDS[2 + 2 * i] = JsonInput.path("others", Integer.toString(i), "lineage");
            ENTRY_FIELDS[3 + 2 * i] = JsonInput.path("others", Integer.toString(i), "sealed");
        }
    }

    private final Host host;
    private final StorageFile disk;
    private boolean viewLoaded;
    /** This instance's copy of the entry, as tark holds it (what it loaded, then our own writes). */
    private String viewEntry;
    /** Whether version 0.3's clear entry is in this instance's copy; looked up only when it matters. */
    private int legacyInView = UNKNOWN;
    private static final int UNKNOWN = -1;
    /** Tokens another session saved since this instance loaded storage (see {@link #loadFromDisk}). */
    private Credentials newerOnDisk;
    private String newerOnDiskLineage;
    /** The last entry opened, and what it held: warm calls do not decrypt again. */
    private String openedEntry;
    private String openedLineage;
    private Credentials opened;

    TokenVault(Host host) {
        this.host = host;
        this.disk = new StorageFile(host);
    }

    /** Whether neither this instance's copy of storage nor an earlier disk read holds any tokens. */
    boolean isEmpty() {
        loadView();
        return viewEntry == null && newerOnDisk == null;
    }

    /**
     * The stored descendant of this lineage: from this instance's copy of storage, or what an earlier
     * {@link #loadFromDisk} found newer; null if none.
     */
    Credentials load(Lineage lineage) {
        loadView();
        if (newerOnDisk != null && lineage.id.equals(newerOnDiskLineage)) {
            return newerOnDisk;
        }
        return open(viewEntry, lineage);
    }

    /** The descendant another tark session may have saved since this instance started; null if none. */
    Credentials loadFromDisk(Lineage lineage) {
        Credentials onDisk = open(disk.read(KEY), lineage);
        if (onDisk != null) {
            newerOnDisk = onDisk;
            newerOnDiskLineage = lineage.id;
        }
        return onDisk;
    }

    /**
     * Seals and persists tokens just obtained; false if the host could not store them. The other
     * logins' entries are carried over from storage.json as it is on disk now, since tark rewrites the
     * whole file from this instance's copy.
     */
    boolean save(Lineage lineage, Credentials credentials) {
        loadView();
        String current = disk.read(KEY);
        JsonOutput entry = new JsonOutput()
                .add("lineage", lineage.id)
                .add("sealed", lineage.seal(credentials.toTarkJson()));
        String others = others(current != null ? current : viewEntry, lineage);
        if (others != null) {
            entry.raw("others", others);
        }
        String text = entry.toString();
        boolean saved = host.storageSet(KEY, text);
        if (saved) {
            newerOnDisk = null;
            viewEntry = text;
            openedEntry = text;
            openedLineage = lineage.id;
            opened = credentials;
            dropLegacy();
        }
        return saved;
    }

    /** The entries of other logins in {@code entry}, newest first, as a JSON array; null if none. */
    private static String others(String entry, Lineage saving) {
        JsonInput fields = entry == null ? null : JsonInput.read(entry, ENTRY_FIELDS);
        StringBuilder others = new StringBuilder("[");
        int kept = 0;
        for (int i = 0; fields != null && i <= MAX_OTHERS && kept < MAX_OTHERS; i++) {
            String id = fields.string(2 * i);
            String sealed = fields.string(2 * i + 1);
            if (id != null && sealed != null && !id.equals(saving.id)) {
                others.append(kept++ == 0 ? "" : ",").append(new JsonOutput().add("lineage", id).add("sealed", sealed));
            }
        }
        return kept == 0 ? null : others.append(']').toString();
    }

    /**
     * Forgets the stored tokens when the user logged out ({@code keep} null: no credentials left).
     * While some credentials are still in use ({@code keep}), other logins' entries are left alone:
     * they may belong to another credentials file. Returns whether anything was deleted.
     */
    boolean forget(Lineage keep) {
        loadView();
        boolean stored = keep == null && (viewEntry != null || disk.read(KEY) != null);
        if (stored) {
            // Deleting rewrites storage.json from this instance's copy, so this also drops an entry another
            // session saved since; with no credentials file, that entry cannot be opened any more anyway.
            host.storageDelete(KEY);
            viewEntry = null;
            opened = null;
            newerOnDisk = null;
        }
        return dropLegacy() || stored;
    }

    private Credentials open(String entry, Lineage lineage) {
        if (entry == null) {
            return null;
        }
        if (entry.equals(openedEntry) && lineage.id.equals(openedLineage)) {
            return opened;
        }
        JsonInput fields = JsonInput.read(entry, ENTRY_FIELDS);
        String sealed = null;
        for (int i = 0; fields != null && i <= MAX_OTHERS && sealed == null; i++) {
            if (lineage.id.equals(fields.string(2 * i))) {
                sealed = fields.string(2 * i + 1);
            }
        }
        if (sealed == null) {
            return null; // another login's tokens (or not ours): ignored, never deleted
        }
        String plaintext = lineage.open(sealed);
        Credentials credentials = plaintext == null ? null : Credentials.fromTarkJson(plaintext);
        if (credentials == null) {
            host.logDebug("Ignored stored ChatGPT tokens that do not open under this login's key.");
            return null;
        }
        openedEntry = entry;
        openedLineage = lineage.id;
        opened = credentials;
        return credentials;
    }

    private void loadView() {
        if (!viewLoaded) {
            viewLoaded = true;
            HostValue entry = host.storageGet(KEY);
            viewEntry = entry.isPresent() ? entry.value() : null;
        }
    }

    /**
     * Version 0.3's clear entry, when it descends from this very file content: sealed now and the clear
     * copy removed, so that upgrading neither loses the login nor leaves its tokens readable. Asked
     * only before a refresh token would be spent (the file's access token is due by then), so a
     * provider init does not pay a storage lookup for it.
     */
    Credentials migrateLegacy(Lineage lineage, CredentialSource source) {
        if (!legacyPresent()) {
            return null;
        }
        HostValue legacy = host.storageGet(LEGACY_KEY);
        JsonInput entry = legacy.isPresent() ? JsonInput.read(legacy.value(), "source") : null;
        if (entry == null || !legacyFingerprint(source.content).equals(entry.string(0))) {
            return null;
        }
        Credentials credentials = Credentials.read(legacy.value(), "credentials");
        if (credentials != null) {
            save(lineage, credentials);
        }
        return credentials;
    }

    private boolean legacyPresent() {
        if (legacyInView == UNKNOWN) {
            legacyInView = host.storageGet(LEGACY_KEY).isPresent() ? 1 : 0;
        }
        return legacyInView == 1;
    }

    private boolean dropLegacy() {
        if (!legacyPresent()) {
            return false;
        }
        legacyInView = 0;
        host.storageDelete(LEGACY_KEY);
        return true;
    }

    /** Version 0.3's fingerprint of a credentials file's content: FNV-1a over its characters, and its length. */
    static String legacyFingerprint(String content) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < content.length(); i++) {
            hash ^= content.charAt(i);
            hash *= 0x100000001b3L;
        }
        return Long.toHexString(hash) + ":" + content.length();
    }
}
