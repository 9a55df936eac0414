package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExportGuardTest {
    /** Records error logs; nothing else is used by ExportGuard. */
    private static final class LogHost implements Host {
        final List<String> errors = new ArrayList<>();
        boolean failLogging;

        public HostValue readFile(String path) {
            throw new UnsupportedOperationException();
        }

        public HostValue env(String name) {
            throw new UnsupportedOperationException();
        }

        public HostValue storageGet(String key) {
            throw new UnsupportedOperationException();
        }

        public boolean storageSet(String key, String value) {
            throw new UnsupportedOperationException();
        }

        public boolean storageDelete(String key) {
            throw new UnsupportedOperationException();
        }

        public HttpReply httpPost(String url, String[] headers, String body) {
            throw new UnsupportedOperationException();
        }

        public HttpReply httpGet(String url, String[] headers) {
            throw new UnsupportedOperationException();
        }

        public void logDebug(String message) {
        }

        public void logInfo(String message) {
        }

        public void logWarn(String message) {
        }

        public void logError(String message) {
            if (failLogging) {
                throw new IllegalStateException("log down");
            }
            errors.add(message);
        }

        public long currentTimeMillis() {
            return 0;
        }
    }

    @Test
    void returnsTheBodysResult() {
        LogHost host = new LogHost();
        assertEquals(42, ExportGuard.run(host, "export", () -> 42));
        assertEquals(-3, ExportGuard.run(host, "export", () -> -3));
        assertTrue(host.errors.isEmpty());
    }

    @Test
    void anExceptionBecomesInternalErrorAndOneLogLineWithoutItsMessage() {
        LogHost host = new LogHost();
        int result = ExportGuard.run(host, "provider_auth_credentials", () -> {
            throw new IllegalArgumentException("secret-token-eyJhbGciOiJSUzI1NiJ9");
        });
        assertEquals(ExportGuard.INTERNAL_ERROR, result);
        assertEquals(1, host.errors.size());
        String message = host.errors.get(0);
        assertTrue(message.contains("provider_auth_credentials"));
        assertFalse(message.contains("secret-token"), "the exception's message is never logged");
    }

    @Test
    void errorsAreCaughtToo() {
        LogHost host = new LogHost();
        assertEquals(ExportGuard.INTERNAL_ERROR, ExportGuard.run(host, "x", () -> {
            throw new StackOverflowError();
        }));
        assertEquals(1, host.errors.size());
    }

    @Test
    void aFailingLogDoesNotEscape() {
        LogHost host = new LogHost();
        host.failLogging = true;
        assertEquals(ExportGuard.INTERNAL_ERROR, ExportGuard.run(host, "x", () -> {
            throw new RuntimeException("boom");
        }));
    }
}
