package chatgpt.oauth;

import org.junit.jupiter.api.AfterEach;

/**
 * Base of the tests that run plugin logic on a {@link FakeHost}: after each test, no log line may hold a
 * token used in it, nor a 12-character piece of one.
 */
abstract class HostTest {
    protected final FakeHost host = new FakeHost();

    @AfterEach
    final void noSecretInLogs() {
        host.assertNoSecretInLogs();
    }
}
