package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tark.host.StorageFile;

/** storage.json read from disk, where tark keeps it, as it is now (not the instance's snapshot). */
class StorageFileTest extends HostTest {
    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    @Test
    void readsTheLinuxDataDirBelowHome() {
        StorageFile file = new StorageFile(host, Release.ID);
        assertNull(file.read("k"));
        host.session().storageSet("k", "v");
        assertEquals("v", file.read("k"), "written after this instance started: read from disk");
        assertEquals(Fixtures.STORAGE_PATH, host.storagePath());
    }

    @Test
    void readsXdgDataHomeWhenSet() {
        host.env("XDG_DATA_HOME", "/srv/data");
        host.disk().put("k", "v");
        assertEquals("v", new StorageFile(host, Release.ID).read("k"));
    }

    @Test
    void readsTheMacOsDataDir() {
        host.machine.dataDir = HOME + "/Library/Application Support";
        host.disk().put("k", "v");
        assertEquals("v", new StorageFile(host, Release.ID).read("k"));
    }

    @Test
    void anUnusableFileHasNoValue() {
        for (String text : new String[] {"", "garbage", "[]", "{\"k\":1}", "{\"k\":[\"v\"]}"}) {
            host.disk().replaceText(text);
            assertNull(new StorageFile(host, Release.ID).read("k"), text);
        }
        StringBuilder dense = new StringBuilder("{\"k\":\"v\",\"x\":[");
        for (int i = 0; i < 30_000; i++) {
            dense.append(i == 0 ? "" : ",").append(1);
        }
        host.disk().replaceText(dense.append("]}").toString());
        assertNull(new StorageFile(host, Release.ID).read("k"), "over the value budget");
    }

    @Test
    void aRefusedReadHasNoValue() {
        host.disk().put("k", "v");
        host.deniedPaths.add(Fixtures.STORAGE_PATH);
        assertNull(new StorageFile(host, Release.ID).read("k"));
    }

    @Test
    void aRelativeXdgDataHomeIsIgnoredAsTarkIgnoresIt() {
        host.env("XDG_DATA_HOME", "relative/data");
        host.disk().put("k", "v");
        assertEquals(Fixtures.STORAGE_PATH, host.storagePath());
        assertEquals("v", new StorageFile(host, Release.ID).read("k"));
    }
}
