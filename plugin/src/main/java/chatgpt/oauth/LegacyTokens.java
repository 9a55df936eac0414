package chatgpt.oauth;

import tark.host.Decimal;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.JsonInput;

/**
 * Version 0.3's refreshed tokens, kept in clear under {@link #KEY} with a fingerprint of the credentials
 * file they descend from. {@link TokenVault} seals them on the first refresh after an upgrade and this
 * class removes the clear copy. Everything about 0.3 lives here: when 0.3 is old enough, delete this
 * class and its two uses in TokenVault in one commit.
 */
final class LegacyTokens {
    static final String KEY = "refreshed_tokens";

    private final Host host;
    /** Whether the entry is in this instance's copy of storage; looked up only when it matters. */
    private int present = UNKNOWN;
    private static final int UNKNOWN = -1;

    LegacyTokens(Host host) {
        this.host = host;
    }

    /** The clear entry, when it descends from this very file content; null if none. */
    Credentials find(Login login) {
        if (!isPresent()) {
            return null;
        }
        HostValue legacy = host.storageGet(KEY);
        JsonInput entry = legacy.isPresent() ? JsonInput.read(legacy.value(), "source") : null;
        if (entry == null || !fingerprint(login.content).equals(entry.string("source"))) {
            return null;
        }
        return Credentials.read(legacy.value(), "credentials");
    }

    /** Removes the clear entry; whether there was one. */
    boolean drop() {
        if (!isPresent()) {
            return false;
        }
        present = 0;
        host.storageDelete(KEY);
        return true;
    }

    private boolean isPresent() {
        if (present == UNKNOWN) {
            present = host.storageGet(KEY).isPresent() ? 1 : 0;
        }
        return present == 1;
    }

    /** Version 0.3's fingerprint of a credentials file's content: FNV-1a over its characters, and its length. */
    static String fingerprint(String content) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < content.length(); i++) {
            hash ^= content.charAt(i);
            hash *= 0x100000001b3L;
        }
        return Long.toHexString(hash) + ":" + Decimal.of(content.length());
    }
}
