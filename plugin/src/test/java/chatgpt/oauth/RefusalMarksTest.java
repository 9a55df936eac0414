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
        host.env(CredentialSources.PATH_VARIABLE, path);
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
    void onePathKeepsItsNewestMarkAndEveryOtherPathKeepsItsOwn() {
        StoredLogins marks = StoredLogins.parse(null);
        for (int path = 0; path < StoredLogins.MAX_REFUSED; path++) {
            marks = StoredLogins.parse(marks.refusing("mark" + path, "path" + path).toJson());
        }
        for (int again = 0; again < 3 * StoredLogins.MAX_REFUSED; again++) {
            marks = StoredLogins.parse(marks.refusing("relogged" + again, "path0").toJson());
        }
        assertTrue(marks.isRefused("relogged" + (3 * StoredLogins.MAX_REFUSED - 1)), "the path's newest mark");
        assertFalse(marks.isRefused("mark0"), "replaced: that file holds another login now");
        for (int path = 1; path < StoredLogins.MAX_REFUSED; path++) {
            assertTrue(marks.isRefused("mark" + path), "a path refused again and again evicts no other path's mark");
        }
    }

    @Test
    void version04sMarksWithoutAPathAreStillHonoured() {
        StoredLogins old = StoredLogins.parse("{\"refused\":[\"a1\",\"b2\"]}");
        assertTrue(old.isRefused("a1") && old.isRefused("b2"));
        StoredLogins next = StoredLogins.parse(old.refusing("c3", "P").toJson());
        assertTrue(next.isRefused("a1") && next.isRefused("b2") && next.isRefused("c3"));
    }
}
