package chatgpt.oauth;

import tark.host.Host;
import tark.host.HostValue;
import tark.host.JsonInput;
import tark.host.StorageFile;

/**
 * Tokens this plugin obtained by refreshing, kept sealed in {@code tark:storage} under their
 * {@link Lineage}. Refresh tokens are single-use: once the file's is spent, its stored descendant is
 * the login, so it wins while the file keeps that refresh token (whatever else is edited in it).
 *
 * <p>tark loads {@code storage.json} once per instance and rewrites the whole file from that copy on
 * every set or delete, so a write from a stale copy erases what other tark sessions saved since. This
 * class therefore writes only to save tokens just obtained or a refusal just received (carrying over,
 * from the file on disk, the other logins' entries: {@link StoredLogins}) or to forget on logout; an
 * entry of another lineage is ignored, never deleted while credentials are in use; and
 * {@link #loadFromDisk} sees other sessions' saves.
 */
final class TokenVault {
    static final String KEY = "tokens";
    /** Version 0.3 kept refreshed tokens in clear under this key; they are moved under a seal. */
    static final String LEGACY_KEY = "refreshed_tokens";

    private final Host host;
    private final StorageFile disk;
    private boolean viewLoaded;
    /** This instance's copy of the entry, as tark holds it (what it loaded, then our own writes). */
    private String viewEntry;
    /** Whether version 0.3's clear entry is in this instance's copy; looked up only when it matters. */
    private int legacyInView = UNKNOWN;
    private static final int UNKNOWN = -1;
    /** The last stored value parsed ({@link #logins}). */
    private String parsedText;
    private StoredLogins parsedLogins;
    /** The last refresh token asked about in {@link #isRefused}, and the answer. */
    private String refusedChecked;
    private boolean refusedAnswer;
    /** Tokens another session saved since this instance loaded storage (see {@link #loadFromDisk}). */
    private Credentials newerOnDisk;
    private String newerOnDiskLineage;
    /** The last entry opened, and what it held: warm calls do not decrypt again. */
    private String openedEntry;
    private String openedLineage;
    private Credentials opened;

    TokenVault(Host host) {
        this.host = host;
        this.disk = new StorageFile(host, Provider.ID);
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
     * Seals and persists tokens just obtained, from the credentials file at {@code path}; false if the
     * host could not store them. The other logins' entries are carried over from storage.json as it is
     * on disk now, since tark rewrites the whole file from this instance's copy.
     */
    boolean save(Lineage lineage, String path, Credentials credentials) {
        String sealed = lineage.seal(credentials.toTarkJson());
        String text = current().saving(lineage.id, sealed, StoredLogins.pathFingerprint(path)).toJson();
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

    /**
     * Remembers, as a one-way mark, that ChatGPT refused this refresh token, so that no later start
     * presents it again; false if the host could not store it.
     */
    boolean rememberRefused(String refreshToken) {
        String text = current().refusing(StoredLogins.refusalMark(refreshToken)).toJson();
        boolean saved = host.storageSet(KEY, text);
        if (saved) {
            viewEntry = text;
            refusedChecked = refreshToken;
            refusedAnswer = true;
        }
        return saved;
    }

    /** Whether a refusal of this refresh token is remembered (in this instance's copy of storage). */
    boolean isRefused(String refreshToken) {
        if (!refreshToken.equals(refusedChecked)) {
            loadView();
            StoredLogins view = logins(viewEntry);
            refusedAnswer = view.hasRefusals() && view.isRefused(StoredLogins.refusalMark(refreshToken));
            refusedChecked = refreshToken;
        }
        return refusedAnswer;
    }

    /** The stored logins to write over: storage.json as on disk now, else this instance's copy. */
    private StoredLogins current() {
        loadView();
        String onDisk = disk.read(KEY);
        return logins(onDisk != null ? onDisk : viewEntry);
    }

    /** The stored value parsed, the last one kept: opening and the refusal check read the same text. */
    private StoredLogins logins(String text) {
        boolean same = text == null ? parsedText == null : text.equals(parsedText);
        if (parsedLogins == null || !same) {
            parsedLogins = StoredLogins.parse(text);
            parsedText = text;
        }
        return parsedLogins;
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
        // Every entry of this lineage, newest first: a damaged one must not hide a good one.
        StoredLogins logins = logins(entry);
        Credentials credentials = null;
        boolean found = false;
        for (int i = 0; i < logins.size() && credentials == null; i++) {
            if (lineage.id.equals(logins.lineage(i))) {
                found = true;
                String plaintext = lineage.open(logins.sealed(i));
                credentials = plaintext == null ? null : Credentials.fromTarkJson(plaintext);
            }
        }
        if (credentials == null) {
            if (found) {
                host.logDebug("Ignored stored ChatGPT tokens that do not open under this login's key.");
            }
            return null; // another login's tokens (or not ours): ignored, never deleted
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
        Credentials credentials = legacy(source);
        if (credentials != null) {
            save(lineage, source.location, credentials);
        }
        return credentials;
    }

    /** Version 0.3's clear entry when it descends from this very file content (see above); null if none. */
    Credentials legacy(CredentialSource source) {
        if (!legacyPresent()) {
            return null;
        }
        HostValue legacy = host.storageGet(LEGACY_KEY);
        JsonInput entry = legacy.isPresent() ? JsonInput.read(legacy.value(), "source") : null;
        if (entry == null || !legacyFingerprint(source.content).equals(entry.string(0))) {
            return null;
        }
        return Credentials.read(legacy.value(), "credentials");
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
