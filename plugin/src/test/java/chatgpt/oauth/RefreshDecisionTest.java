package chatgpt.oauth;

import static chatgpt.oauth.RefreshDecision.FAIL;
import static chatgpt.oauth.RefreshDecision.REFRESH;
import static chatgpt.oauth.RefreshDecision.REFRESH_OR_FAIL;
import static chatgpt.oauth.RefreshDecision.USE;
import static chatgpt.oauth.RefreshDecision.USE_UNREFRESHED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The refresh rule on its own: what it decides from what is known, with nothing done. */
class RefreshDecisionTest {
    private static final boolean Y = true;
    private static final boolean N = false;

    @Test
    void tokensOutsideTheMarginAreUsedWhateverElseHolds() {
        assertEquals(USE, RefreshDecision.of(N, N, N, N, Y));
        assertEquals(USE, RefreshDecision.of(N, N, N, N, N), "nothing to refresh with, and no need to");
    }

    @Test
    void dueTokensAreRefreshedAndKeptIfThatFailsWhileValid() {
        assertEquals(REFRESH, RefreshDecision.of(N, N, Y, N, Y));
        assertEquals(REFRESH, RefreshDecision.of(N, N, Y, Y, Y), "expired: the refresh must succeed (checked then)");
    }

    @Test
    void dueTokensThatMayNotBeRefreshedAreUsedUntilTheyExpire() {
        assertEquals(USE_UNREFRESHED, RefreshDecision.of(N, N, Y, N, N));
        assertEquals(FAIL, RefreshDecision.of(N, N, Y, Y, N));
    }

    @Test
    void aForcedRefreshMustSucceed() {
        assertEquals(REFRESH_OR_FAIL, RefreshDecision.of(Y, N, N, N, Y));
        assertEquals(FAIL, RefreshDecision.of(Y, N, N, N, N), "the host saw them refused: no valid token to keep");
    }

    @Test
    void anUnusableStoredTokenIsReplacedOrLeftToTheHeaderCheck() {
        assertEquals(REFRESH_OR_FAIL, RefreshDecision.of(N, Y, N, N, Y));
        assertEquals(USE_UNREFRESHED, RefreshDecision.of(N, Y, N, N, N), "the header check then names the fix");
        assertEquals(FAIL, RefreshDecision.of(N, Y, Y, Y, N));
    }
}
