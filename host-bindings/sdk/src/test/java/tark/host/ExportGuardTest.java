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

    /** Numbered exports: 0 returns a + b + c, 1 throws with a token-like message, 2 throws an Error. */
    private static final class Exports implements ExportGuard.Dispatcher {
        final java.util.List<Integer> called = new ArrayList<>();

        public int dispatch(int export, int a, int b, int c) {
            called.add(export);
            switch (export) {
                case 0:
                    return a + b + c;
                case 1:
                    throw new IllegalArgumentException("secret-token-eyJhbGciOiJSUzI1NiJ9");
                case 2:
                    throw new StackOverflowError();
                default:
                    return -1000 - export;
            }
        }

        public String name(int export) {
            return export == 1 ? "provider_auth_credentials" : "export_" + export;
        }
    }

    @Test
    void returnsTheDispatchedResult() {
        LogHost host = new LogHost();
        Exports exports = new Exports();
        assertEquals(42, ExportGuard.run(host, exports, 0, 40, 1, 1));
        assertEquals(-3, ExportGuard.run(host, exports, 0, -3, 0, 0));
        assertEquals(-1007, ExportGuard.run(host, exports, 7, 0, 0, 0));
        assertEquals(List.of(0, 0, 7), exports.called);
        assertTrue(host.errors.isEmpty());
    }

    @Test
    void anExceptionBecomesInternalErrorAndOneLogLineWithoutItsMessage() {
        LogHost host = new LogHost();
        int result = ExportGuard.run(host, new Exports(), 1, 0, 0, 0);
        assertEquals(ExportGuard.INTERNAL_ERROR, result);
        assertEquals(1, host.errors.size());
        String message = host.errors.get(0);
        assertTrue(message.contains("provider_auth_credentials"), message);
        assertFalse(message.contains("secret-token"), "the exception's message is never logged");
        assertFalse(message.contains("eyJhbGci"), "the exception's message is never logged");
    }

    @Test
    void errorsAreCaughtToo() {
        LogHost host = new LogHost();
        assertEquals(ExportGuard.INTERNAL_ERROR, ExportGuard.run(host, new Exports(), 2, 0, 0, 0));
        assertEquals(1, host.errors.size());
        assertTrue(host.errors.get(0).contains("export_2"));
    }

    @Test
    void aFailingLogDoesNotEscape() {
        LogHost host = new LogHost();
        host.failLogging = true;
        assertEquals(ExportGuard.INTERNAL_ERROR, ExportGuard.run(host, new Exports(), 1, 0, 0, 0));
    }
}
