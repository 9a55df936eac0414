package chatgpt.oauth;

import tark.host.Host;
import tark.host.HostValue;
import tark.host.StorageFile;

/**
 * Tokens this plugin obtained by refreshing, kept sealed in {@code tark:storage} under their
 * {@link Lineage}. Refresh tokens are single-use: once the file's is spent, its stored descendant is
 * the login, so it wins while the file keeps that refresh token (whatever else is edited in it).
 *
 * <p>tark loads {@code storage.json} once per instance and rewrites the whole file from that copy on
 * every set or delete, so a write from a stale copy erases what other tark sessions saved since. This
 * class therefore writes only to save tokens just obtained, a refusal just received or why a provider
 * init failed (carrying over, from the file on disk, the other logins' entries: {@link StoredLogins})
 * or to forget on logout; an entry of another lineage is ignored, never deleted while credentials are
 * in use; and {@link #loadFromDisk} sees other sessions' saves.
 */
final class TokenVault {
    static final String KEY = "tokens";

    /** {@link #newest}: only this instance's copy of storage (no host call after the first). */
    static final int IN_VIEW = 0;
    /**
     * {@link #newest}: also storage.json as on disk now (other sessions' saves), and version 0.3's
     * clear entry, sealed and removed if found: asked before a refresh token is spent.
     */
    static final int ON_DISK = 1;
    /** {@link #newest}: as {@link #ON_DISK}, but writing nothing (0.3's entry is read, not moved). */
    static final int PEEK = 2;

    private final Host host;
    private final StorageFile disk;
    private final LegacyTokens legacy;
    /** The lineage of the last root refresh token seen: its keys are derived once. */
    private Lineage lineage;
    private String lineageRoot;
    private boolean viewLoaded;
    /** This instance's copy of the entry, as tark holds it (what it loaded, then our own writes). */
    private String viewEntry;
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
        this.legacy = new LegacyTokens(host);
    }

    /**
     * The newest tokens stored for the source's login (the lineage of its refresh token), looked up
     * {@code where} ({@link #IN_VIEW}, {@link #ON_DISK}, {@link #PEEK}); null if none is stored.
     */
    Credentials newest(CredentialSource source, int where) {
        if (where == IN_VIEW) {
            return isEmpty() ? null : load(lineage(source));
        }
        Credentials stored = loadFromDisk(lineage(source));
        if (stored == null) {
            Credentials view = load(lineage(source));
            stored = view != null ? view : legacy.find(source);
            if (stored != null && view == null && where == ON_DISK) {
                save(lineage(source), source.location, stored); // sealed; the clear copy is dropped
            }
        }
        return stored;
    }

    /** Seals and persists tokens just obtained from the source's login; false if the host could not store them. */
    boolean save(CredentialSource source, Credentials credentials) {
        return save(lineage(source), source.location, credentials);
    }

    /** The lineage rooted at the source's refresh token: what its stored tokens are tied to. */
    Lineage lineage(CredentialSource source) {
        String root = source.credentials.refreshToken;
        if (lineage == null || !root.equals(lineageRoot)) {
            lineage = Lineage.of(root);
            lineageRoot = root;
        }
        return lineage;
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
            legacy.drop();
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

    /**
     * Whether storage.json as it is on disk now marks this refresh token refused: another tark session
     * may have been refused it since this instance loaded its copy of storage.
     */
    boolean isRefusedOnDisk(String refreshToken) {
        String onDisk = disk.read(KEY);
        return onDisk != null && logins(onDisk).isRefused(StoredLogins.refusalMark(refreshToken));
    }

    /**
     * Records why a provider init failed for the login whose newest tokens are {@code concerned}, for
     * {@code provider_chat} on another instance: it cannot see what the token endpoint answered, nor
     * what the clock said of the tokens it returned. One record, no secret in it (the failure's error
     * line, already logged; a longer one than {@link StoredLogins#MAX_FAILURE_MESSAGE} is not kept),
     * tied to a one-way mark of the access token, so it goes stale when the login's tokens change. Written over storage.json as on disk now, only when storage does not
     * hold it already, and unless {@code always} only to replace another record for these tokens (a
     * failure {@code provider_chat} works out alike needs none); false if it was not written.
     */
    boolean recordFailure(Credentials concerned, AuthFailure failure, boolean always) {
        String mark = StoredLogins.failureMark(concerned.accessToken);
        StoredLogins now = current();
        String recorded = now.failure(mark);
        String line = failure.getMessage();
        boolean kept = line.length() <= StoredLogins.MAX_FAILURE_MESSAGE; // else an earlier record is dropped
        if (kept ? line.equals(recorded) || !always && recorded == null : recorded == null) {
            return false;
        }
        String text = now.failing(mark, kept ? line : null).toJson();
        boolean saved = host.storageSet(KEY, text);
        if (saved) {
            viewEntry = text;
        }
        return saved;
    }

    /** The error line recorded for the login whose newest tokens are {@code credentials}; null if none is. */
    String recordedFailure(Credentials credentials) {
        return current().failure(StoredLogins.failureMark(credentials.accessToken));
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
     * Forgets the stored tokens when the user logged out ({@code keep} false: no credentials left).
     * While some credentials are still in use ({@code keep}), other logins' entries are left alone:
     * they may belong to another credentials file. Returns whether anything was deleted.
     */
    boolean forget(boolean keep) {
        loadView();
        boolean stored = !keep && (viewEntry != null || disk.read(KEY) != null);
        if (stored) {
            // Deleting rewrites storage.json from this instance's copy, so this also drops an entry another
            // session saved since; with no credentials file, the plugin cannot open that entry any more anyway.
            host.storageDelete(KEY);
            viewEntry = null;
            opened = null;
            newerOnDisk = null;
        }
        return legacy.drop() || stored;
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
}
