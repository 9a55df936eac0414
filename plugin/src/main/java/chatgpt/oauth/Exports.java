package chatgpt.oauth;

import org.teavm.interop.Export;
import tark.host.Exported;
import tark.host.WasmHost;

/**
 * The functions tark calls, one declaration each: the wasm name, the SDK helper for the signature,
 * the {@link Provider} method that answers. The SDK moves the bytes, refuses what the host got wrong
 * and turns every exception into a return code, so that nothing becomes a trap.
 */
public final class Exports {
    private static final Exported<Provider> EXPORTED =
            new Exported<>(WasmHost.INSTANCE, Provider::new, Provider.TOO_LARGE_ADVICE);

    static final String CREDENTIALS = "provider_auth_credentials";
    private static final String REFRESH = "provider_auth_refresh";
    private static final String STATUS = "provider_auth_status";
    private static final String INIT = "provider_auth_init";
    private static final String LOGOUT = "provider_auth_logout";
    private static final String PROCESS_TOKENS = "auth_process_tokens";
    private static final String INFO = "provider_info";
    private static final String MODELS = "provider_models";
    private static final String CHAT = "provider_chat";

    private Exports() {
    }

    /** TeaVM's entry point. tark never runs it: every export works on a just-instantiated module. */
    public static void main(String[] args) {
    }

    @Export(name = CREDENTIALS)
    public static int providerAuthCredentials(int ret) {
        return EXPORTED.answer(CREDENTIALS, ret, Provider::credentials);
    }

    /** The refresh hook: a host whose request was refused (401) asks for fresh credentials. */
    @Export(name = REFRESH)
    public static int providerAuthRefresh(int ret) {
        return EXPORTED.answer(REFRESH, ret, Provider::refresh);
    }

    @Export(name = STATUS)
    public static int providerAuthStatus() {
        return EXPORTED.status(STATUS, Provider::status);
    }

    @Export(name = INIT)
    public static int providerAuthInit(int ptr, int len) {
        return EXPORTED.inputStatus(INIT, ptr, len, Provider::init);
    }

    @Export(name = LOGOUT)
    public static int providerAuthLogout() {
        return EXPORTED.status(LOGOUT, Provider::logout);
    }

    /** tark's login hook: turns the token endpoint's reply into the credentials file. */
    @Export(name = PROCESS_TOKENS)
    public static int authProcessTokens(int tokensPtr, int tokensLen, int out) {
        return EXPORTED.inputAnswer(PROCESS_TOKENS, tokensPtr, tokensLen, out, Provider::processTokens);
    }

    @Export(name = INFO)
    public static int providerInfo(int ret) {
        return EXPORTED.answer(INFO, ret, Provider::info);
    }

    @Export(name = MODELS)
    public static int providerModels(int ret) {
        return EXPORTED.answer(MODELS, ret, Provider::models);
    }

    /**
     * tark's full-provider call, made only after {@code provider_auth_credentials} failed: the answer is
     * shown as the assistant's message, so it says what went wrong. The messages and model are not read.
     */
    @Export(name = CHAT)
    public static int providerChat(int messagesPtr, int messagesLen, int modelPtr, int modelLen, int ret) {
        return EXPORTED.answer(CHAT, ret, Provider::chat);
    }
}
