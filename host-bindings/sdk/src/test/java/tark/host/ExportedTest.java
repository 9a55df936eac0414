package tark.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The export helpers on the JVM, on {@link ArrayBuffers}: WasmMemory's rules in a Java array. */
class ExportedTest {
    /** Records error logs; nothing else is used by Exported. */
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

    private static final String ADVICE = "Try a smaller answer.";

    private final LogHost host = new LogHost();
    private final ArrayBuffers buffers = new ArrayBuffers(1 << 16);
    private final List<String> made = new ArrayList<>();
    private final Exported<String> exported = new Exported<>(host, buffers, h -> {
        made.add("plugin");
        return "the plugin";
    }, ADVICE);

    private String written(int ret, int length) {
        return new String(buffers.get(ret, length), StandardCharsets.UTF_8);
    }

    @Test
    void anAnswerIsWrittenIntoTheLentBufferAndItsLengthReturned() {
        int ret = buffers.alloc(64);
        assertEquals(13, exported.answer("x", ret, plugin -> plugin + " \u00e9"), "UTF-8 bytes");
        assertEquals("the plugin \u00e9", written(ret, 13));
        assertTrue(host.errors.isEmpty());
    }

    @Test
    void thePluginIsMadeOnceOnTheFirstCall() {
        exported.status("x", plugin -> 1);
        exported.status("x", plugin -> 2);
        assertEquals(List.of("plugin"), made);
    }

    @Test
    void anAnswerThatFillsTheBufferExactlyIsWritten() {
        int ret = buffers.alloc(5);
        assertEquals(5, exported.answer("x", ret, plugin -> "12345"));
    }

    @Test
    void anAnswerOneByteTooLargeIsRefusedWithMinus7AndNothingWritten() {
        int ret = buffers.alloc(5);
        int after = buffers.alloc(4);
        byte[] marker = buffers.get(after, 4);
        assertEquals(ExportFailure.ANSWER_TOO_LARGE, exported.answer("provider_x", ret, plugin -> "123456"));
        assertArrayEquals(new byte[5], buffers.get(ret, 5), "nothing written");
        assertArrayEquals(marker, buffers.get(after, 4));
        assertEquals(1, host.errors.size());
        String error = host.errors.get(0);
        assertTrue(error.contains("provider_x") && error.contains("6 bytes") && error.contains("5-byte")
                && error.endsWith(ADVICE), error);
    }

    @Test
    void anAnswerTooLargeIsReportedInTheWordsOfTooLarge() {
        int ret = buffers.alloc(5);
        exported.answer("provider_x", ret, plugin -> "123456");
        assertEquals(Exported.tooLarge("provider_x", 6, 5, ADVICE).getMessage(), host.errors.get(0),
                "a plugin working out the failure again on another instance says the same");
        assertEquals(ExportFailure.ANSWER_TOO_LARGE, Exported.tooLarge("provider_x", 6, 5, ADVICE).code());
    }

    @Test
    void anEmptyLoanIsNeverTakenForTheOutputBufferLentAfterIt() {
        // tark's provider_chat: the messages, the model name (empty: alloc(0)), then alloc(65536).
        buffers.put("[]".getBytes(StandardCharsets.UTF_8));
        int model = buffers.alloc(0);
        int ret = buffers.alloc(1024);
        assertTrue(model != ret, "an address of its own");
        assertEquals(6, exported.answer("provider_chat", ret, plugin -> "answer"));
        assertEquals("answer", written(ret, 6));
        assertTrue(host.errors.isEmpty(), host.errors.toString());
    }

    @Test
    void anOutputBufferAllocDidNotLendIsRefusedWithMinus8BeforeTheHandlerRuns() {
        int lent = buffers.alloc(64);
        List<String> ran = new ArrayList<>();
        int result = exported.answer("provider_x", lent + 16, plugin -> {
            ran.add("handler");
            return "answer";
        });
        assertEquals(ExportFailure.BAD_INPUT, result, "-8, not -7: the buffer is the host's mistake");
        assertTrue(ran.isEmpty(), "nothing is done for a buffer that was not lent");
        assertEquals(1, host.errors.size());
        assertEquals("provider_x was given an output buffer that alloc did not lend for this call; nothing was done."
                + " This is a host bug: call alloc right before the export and pass its pointer.", host.errors.get(0));
    }

