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
 * in use. Reads never write: {@link #inView} is this instance's copy, {@link #onDisk} the file now.
 */
final class TokenVault {
    static final String KEY = "tokens";

    private final Host host;
    private final StorageFile disk;
    private final LegacyTokens legacy;
    /** The lineage of the last root refresh token seen: its keys are derived once. */
    private Lineage lineage;
    private String lineageRoot;
    /** This instance's copy of the stored value, as tark holds it (what it loaded, then our own writes). */
    private StorageSnapshot view;
    /** Tokens another session saved since this instance loaded storage, seen by {@link #newestOnDisk}. */
    private Credentials newerOnDisk;
    private String newerOnDiskLineage;
    /** Version 0.3's clear tokens, when {@link #newestOnDisk} last found them the newest. */
    private Credentials legacyFound;

    TokenVault(Host host) {
        this.host = host;
        this.disk = new StorageFile(host, Release.ID);
        this.legacy = new LegacyTokens(host);
    }

    /** This instance's copy of storage: loaded from the host once, then replaced by this instance's writes. */
    StorageSnapshot inView() {
        if (view == null) {
            HostValue entry = host.storageGet(KEY);
            view = new StorageSnapshot(host, entry.isPresent() ? entry.value() : null);
        }
        return view;
    }

    /** storage.json as it is on disk now: what other tark sessions saved since this instance started. */
    StorageSnapshot onDisk() {
        return new StorageSnapshot(host, disk.read(KEY));
    }

    /**
     * The newest tokens stored for the login (the lineage of its refresh token) in this instance's copy
     * of storage, or newer ones an earlier disk read found; null if none. No host call after the first.
     */
    Credentials newestInView(Login login) {
        if (!login.mayRefresh(login.credentials)) {
            return null; // only the tokens of a login this plugin refreshes are stored
        }
        boolean empty = inView().text == null && newerOnDisk == null;
        return empty ? null : load(lineage(login)); // an empty store derives no keys
    }

    /**
     * The newest tokens stored for the login in {@code onDisk} (storage.json as read, or null to read it
     * now; remembered for later calls), else in this instance's copy, else version 0.3's clear entry; null
     * if none. Writes nothing: {@link #sealLegacy} moves 0.3's entry.
     */
    Credentials newestOnDisk(Login login, StorageSnapshot onDisk) {
        if (!login.mayRefresh(login.credentials)) {
            return null;
        }
        Lineage lineage = lineage(login);
        Credentials stored = (onDisk != null ? onDisk : onDisk()).tokens(lineage);
        if (stored != null) {
            newerOnDisk = stored;
            newerOnDiskLineage = lineage.id;
            return stored;
        }
        stored = load(lineage);
        legacyFound = stored == null ? legacy.find(login) : null;
        return stored != null ? stored : legacyFound;
    }

    /**
     * Seals version 0.3's clear tokens, when {@link #newestOnDisk} just found them to be the login's
     * newest ({@code found}), and drops the clear copy; false otherwise or if storage refused.
     */
    boolean sealLegacy(Login login, Credentials found) {
        return found != null && found == legacyFound && save(login, found);
    }

    /** The stored descendant of this lineage in this instance's view (see {@link #newestInView}); null if none. */
    Credentials load(Lineage lineage) {
        if (newerOnDisk != null && lineage.id.equals(newerOnDiskLineage)) {
            return newerOnDisk;
        }
        return inView().tokens(lineage);
    }

    /** The lineage rooted at the login's own refresh token: what its stored tokens are tied to. */
    Lineage lineage(Login login) {
        String root = login.credentials.refreshToken;
        if (lineage == null || !root.equals(lineageRoot)) {
            lineage = Lineage.of(root);
            lineageRoot = root;
        }
        return lineage;
    }

    /** Whether this instance's copy of storage marks the refresh token refused. */
    boolean isRefused(String refreshToken) {
        return inView().refuses(refreshToken);
    }

    /** Seals and persists tokens just obtained from the login's; false if the host could not store them. */
    boolean save(Login login, Credentials credentials) {
        return save(lineage(login), login.location, credentials);
    }

    /**
     * Seals and persists tokens just obtained, from the credentials file at {@code path}; false if the
     * host could not store them. The other logins' entries are carried over from storage.json as it is
     * on disk now, since tark rewrites the whole file from this instance's copy.
     */
    boolean save(Lineage lineage, String path, Credentials credentials) {
        String sealed = lineage.seal(credentials.toTarkJson());
        if (!write(latest().saving(lineage.id, sealed, StoredLogins.pathFingerprint(path)).toJson())) {
            return false;
        }
        view.holds(lineage, credentials);
        newerOnDisk = null;
        legacy.drop();
        return true;
    }

    /**
     * Remembers, as a one-way mark, that ChatGPT refused this refresh token, so that no later start
     * presents it again; false if the host could not store it.
     */
    boolean rememberRefused(String refreshToken) {
        return write(latest().refusing(StoredLogins.refusalMark(refreshToken)).toJson());
    }

    /**
     * Records why a provider init failed for the login whose newest tokens are {@code concerned}, for
     * {@code provider_chat} on another instance: it cannot see what the token endpoint answered, nor
     * what the clock said of the tokens it returned. One record, no secret in it (the failure's error
     * line, already logged; a longer one than {@link StoredLogins#MAX_FAILURE_MESSAGE} is not kept),
     * tied to a one-way mark of the access token, so it goes stale when the login's tokens change.
     * Written over storage.json as on disk now, only when storage does not hold it already, and unless
     * {@code always} only to replace another record for these tokens (a failure {@code provider_chat}
     * works out alike needs none); false if it was not written.
     */
    boolean recordFailure(Credentials concerned, AuthFailure failure, boolean always) {
        String mark = StoredLogins.failureMark(concerned.accessToken);
        StoredLogins now = latest();
        String recorded = now.failure(mark);
        String line = failure.getMessage();
        boolean kept = line.length() <= StoredLogins.MAX_FAILURE_MESSAGE; // else an earlier record is dropped
        if (kept ? line.equals(recorded) || !always && recorded == null : recorded == null) {
            return false;
        }
        return write(now.failing(mark, kept ? line : null).toJson());
    }

    /**
     * The error line recorded for the login whose newest tokens are {@code tokens}, in {@code onDisk}
     * (storage.json as read) or, when that holds nothing, this instance's copy; null if none is.
     */
    String recordedFailure(Credentials tokens, StorageSnapshot onDisk) {
        return latest(onDisk).failureRecordedFor(tokens);
    }

    /**
     * Forgets the stored tokens when the user logged out ({@code keep} false: no credentials left).
     * While some credentials are still in use ({@code keep}), other logins' entries are left alone:
     * they may belong to another credentials file. Returns whether anything was deleted.
     */
    boolean forget(boolean keep) {
        boolean stored = !keep && (inView().text != null || disk.read(KEY) != null);
        if (stored) {
            // Deleting rewrites storage.json from this instance's copy, so this also drops an entry another
            // session saved since; with no credentials file, the plugin cannot open that entry any more anyway.
            host.storageDelete(KEY);
            view = new StorageSnapshot(host, null);
            newerOnDisk = null;
        }
        return legacy.drop() || stored;
    }

    /** The stored logins to write over: storage.json as on disk now, else this instance's copy. */
    private StoredLogins latest() {
        return latest(onDisk()).logins();
    }

    /** {@code onDisk} when storage.json holds the value, else this instance's copy. */
    private StorageSnapshot latest(StorageSnapshot onDisk) {
        return onDisk.text != null ? onDisk : inView();
    }

    private boolean write(String text) {
        if (!host.storageSet(KEY, text)) {
            return false;
        }
        view = new StorageSnapshot(host, text);
        return true;
    }
}
