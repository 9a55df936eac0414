package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoredLoginsTest {
    /** Whatever MAX_ENTRIES and MAX_REFUSED are, parse reads back every entry and mark toJson wrote. */
    @Test
    void everyEntryAndMarkWrittenIsReadBack() {
        StoredLogins logins = StoredLogins.parse(null);
        for (int r = 0; r < StoredLogins.MAX_REFUSED; r++) {
            logins = logins.refusing("mark" + r);
        }
        for (int i = 0; i < StoredLogins.MAX_ENTRIES; i++) {
            logins = logins.saving("lineage" + i, "sealed" + i, "path" + i);
        }
        logins = logins.failing("F", "line");
        assertEquals(StoredLogins.MAX_ENTRIES, logins.size());

        StoredLogins read = StoredLogins.parse(logins.toJson());
        assertEquals(StoredLogins.MAX_ENTRIES, read.size());
        for (int i = 0; i < StoredLogins.MAX_ENTRIES; i++) {
            int newest = StoredLogins.MAX_ENTRIES - 1 - i;
            assertEquals("lineage" + newest, read.lineage(i));
            assertEquals("sealed" + newest, read.sealed(i));
        }
        for (int r = 0; r < StoredLogins.MAX_REFUSED; r++) {
            assertTrue(read.isRefused("mark" + r), "mark" + r);
        }
        assertEquals("line", read.failure("F"));
        assertEquals(logins.toJson(), read.toJson(), "the paths too");
    }
}
