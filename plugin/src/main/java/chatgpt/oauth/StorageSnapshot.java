package chatgpt.oauth;

import tark.host.Host;

/**
 * The value this plugin stores (storage key {@code tokens}) as one copy held it when read: this
 * instance's (what tark loaded at start, then this instance's own writes) or storage.json as on disk
 * at one moment. It answers what that copy holds, opening sealed tokens once, and never writes.
 */
final class StorageSnapshot {
    /** The stored text; null when nothing is stored. */
    final String text;
    private final StoredLogins logins;
    private final Host host;
    /** The last lineage opened here and what it held: warm calls do not decrypt again. */
    private String openedLineage;
    private Credentials opened;
    /** The last refresh token asked about in {@link #refuses}, and the answer: its mark is a hash to compute. */
    private String refusalChecked;
    private boolean refused;

    StorageSnapshot(Host host, String text) {
        this.host = host;
        this.text = text;
        this.logins = StoredLogins.parse(text);
    }

    /** Tells a copy just written with {@code tokens} sealed under {@code lineage}: they are not opened again. */
    void holds(Lineage lineage, Credentials tokens) {
        openedLineage = lineage.id;
        opened = tokens;
    }

    StoredLogins logins() {
        return logins;
    }

    /**
     * The newest tokens stored for {@code lineage} that open under its key; null if none. Every entry of
     * the lineage is tried, newest first: a damaged one must not hide a good one. Another login's
     * entries are ignored, never deleted.
     */
    Credentials tokens(Lineage lineage) {
        if (lineage.id.equals(openedLineage)) {
            return opened;
        }
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
            return null;
        }
        openedLineage = lineage.id;
        opened = credentials;
        return credentials;
    }

    /** Whether this copy marks the refresh token refused by ChatGPT. */
    boolean refuses(String refreshToken) {
        if (!refreshToken.equals(refusalChecked)) {
            refused = logins.hasRefusals() && logins.isRefused(StoredLogins.refusalMark(refreshToken));
            refusalChecked = refreshToken;
        }
        return refused;
    }

    /** The error line recorded for the login whose newest tokens are {@code tokens}; null if none is. */
    String failureRecordedFor(Credentials tokens) {
        return logins.failure(StoredLogins.failureMark(tokens.accessToken));
    }
}
