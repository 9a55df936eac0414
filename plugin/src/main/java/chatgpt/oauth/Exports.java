package chatgpt.oauth;

import org.teavm.interop.Export;
import tark.host.ExportGuard;
import tark.host.Utf8;
import tark.host.WasmHost;
import tark.host.WasmMemory;

/**
 * The functions tark calls. Each one moves bytes between the host's buffers and {@link Provider},
 * through {@link ExportGuard}, so that no exception becomes a trap.
 */
public final class Exports implements ExportGuard.Exports {
    private static final int CREDENTIALS = 0;
    private static final int REFRESH = 1;
    private static final int STATUS = 2;
    private static final int INIT = 3;
    private static final int LOGOUT = 4;
    private static final int PROCESS_TOKENS = 5;
    private static final int INFO = 6;
    private static final int MODELS = 7;
    private static final int LEGACY_DISPLAY_NAME = 8;
    private static final int LEGACY_STATUS = 9;
    private static final int LEGACY_TOKEN = 10;
    private static final int LEGACY_ENDPOINT = 11;
    private static final int LEGACY_LOGOUT = 12;
    private static final int LEGACY_INIT = 13;
    private static final String[] NAMES = {
        "provider_auth_credentials", "provider_auth_refresh", "provider_auth_status", "provider_auth_init",
        "provider_auth_logout", "auth_process_tokens", "provider_info", "provider_models",
        "display_name", "status", "get_token", "get_endpoint", "logout", "init_with_credentials",
    };

    private static final Exports EXPORTS = new Exports();
    private Provider provider;
    /** The last answer and its UTF-8: an unchanged answer (the usual repeated call) is not encoded again. */
    private String lastText;
    private byte[] lastBytes;

    private Exports() {
    }

    /** TeaVM's entry point. tark never runs it: every export works on a just-instantiated module. */
    public static void main(String[] args) {
    }

    @Export(name = "provider_auth_credentials")
    public static int providerAuthCredentials(int ret) {
        return run(CREDENTIALS, ret, 0, 0);
    }

    /** The refresh hook: a host whose request was refused (401) asks for fresh credentials. */
    @Export(name = "provider_auth_refresh")
    public static int providerAuthRefresh(int ret) {
        return run(REFRESH, ret, 0, 0);
    }

    @Export(name = "provider_auth_status")
    public static int providerAuthStatus() {
        return run(STATUS, 0, 0, 0);
    }

    @Export(name = "provider_auth_init")
    public static int providerAuthInit(int ptr, int len) {
        return run(INIT, ptr, len, 0);
    }

    @Export(name = "provider_auth_logout")
    public static int providerAuthLogout() {
        return run(LOGOUT, 0, 0, 0);
    }

    /** tark's login hook: turns the token endpoint's reply into the credentials file. */
    @Export(name = "auth_process_tokens")
    public static int authProcessTokens(int tokensPtr, int tokensLen, int out) {
        return run(PROCESS_TOKENS, tokensPtr, tokensLen, out);
    }

    @Export(name = "provider_info")
    public static int providerInfo(int ret) {
        return run(INFO, ret, 0, 0);
    }

    @Export(name = "provider_models")
    public static int providerModels(int ret) {
        return run(MODELS, ret, 0, 0);
    }

    // The auth-plugin interface of older tark hosts.

    @Export(name = "display_name")
    public static int displayName(int ret) {
        return run(LEGACY_DISPLAY_NAME, ret, 0, 0);
    }

    @Export(name = "status")
    public static int status() {
        return run(LEGACY_STATUS, 0, 0, 0);
    }

    @Export(name = "get_token")
    public static int getToken(int ret) {
        return run(LEGACY_TOKEN, ret, 0, 0);
    }

    @Export(name = "get_endpoint")
    public static int getEndpoint(int ret) {
        return run(LEGACY_ENDPOINT, ret, 0, 0);
    }

    @Export(name = "logout")
    public static int logout() {
        return run(LEGACY_LOGOUT, 0, 0, 0);
    }

    @Export(name = "init_with_credentials")
    public static int initWithCredentials(int ptr, int len) {
        return run(LEGACY_INIT, ptr, len, 0);
    }

    private static int run(int export, int a, int b, int c) {
        return ExportGuard.run(WasmHost.INSTANCE, EXPORTS, export, a, b, c);
    }

    @Override
    public int dispatch(int export, int a, int b, int c) {
        if (provider == null) {
            provider = new Provider(WasmHost.INSTANCE);
        }
        switch (export) {
            case CREDENTIALS:
                return write(a, provider.credentials());
            case LEGACY_TOKEN:
                return write(a, provider.token());
            case REFRESH:
                return write(a, provider.refresh());
            case STATUS:
                return provider.status();
            case LEGACY_STATUS:
                return provider.legacyStatus();
            case INIT:
            case LEGACY_INIT:
                String json = input(export, a, b);
                return json == null ? AuthFailure.BAD_INPUT : provider.init(json);
            case LOGOUT:
            case LEGACY_LOGOUT:
                return provider.logout();
            case PROCESS_TOKENS:
                String tokens = input(export, a, b);
                return tokens == null ? AuthFailure.BAD_INPUT : write(c, provider.processTokens(tokens));
            case INFO:
                return write(a, Reply.text(Provider.INFO));
            case MODELS:
                return write(a, Reply.text(Provider.MODELS));
            case LEGACY_DISPLAY_NAME:
                return write(a, Reply.text(Provider.DISPLAY_NAME));
            case LEGACY_ENDPOINT:
                return write(a, Reply.text(Provider.ENDPOINT));
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
        byte[] bytes = WasmMemory.read(ptr, len);
        if (bytes == null) {
            provider.failed(new AuthFailure(AuthFailure.BAD_INPUT, NAMES[export] + " was given a buffer outside"
                    + " memory or over " + WasmMemory.MAX_HOST_VALUE + " bytes; this is a host bug."));
            return null;
        }
        return Utf8.decode(bytes);
    }

    /** Writes a reply into the host's buffer, refusing (and logging) one that would not fit. */
    private int write(int ret, Reply reply) {
        if (reply.isFailure()) {
            return reply.code;
        }
        if (!reply.text.equals(lastText)) {
            lastBytes = Utf8.encode(reply.text);
            lastText = reply.text;
        }
        byte[] bytes = lastBytes;
        int written = WasmMemory.write(ret, bytes);
        if (written < 0) {
            return provider.failed(new AuthFailure(AuthFailure.ANSWER_TOO_LARGE, "The answer (" + bytes.length
                    + " bytes) does not fit tark's buffer; the tokens are unusually large. Log in again with"
                    + " `tark auth chatgpt-oauth`; if it persists, report it.")).code;
        }
        return written;
    }
}
