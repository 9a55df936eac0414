package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.DAY;
import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenVaultTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;
    private final String root = Jwt.opaque("rt");
    private final Lineage lineage = Lineage.of(root);
    private final Credentials fresh = new Credentials(Jwt.access(Jwt.NOW_SECONDS + 3600), Jwt.opaque("rt"), "id_opaque",
            "acct-1", (Jwt.NOW_SECONDS + 3600) * 1000);
    private Login source;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
        String content = Fixtures.tarkFile(Jwt.access(Jwt.NOW_SECONDS - 60), root, null, null, null);
        host.file(TARK_PATH, content);
        host.secret(fresh.accessToken);
        host.secret(fresh.refreshToken);
        source = new Login(new TarkCredentialsFile(host), TARK_PATH, Credentials.fromTarkJson(content), content);
    }

    private static void assertSameTokens(Credentials expected, Credentials actual) {
        assertNotNull(actual);
        assertEquals(expected.accessToken, actual.accessToken);
        assertEquals(expected.refreshToken, actual.refreshToken);
        assertEquals(expected.idToken, actual.idToken);
        assertEquals(expected.expiresAtMillis, actual.expiresAtMillis);
    }

    @Test
    void nothingStoredIsNull() {
        TokenVault vault = new TokenVault(host);
        assertNull(vault.inView().text);
        assertNull(vault.load(lineage));
        assertNull(vault.onDisk().tokens(lineage));
    }

    @Test
    void savedTokensLoadBackInTheNextInstanceOfTheSameLineage() {
        assertTrue(new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh));
        TokenVault next = new TokenVault(host.session());
        assertNotNull(next.inView().text);
        Credentials loaded = next.load(lineage);
        assertSameTokens(fresh, loaded);
        assertEquals("acct-1", loaded.accountId().value);
    }

    @Test
    void theEntryIsSealedUnderTheLineageAndHoldsNoTokenPiece() {
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        JsonObject entry = Json.parse(host.disk().get(TokenVault.KEY)).asObject();
        assertEquals(3, entry.size(), entry.toString());
        assertEquals(StoredLogins.pathFingerprint(Fixtures.TARK_PATH), entry.getString("path", null));
        assertFalse(entry.toString().contains("chatgpt_oauth"), "the path is not readable");
        assertEquals(lineage.id, entry.getString("lineage", null));
        assertTrue(lineage.id.matches("[0-9a-f]{32}"), lineage.id);
        assertSameTokens(fresh, Fixtures.opened(host.disk().get(TokenVault.KEY), root));
        host.secret(root);
        host.assertNoSecretIn(host.disk().text(), "storage.json");
    }

    @Test
    void anotherLineagesEntryIsIgnoredAndNeverDeleted() {
        new TokenVault(host).save(Lineage.of(Jwt.opaque("rt")), Fixtures.TARK_PATH, fresh);
        String before = host.disk().text();
        FakeHost next = host.session();
        TokenVault vault = new TokenVault(next);
        assertNull(vault.load(lineage));
        assertNull(vault.onDisk().tokens(lineage));
        assertEquals(before, host.disk().text());
        assertFalse(host.events().contains("storage.delete " + TokenVault.KEY));
    }

    @Test
    void damagedEntriesAreIgnoredQuietlyAndKept() {
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        String good = host.disk().get(TokenVault.KEY);
        String sealed = Json.parse(good).asObject().getString("sealed", null);
        char flipped = sealed.charAt(20) == 'A' ? 'B' : 'A';
        String tampered = new JsonObject().add("lineage", lineage.id)
                .add("sealed", sealed.substring(0, 20) + flipped + sealed.substring(21)).toString();
        String[] damaged = {"garbage", "{}", "[]", tampered, new JsonObject().add("lineage", lineage.id).toString(),
                new JsonObject().add("lineage", lineage.id).add("sealed", "!!").toString(),
                new JsonObject().add("lineage", lineage.id).add("sealed", sealed.substring(0, 30)).toString(),
                new JsonObject().add("lineage", lineage.id).add("sealed", lineage.seal("not credentials")).toString()};
        for (String entry : damaged) {
            host.disk().put(TokenVault.KEY, entry);
            TokenVault vault = new TokenVault(host.session());
            assertNull(vault.load(lineage), entry);
            assertNull(vault.onDisk().tokens(lineage), entry);
            assertEquals(entry, host.disk().get(TokenVault.KEY), "ignored, not deleted");
        }
        for (FakeHost.Log log : host.logs()) {
            assertFalse(log.message.contains(sealed.substring(0, 12)), "no log line shows the entry: " + log);
            assertTrue(log.level.equals("debug"), log.toString());
        }
    }

    @Test
    void storageIsReadOncePerInstanceButTheDiskCanBeAskedAnyTime() {
        TokenVault early = new TokenVault(host.session());
        early.inView(); // loads this instance's view: nothing yet
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        assertNull(early.load(lineage), "tark loaded storage.json before the other instance saved");
        assertSameTokens(fresh, early.newestOnDisk(source, null));
        assertSameTokens(fresh, early.load(lineage)); // what the disk showed is remembered
        assertSameTokens(fresh, early.newestInView(source));
    }

    @Test
    void theDiskCopyIsTheFileAtXdgDataHome() {
        host.env("XDG_DATA_HOME", "/xdg");
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        assertTrue(host.storagePath().startsWith("/xdg/"));
        assertSameTokens(fresh, new TokenVault(host.session()).onDisk().tokens(lineage));
        assertTrue(host.events().contains("fs.read /xdg/tark/plugins/chatgpt-oauth/data/storage.json"));
    }

    @Test
    void theDiskCopyIsTheFileInMacOsDataDir() {
        host.machine.dataDir = HOME + "/Library/Application Support";
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        assertSameTokens(fresh, new TokenVault(host.session()).onDisk().tokens(lineage));
    }

    @Test
    void saveReportsAStorageFailureAndWritesNothing() {
        host.failStorageSet = true;
        assertFalse(new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh));
        assertNull(host.disk().text());
        assertNull(new TokenVault(host.session()).load(lineage));
    }

    @Test
    void forgetDeletesEveryLineageButTheOneKept() {
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        FakeHost second = host.session();
        assertFalse(new TokenVault(second).forget(true), "the kept lineage's entry stays");
        assertTrue(host.disk().containsKey(TokenVault.KEY));

        TokenVault vault = new TokenVault(host.session());
        assertTrue(vault.forget(false));
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        assertNull(vault.load(lineage));
        assertNull(new TokenVault(host.session()).load(lineage));
    }

    @Test
    void forgetSeesAnEntryAnotherInstanceSavedSince() {
        TokenVault stale = new TokenVault(host.session());
        stale.inView();
        new TokenVault(host).save(lineage, Fixtures.TARK_PATH, fresh);
        assertTrue(stale.forget(false), "logged out: what the other instance saved is forgotten too");
        assertFalse(host.disk().containsKey(TokenVault.KEY));
    }

    // ---- version 0.3's clear entry ----

    private String legacyEntry(String fingerprint, Credentials credentials) {
        return new JsonObject().add("source", fingerprint)
                .add("credentials", Json.parse(credentials.toTarkJson())).toString();
    }

    @Test
    void aLegacyEntryOfThisFileIsUsedSealedAndItsClearCopyDeleted() {
        host.disk().put(LegacyTokens.KEY, legacyEntry(LegacyTokens.fingerprint(source.content), fresh));
        FakeHost instance = host.session();
        TokenVault vault = new TokenVault(instance);
        assertNull(vault.inView().text, "not looked up on every start");
        Credentials found = vault.newestOnDisk(source, null);
        assertSameTokens(fresh, found);
        assertTrue(host.disk().containsKey(LegacyTokens.KEY), "reading writes nothing");
        assertFalse(host.disk().containsKey(TokenVault.KEY));
        assertTrue(vault.sealLegacy(source, found));
        assertFalse(host.disk().containsKey(LegacyTokens.KEY), "the clear copy is gone");
        assertSameTokens(fresh, Fixtures.opened(host.disk().get(TokenVault.KEY), root));
        host.assertNoSecretIn(host.disk().text(), "storage.json");
        assertSameTokens(fresh, new TokenVault(host.session()).load(lineage));
    }

    @Test
    void aLegacyEntryOfOtherContentIsNotUsed() {
        String other = LegacyTokens.fingerprint(source.content + " ");
        host.disk().put(LegacyTokens.KEY, legacyEntry(other, fresh));
        assertNull(new TokenVault(host.session()).newestOnDisk(source, null));
        assertFalse(host.disk().containsKey(TokenVault.KEY));
    }

    @Test
    void legacyFingerprintIsVersion03s() {
        // FNV-1a 64 over the UTF-16 code units, then ":" and the length, as version 0.3 wrote it.
        assertEquals("cbf29ce484222325:0", LegacyTokens.fingerprint(""));
        assertEquals("af63dc4c8601ec8c:1", LegacyTokens.fingerprint("a"));
        assertFalse(LegacyTokens.fingerprint("ab").equals(LegacyTokens.fingerprint("ba")));
    }

    @Test
    void twoLoginsOnOneMachineKeepTheirOwnDescendants() {
        // Terminal 1 (this file) and terminal 2 (another credentials file), each a stale copy of storage.
        FakeHost first = host.session();
        FakeHost second = host.session();
        Lineage other = Lineage.of(Jwt.opaque("rt"));
        Credentials otherFresh = new Credentials(Jwt.access(Jwt.NOW_SECONDS + 7200), Jwt.opaque("rt"), null, null,
                (Jwt.NOW_SECONDS + 7200) * 1000);
        host.secret(otherFresh.accessToken);
        host.secret(otherFresh.refreshToken);
        assertTrue(new TokenVault(first).save(lineage, Fixtures.TARK_PATH, fresh));
        assertTrue(new TokenVault(second).save(other, Fixtures.TARK_PATH, otherFresh), "its copy predates the first save");
        assertSameTokens(fresh, new TokenVault(host.session()).load(lineage));
        assertSameTokens(otherFresh, new TokenVault(host.session()).load(other));
        // and the first login saving again keeps the second's
        Credentials newer = new Credentials(Jwt.access(Jwt.NOW_SECONDS + 9000), Jwt.opaque("rt"), null, null,
                (Jwt.NOW_SECONDS + 9000) * 1000);
        host.secret(newer.accessToken);
        host.secret(newer.refreshToken);
        assertTrue(new TokenVault(first).save(lineage, Fixtures.TARK_PATH, newer));
        assertSameTokens(newer, new TokenVault(host.session()).load(lineage));
        assertSameTokens(otherFresh, new TokenVault(host.session()).onDisk().tokens(other));
        host.assertNoSecretIn(host.disk().text(), "storage.json");
    }

    @Test
    void aPathBeyondTheKeptLoginsEvictsTheOldestPath() {
        Lineage[] logins = new Lineage[StoredLogins.MAX_ENTRIES + 1];
        for (int i = 0; i < logins.length; i++) {
            logins[i] = Lineage.of(Jwt.opaque("rt"));
            assertTrue(new TokenVault(host.session()).save(logins[i], "/path/" + i, fresh));
        }
        assertNull(new TokenVault(host.session()).load(logins[0]), "the oldest is dropped");
        for (int i = 1; i < logins.length; i++) {
            assertSameTokens(fresh, new TokenVault(host.session()).load(logins[i]));
        }
    }

    @Test
    void whileOtherCredentialsAreInUseOtherLoginsAreNotForgotten() {
        Lineage other = Lineage.of(Jwt.opaque("rt"));
        new TokenVault(host).save(other, Fixtures.TARK_PATH, fresh);
        assertFalse(new TokenVault(host.session()).forget(true));
        assertSameTokens(fresh, new TokenVault(host.session()).load(other));
    }

    // ---- a save carries the other logins' entries over from the disk as it is now ----

    private static Credentials tokens(long expSeconds) {
        return new Credentials(Jwt.access(expSeconds), Jwt.opaque("rt"), null, null, expSeconds * 1000);
    }

    /**
     * One instance saves twice (two refreshes in one long session); between them another session
     * refreshed its own login. The second save carries that login's newest entry over, byte for byte with
     * its path, never the older copy this instance read at its first save: that one's refresh token is spent.
     */
    @Test
    void aSecondSaveCarriesOverAnotherSessionsNewerEntryNotTheCopyReadAtTheFirstSave() {
        Lineage mine = Lineage.of(Jwt.opaque("rt"));
        Lineage other = Lineage.of(Jwt.opaque("rt"));
        String otherPath = "/work/chatgpt.json";
        Credentials otherOld = tokens(NOW + HOUR);
        Credentials otherNew = tokens(NOW + 2 * HOUR);
        Credentials mineFirst = tokens(NOW + 3 * HOUR);
        Credentials mineSecond = tokens(NOW + 4 * HOUR);
        for (Credentials c : List.of(otherOld, otherNew, mineFirst, mineSecond)) {
            host.secret(c.accessToken);
            host.secret(c.refreshToken);
        }
        assertTrue(new TokenVault(host.session()).save(other, otherPath, otherOld));
        TokenVault instance = new TokenVault(host.session());
        assertTrue(instance.save(mine, TARK_PATH, mineFirst));
        assertEquals(otherOld.refreshToken, new TokenVault(host.session()).load(other).refreshToken);

        assertTrue(new TokenVault(host.session()).save(other, otherPath, otherNew), "the other session refreshes");
        StoredLogins theirs = StoredLogins.parse(host.disk().get(TokenVault.KEY));
        assertEquals(other.id, theirs.lineage(0));

        assertTrue(instance.save(mine, TARK_PATH, mineSecond));
        String stored = host.disk().get(TokenVault.KEY);
        StoredLogins ours = StoredLogins.parse(stored);
        assertEquals(2, ours.size(), stored);
        assertEquals(mine.id, ours.lineage(0));
        assertEquals(other.id, ours.lineage(1));
        assertEquals(theirs.sealed(0), ours.sealed(1), "the other login's entry, carried over as it was on disk");
        JsonObject carried = Json.parse(stored).asObject().get("others").asArray().get(0).asObject();
        assertEquals(StoredLogins.pathFingerprint(otherPath), carried.getString("path", null), "its path kept");
        Credentials otherNext = new TokenVault(host.session()).load(other);
        assertNotNull(otherNext, "the other login's entry was dropped");
        assertEquals(otherNew.refreshToken, otherNext.refreshToken, "a stale copy of the other login was written back");
        assertEquals(mineSecond.refreshToken, new TokenVault(host.session()).load(mine).refreshToken);
        host.assertNoSecretIn(host.disk().text(), "storage.json");
    }

    // ---- logins are kept per credentials path ----

    private static Credentials tokens() {
        return tokens(NOW + DAY);
    }

    @Test
    void reLoggingOneTerminalNeverEvictsAnothersLiveLogin() {
        Lineage other = Lineage.of(Jwt.opaque("rt"));
        Credentials otherTokens = tokens();
        new TokenVault(host.session()).save(other, "/b/chatgpt_oauth.json", otherTokens);
        for (int login = 0; login < 6; login++) {
            new TokenVault(host.session()).save(Lineage.of(Jwt.opaque("rt")), TARK_PATH, tokens());
        }
        Credentials kept = new TokenVault(host.session()).load(other);
        assertNotNull(kept, "the other terminal's login is still there");
        assertEquals(otherTokens.refreshToken, kept.refreshToken);
        assertTrue(StoredLogins.parse(host.disk().get(TokenVault.KEY)).size() <= StoredLogins.MAX_ENTRIES);
    }

    @Test
    void anOlderLoginOfAPathFillsOnlyTheRoomLeftSoAFileThatComesBackStillWorks() {
        Lineage first = Lineage.of(Jwt.opaque("rt"));
        Lineage second = Lineage.of(Jwt.opaque("rt"));
        new TokenVault(host.session()).save(first, TARK_PATH, tokens());
        new TokenVault(host.session()).save(second, TARK_PATH, tokens());
        assertNotNull(new TokenVault(host.session()).load(first), "room left: the older login stays");
        for (int i = 0; i < 3; i++) {
            new TokenVault(host.session()).save(Lineage.of(Jwt.opaque("rt")), "/other/" + i, tokens());
        }
        assertEquals(null, new TokenVault(host.session()).load(first), "superseded, and the room was needed");
        assertNotNull(new TokenVault(host.session()).load(second), "the path's live login stays");
    }

    @Test
    void thePathIsKeptOnlyAsAOneWayFingerprint() {
        new TokenVault(host).save(Lineage.of(Jwt.opaque("rt")), TARK_PATH, tokens());
        String stored = host.disk().text();
        assertFalse(stored.contains("tester"), stored);
        assertFalse(stored.contains("chatgpt_oauth"), stored);
        assertTrue(stored.contains(StoredLogins.pathFingerprint(TARK_PATH)));
        assertFalse(StoredLogins.pathFingerprint(TARK_PATH).equals(StoredLogins.pathFingerprint(TARK_PATH + "x")));
    }
}
