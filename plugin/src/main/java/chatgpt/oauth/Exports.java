package chatgpt.oauth;

import org.teavm.interop.Export;
import tark.host.ExportBuffers;
import tark.host.ExportGuard;
import tark.host.WasmHost;
import tark.host.WasmMemory;

/**
 * The functions tark calls. Each one moves bytes between the host's buffers and {@link Provider},
 * through {@link ExportGuard}, so that no exception becomes a trap.
 */
public final class Exports implements ExportGuard.Dispatcher {
    // Each export's wasm name, used by its @Export and by the log; its number indexes NAMES.
    static final String CREDENTIALS = "provider_auth_credentials";
    static final String REFRESH = "provider_auth_refresh";
    static final String STATUS = "provider_auth_status";
    static final String INIT = "provider_auth_init";
    static final String LOGOUT = "provider_auth_logout";
    static final String PROCESS_TOKENS = "auth_process_tokens";
    static final String INFO = "provider_info";
    static final String MODELS = "provider_models";
    static final String CHAT = "provider_chat";
    static final String LEGACY_DISPLAY_NAME = "display_name";
    static final String LEGACY_STATUS = "status";
    static final String LEGACY_TOKEN = "get_token";
    static final String LEGACY_ENDPOINT = "get_endpoint";
    static final String LEGACY_LOGOUT = "logout";
    static final String LEGACY_INIT = "init_with_credentials";
    private static final String[] NAMES = {
        CREDENTIALS, REFRESH, STATUS, INIT, LOGOUT, PROCESS_TOKENS, INFO, MODELS,
        LEGACY_DISPLAY_NAME, LEGACY_STATUS, LEGACY_TOKEN, LEGACY_ENDPOINT, LEGACY_LOGOUT, LEGACY_INIT, CHAT,
    };
    private static final int N_CREDENTIALS = 0;
    private static final int N_REFRESH = 1;
    private static final int N_STATUS = 2;
    private static final int N_INIT = 3;
    private static final int N_LOGOUT = 4;
    private static final int N_PROCESS_TOKENS = 5;
    private static final int N_INFO = 6;
    private static final int N_MODELS = 7;
    private static final int N_LEGACY_DISPLAY_NAME = 8;
    private static final int N_LEGACY_STATUS = 9;
    private static final int N_LEGACY_TOKEN = 10;
    private static final int N_LEGACY_ENDPOINT = 11;
    private static final int N_LEGACY_LOGOUT = 12;
    private static final int N_LEGACY_INIT = 13;
    private static final int N_CHAT = 14;

    /** Which exports write an answer into a host buffer (indexed like NAMES). */
    private static final boolean[] WRITES_OUTPUT = {
        true, true, false, false, false, true, true, true, true, false, true, true, false, false, true,
    };

    private static final Exports EXPORTS = new Exports();
    private Provider provider;

    private Exports() {
    }

    /** TeaVM's entry point. tark never runs it: every export works on a just-instantiated module. */
    public static void main(String[] args) {
    }

    @Export(name = CREDENTIALS)
    public static int providerAuthCredentials(int ret) {
        return run(N_CREDENTIALS, ret, 0, 0);
    }

    /** The refresh hook: a host whose request was refused (401) asks for fresh credentials. */
    @Export(name = REFRESH)
    public static int providerAuthRefresh(int ret) {
        return run(N_REFRESH, ret, 0, 0);
    }

    @Export(name = STATUS)
    public static int providerAuthStatus() {
        return run(N_STATUS, 0, 0, 0);
    }

    @Export(name = INIT)
    public static int providerAuthInit(int ptr, int len) {
        return run(N_INIT, ptr, len, 0);
    }

    @Export(name = LOGOUT)
    public static int providerAuthLogout() {
        return run(N_LOGOUT, 0, 0, 0);
    }

    /** tark's login hook: turns the token endpoint's reply into the credentials file. */
    @Export(name = PROCESS_TOKENS)
    public static int authProcessTokens(int tokensPtr, int tokensLen, int out) {
        return run(N_PROCESS_TOKENS, tokensPtr, tokensLen, out);
    }

    @Export(name = INFO)
    public static int providerInfo(int ret) {
        return run(N_INFO, ret, 0, 0);
    }

    @Export(name = MODELS)
    public static int providerModels(int ret) {
        return run(N_MODELS, ret, 0, 0);
    }

    /**
     * tark's full-provider call, made only after {@code provider_auth_credentials} failed: the answer is
     * shown as the assistant's message, so it says what went wrong. The messages and model are not read.
     */
    @Export(name = CHAT)
    public static int providerChat(int messagesPtr, int messagesLen, int modelPtr, int modelLen, int ret) {
        return run(N_CHAT, ret, 0, 0);
    }

