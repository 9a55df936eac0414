package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RefreshedTokensTest extends HostTest {
    private final RefreshedTokens tokens = new RefreshedTokens(host);
    private final Credentials fresh = new Credentials(Jwt.access(Jwt.NOW_SECONDS + 3600), "rt_new", "id_opaque",
            "acct-1", (Jwt.NOW_SECONDS + 3600) * 1000);

    @Test
    void nothingStoredIsNull() {
        assertNull(tokens.load("fp"));
    }

    @Test
    void savedTokensLoadBackForTheSameSource() {
        assertTrue(tokens.save("fp-1", fresh));
        assertTrue(host.storage.containsKey(RefreshedTokens.KEY));
        Credentials loaded = new RefreshedTokens(host).load("fp-1");
        assertNotNull(loaded);
        assertEquals(fresh.accessToken, loaded.accessToken);
        assertEquals("rt_new", loaded.refreshToken);
        assertEquals("id_opaque", loaded.idToken);
        assertEquals("acct-1", loaded.storedAccountId);
        assertEquals(fresh.expiresAtMillis, loaded.expiresAtMillis);
    }

    @Test
    void anotherSourcesEntryIsDropped() {
        tokens.save("fp-old", fresh);
        assertNull(tokens.load("fp-new"));
        assertFalse(host.storage.containsKey(RefreshedTokens.KEY), "stale state is deleted");
        assertNull(tokens.load("fp-old"), "and stays gone");
    }

    @Test
    void corruptEntryIsDropped() {
        // Each case is a fresh instance: storage is read once per instance, as tark loads it.
        host.storage.put(RefreshedTokens.KEY, "{\"source\":\"fp\",\"credentials\":{\"refresh_token\":\"x\"}}");
        assertNull(new RefreshedTokens(host).load("fp"));
        assertFalse(host.storage.containsKey(RefreshedTokens.KEY));
        host.storage.put(RefreshedTokens.KEY, "garbage");
        assertNull(new RefreshedTokens(host).load("fp"));
        assertFalse(host.storage.containsKey(RefreshedTokens.KEY));
        host.storage.put(RefreshedTokens.KEY, "{\"credentials\":{\"access_token\":\"a\"}}");
        assertNull(new RefreshedTokens(host).load("fp"), "no source: not ours");
    }

    @Test
    void storageIsReadOncePerInstance() {
        tokens.save("fp", fresh);
        RefreshedTokens instance = new RefreshedTokens(host);
        assertNotNull(instance.load("fp"));
        host.storage.remove(RefreshedTokens.KEY);
        assertNotNull(instance.load("fp"), "tark loads storage.json once per instance; only our writes change it");
        assertNull(new RefreshedTokens(host).load("fp"), "a fresh instance reads storage again");
    }

    @Test
    void saveReportsAStorageFailure() {
        host.failStorageSet = true;
        assertFalse(tokens.save("fp", fresh));
        assertNotNull(tokens.load("fp"), "this instance keeps using the new tokens: the old refresh token is spent");
        assertNull(new RefreshedTokens(host).load("fp"), "but a fresh instance has nothing stored");
    }

    @Test
    void clearDeletesTheEntry() {
        tokens.save("fp", fresh);
        tokens.clear();
        assertFalse(host.storage.containsKey(RefreshedTokens.KEY));
        assertNull(tokens.load("fp"));
    }
}