    @Test
    void aBufferLentBeforeTheLastExportReturnedIsNotLentAnyMore() {
        int ret = buffers.alloc(64);
        assertEquals(1, exported.answer("x", ret, plugin -> "a"));
        assertEquals(ExportFailure.BAD_INPUT, exported.answer("x", ret, plugin -> "b"));
    }

    @Test
    void anUnreadableInputIsRefusedWithMinus8() {
        int ret = buffers.alloc(64);
        List<String> ran = new ArrayList<>();
        assertEquals(ExportFailure.BAD_INPUT, exported.inputAnswer("provider_y", -1, 4, ret, (plugin, input) -> {
            ran.add(input);
            return input;
        }));
        assertEquals(ExportFailure.BAD_INPUT, exported.inputStatus("provider_y", 0, WasmMemory.MAX_HOST_VALUE + 1,
                (plugin, input) -> 0));
        assertTrue(ran.isEmpty());
        assertEquals(2, host.errors.size());
        assertEquals("provider_y was given a buffer outside memory or over 1048576 bytes; nothing was done. This is"
                + " a host bug.", host.errors.get(0));
    }

    @Test
    void theInputArrivesAsText() {
        byte[] input = "{\"a\":\"\u00fc\"}".getBytes(StandardCharsets.UTF_8);
        int ptr = buffers.put(input);
        int ret = buffers.alloc(64);
        int length = exported.inputAnswer("x", ptr, input.length, ret, (plugin, text) -> text.toUpperCase());
        assertEquals("{\"A\":\"\u00dc\"}", written(ret, length));
        assertEquals(9, exported.inputStatus("x", buffers.put(input), input.length, (plugin, text) -> text.length()));
    }

    @Test
    void aReportedFailureLogsItsMessageOnceAndReturnsItsCode() {
        int result = exported.status("x", plugin -> {
            throw new ExportFailure(-3, "Log in again with `tark auth`.");
        });
        assertEquals(-3, result);
        assertEquals(List.of("Log in again with `tark auth`."), host.errors);
    }

    @Test
    void anExceptionBecomesInternalErrorAndOneLogLineWithoutItsMessage() {
        int ret = buffers.alloc(64);
        int result = exported.answer("provider_auth_credentials", ret, plugin -> {
            throw new IllegalArgumentException("secret-token-eyJhbGciOiJSUzI1NiJ9");
        });
        assertEquals(ExportFailure.INTERNAL_ERROR, result);
        assertEquals(1, host.errors.size());
        String message = host.errors.get(0);
        assertTrue(message.contains("provider_auth_credentials"), message);
        assertFalse(message.contains("secret-token"), "the exception's message is never logged");
        assertFalse(message.contains("eyJhbGci"), "the exception's message is never logged");
    }

    @Test
    void errorsAreCaughtToo() {
        assertEquals(ExportFailure.INTERNAL_ERROR, exported.status("export_2", plugin -> {
            throw new StackOverflowError();
        }));
        assertEquals(1, host.errors.size());
        assertTrue(host.errors.get(0).contains("export_2"));
    }

    @Test
    void aFailingPluginFactoryIsCaught() {
        Exported<String> broken = new Exported<>(host, buffers, h -> {
            throw new IllegalStateException("no");
        }, ADVICE);
        assertEquals(ExportFailure.INTERNAL_ERROR, broken.status("x", plugin -> 0));
    }

    @Test
    void aFailingLogDoesNotEscape() {
        host.failLogging = true;
        assertEquals(ExportFailure.INTERNAL_ERROR, exported.status("x", plugin -> {
            throw new IllegalArgumentException();
        }));
    }
}