    // The auth-plugin interface of older tark hosts.

    @Export(name = LEGACY_DISPLAY_NAME)
    public static int displayName(int ret) {
        return run(N_LEGACY_DISPLAY_NAME, ret, 0, 0);
    }

    @Export(name = LEGACY_STATUS)
    public static int status() {
        return run(N_LEGACY_STATUS, 0, 0, 0);
    }

    @Export(name = LEGACY_TOKEN)
    public static int getToken(int ret) {
        return run(N_LEGACY_TOKEN, ret, 0, 0);
    }

    @Export(name = LEGACY_ENDPOINT)
    public static int getEndpoint(int ret) {
        return run(N_LEGACY_ENDPOINT, ret, 0, 0);
    }

    @Export(name = LEGACY_LOGOUT)
    public static int logout() {
        return run(N_LEGACY_LOGOUT, 0, 0, 0);
    }

    @Export(name = LEGACY_INIT)
    public static int initWithCredentials(int ptr, int len) {
        return run(N_LEGACY_INIT, ptr, len, 0);
    }

    private static int run(int export, int a, int b, int c) {
        return ExportGuard.run(WasmHost.INSTANCE, EXPORTS, export, a, b, c);
    }

    @Override
    public int dispatch(int export, int a, int b, int c) {
        if (provider == null) {
            provider = new Provider(WasmHost.INSTANCE);
        }
        int output = export == N_PROCESS_TOKENS ? c : a;
        if (WRITES_OUTPUT[export] && !ExportBuffers.isOutput(output)) {
            return notLent(export);
        }
        switch (export) {
            case N_CREDENTIALS:
                return write(export, a, provider.credentials());
            case N_LEGACY_TOKEN:
                return write(export, a, provider.token());
            case N_REFRESH:
                return write(export, a, provider.refresh());
            case N_STATUS:
                return provider.status();
            case N_LEGACY_STATUS:
                return provider.legacyStatus();
            case N_INIT:
            case N_LEGACY_INIT:
                String json = input(export, a, b);
                return json == null ? AuthFailure.BAD_INPUT : provider.init(json);
            case N_LOGOUT:
            case N_LEGACY_LOGOUT:
                return provider.logout();
            case N_PROCESS_TOKENS:
                String tokens = input(export, a, b);
                return tokens == null ? AuthFailure.BAD_INPUT : write(export, c, provider.processTokens(tokens));
            case N_INFO:
                return write(export, a, Reply.text(Provider.INFO));
            case N_MODELS:
                return write(export, a, Reply.text(Provider.MODELS));
            case N_CHAT:
                return write(export, a, provider.chat());
            case N_LEGACY_DISPLAY_NAME:
                return write(export, a, Reply.text(Provider.DISPLAY_NAME));
            case N_LEGACY_ENDPOINT:
                return write(export, a, Reply.text(Provider.ENDPOINT));
            default:
                throw new IllegalArgumentException();
        }
    }

    @Override
    public String name(int export) {
        return NAMES[export];
    }

    /** The host's input buffer as text; null (logged) when it lies outside memory or is too large. */
    private String input(int export, int ptr, int len) {
        String text = ExportBuffers.input(ptr, len);
        if (text == null) {
            provider.failed(new AuthFailure(AuthFailure.BAD_INPUT, NAMES[export] + " was given a buffer outside"
                    + " memory or over " + WasmMemory.MAX_HOST_VALUE + " bytes; this is a host bug."));
        }
        return text;
    }

    /** Refuses (and logs) an output buffer alloc did not lend for this call, before any work is done. */
    private int notLent(int export) {
        return provider.failed(new AuthFailure(AuthFailure.BAD_INPUT, NAMES[export] + " was given an output"
                + " buffer that alloc did not lend for this call; nothing was done. This is a host bug:"
                + " call alloc right before the export and pass its pointer.")).code;
    }

    /** Writes a reply into the host's buffer, refusing (and logging) one that would not fit. */
    private int write(int export, int ret, Reply reply) {
        if (reply.isFailure()) {
            return reply.code;
        }
        int written = ExportBuffers.output(ret, reply.text);
        if (written == WasmMemory.NOT_LENT) {
            return notLent(export);
        }
        if (written < 0) {
            return provider.failed(new AuthFailure(AuthFailure.ANSWER_TOO_LARGE, "The answer ("
                    + ExportBuffers.length(reply.text) + " bytes) does not fit tark's buffer; the tokens are"
                    + " unusually large. Log in again with `tark auth chatgpt-oauth`; if it persists, report it.")).code;
        }
        return written;
    }
}
