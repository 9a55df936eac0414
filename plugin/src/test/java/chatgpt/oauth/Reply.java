package chatgpt.oauth;

import java.nio.charset.StandardCharsets;
import tark.host.ArrayBuffers;
import tark.host.Exported;

/**
 * A {@link Provider} call run as its export runs it, through the SDK's {@link Exported} on the JVM
 * (tark's 8 KiB buffer): the text written, or the code returned after the SDK logged the failure.
 */
final class Reply {
    /** tark's output buffer for the auth exports. */
    static final int TARK_BUFFER = 8192;
    /** tark's output buffer for provider_chat. */
    static final int CHAT_BUFFER = 65536;

    final int code;
    /** Null for a failure. */
    final String text;

    private Reply(int code, String text) {
        this.code = code;
        this.text = text;
    }

    static Reply of(Provider provider, Exported.Answer<Provider> export) {
        return of(provider, export, TARK_BUFFER);
    }

    static Reply of(Provider provider, Exported.Answer<Provider> export, int bufferSize) {
        return of(provider, "test_export", export, bufferSize);
    }

    /** As the export named {@code name} runs (its name is in the error lines). */
    static Reply of(Provider provider, String name, Exported.Answer<Provider> export, int bufferSize) {
        ArrayBuffers buffers = new ArrayBuffers(bufferSize + 64);
        Exported<Provider> exported = new Exported<>(provider.host, buffers, host -> provider, Provider.TOO_LARGE_ADVICE);
        int ret = buffers.alloc(bufferSize);
        int result = exported.answer(name, ret, export);
        return result < 0 ? new Reply(result, null)
                : new Reply(0, new String(buffers.get(ret, result), StandardCharsets.UTF_8));
    }

    /** {@code provider_auth_init} with {@code json} in the host's input buffer: its status code. */
    static int init(Provider provider, String json) {
        ArrayBuffers buffers = new ArrayBuffers(json.length() * 3 + 64);
        Exported<Provider> exported = new Exported<>(provider.host, buffers, host -> provider, Provider.TOO_LARGE_ADVICE);
        byte[] input = json.getBytes(StandardCharsets.UTF_8);
        return exported.inputStatus("test_export", buffers.put(input), input.length, Provider::init);
    }

    boolean isFailure() {
        return text == null;
    }
}
