package chatgpt.oauth;

import static chatgpt.oauth.Fixtures.HOME;
import static chatgpt.oauth.Fixtures.HOUR;
import static chatgpt.oauth.Fixtures.MARGIN;
import static chatgpt.oauth.Fixtures.TARK_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one-way marks of refresh tokens ChatGPT refused: one for every refused login in use, kept by the
 * logins' own rule, and read from storage.json as it is on disk before any refresh token is presented.
 */
class RefusalMarksTest extends HostTest {
    private static final long NOW = Jwt.NOW_SECONDS;

    @BeforeEach
    void setUp() {
        host.env("HOME", HOME);
    }

    /** A provider init with the credentials file at {@code path}: its return code. */
    private int start(String path) {
        host.env(TarkCredentialsFile.PATH_VARIABLE, path);
        return Reply.of(new Provider(host.session()), Provider::credentials).code;
    }

    @Test
    void fiveRefusedLoginsInFivePathsAreEachPresentedOnce() {
        int logins = 5;
        for (int i = 0; i < logins; i++) {
            host.file("/work/" + i + "/chatgpt.json",
                    Fixtures.tarkFile(Jwt.access(NOW - HOUR), Jwt.opaque("rt"), null, null, null));
            host.reply(400, "{\"error\":\"invalid_grant\"}");
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < logins; i++) {
                assertEquals(AuthFailure.REFRESH_REJECTED, start("/work/" + i + "/chatgpt.json"), "round " + round);
            }
        }
        assertEquals(logins, host.requests().size(), "each refused refresh token was presented once, never again");
    }

    @Test
    void aMarkAnotherSessionWroteSinceThisOneStartedIsReadFromDisk() {
        // Valid, and due for its early refresh.
        host.file(TARK_PATH, Fixtures.tarkFile(Jwt.access(NOW + MARGIN / 2), Jwt.opaque("rt"), null, null, null));
        FakeHost stale = host.session(); // started before the other session's refusal
        host.reply(400, "{\"error\":\"invalid_grant\"}");
        Reply.of(new Provider(host.session()), Provider::credentials);
        assertEquals(1, host.requests().size());

        Reply reply = Reply.of(new Provider(stale), Provider::credentials);
        assertFalse(reply.isFailure(), "the still-valid token is served");
        assertEquals(1, host.requests().size(), "the refused refresh token is not presented again");
        assertEquals(1, host.logs("warn").size(), "only the refusing session's warning: " + host.logs());
    }

    @Test
    void marksAreCarriedOverBySavesAndFailureRecords() {
        StoredLogins marks = StoredLogins.parse(null).refusing("a1").refusing("b2");
        marks = StoredLogins.parse(marks.failing("F", "line").toJson());
        marks = StoredLogins.parse(marks.saving("L", "S", "P").toJson());
        assertTrue(marks.isRefused("a1") && marks.isRefused("b2"));
        assertEquals("line", marks.failure("F"), "and the record by a save");
        assertEquals(1, marks.size());
    }

    @Test
    void refusalMarksAreCarriedOverAndCapped() {
        StoredLogins logins = StoredLogins.parse(null);
        for (int i = 0; i <= StoredLogins.MAX_REFUSED; i++) {
            logins = logins.refusing("mark" + i);
        }
        StoredLogins saved = StoredLogins.parse(logins.saving("L", "S", "P").toJson());
        assertTrue(saved.isRefused("mark" + StoredLogins.MAX_REFUSED));
        assertTrue(saved.isRefused("mark1"));
        assertFalse(saved.isRefused("mark0"), "the oldest beyond the bound is dropped");
        assertEquals(1, saved.size());
    }
}
