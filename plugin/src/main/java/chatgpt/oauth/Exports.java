package chatgpt.oauth;

import org.teavm.interop.Export;
import tark.host.ExportGuard;
import tark.host.Utf8;
import tark.host.WasmHost;
import tark.host.WasmMemory;

/**
 * The functions tark calls. Each one moves bytes between the host's buffers and {@link Provider},
 * inside {@link ExportGuard} so that no exception becomes a trap.
 */
public final class Exports {
    private static Provider provider;

    private Exports() {
    }

    /** TeaVM's entry point. tark never runs it: every export works on a just-instantiated module. */
    public static void main(String[] args) {
    }

    private static Provider provider() {
        if (provider == null) {
            provider = new Provider(WasmHost.INSTANCE);
        }
        return provider;
    }

    @Export(name = "provider_auth_credentials")
    public static int providerAuthCredentials(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_auth_credentials", () -> write(ret, provider().credentials()));
    }

    @Export(name = "provider_auth_refresh")
    public static int providerAuthRefresh(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_auth_refresh", () -> write(ret, provider().refresh()));
    }

    @Export(name = "provider_auth_status")
    public static int providerAuthStatus() {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_auth_status", () -> provider().status());
    }

    @Export(name = "provider_auth_init")
    public static int providerAuthInit(int ptr, int len) {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_auth_init", () -> init(ptr, len));
    }

    @Export(name = "provider_auth_logout")
    public static int providerAuthLogout() {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_auth_logout", () -> provider().logout());
    }

    @Export(name = "auth_process_tokens")
    public static int authProcessTokens(int tokensPtr, int tokensLen, int out) {
        return ExportGuard.run(WasmHost.INSTANCE, "auth_process_tokens", () -> {
            String tokens = input(tokensPtr, tokensLen);
            return tokens == null ? badInput("auth_process_tokens") : write(out, provider().processTokens(tokens));
        });
    }

    @Export(name = "provider_info")
    public static int providerInfo(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_info", () -> write(ret, Reply.text(Provider.INFO)));
    }

    @Export(name = "provider_models")
    public static int providerModels(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "provider_models", () -> write(ret, Reply.text(Provider.MODELS)));
    }

    // The auth-plugin interface of older tark hosts.

    @Export(name = "display_name")
    public static int displayName(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "display_name", () -> write(ret, Reply.text(Provider.DISPLAY_NAME)));
    }

    @Export(name = "status")
    public static int status() {
        return ExportGuard.run(WasmHost.INSTANCE, "status", () -> provider().legacyStatus());
    }

    @Export(name = "get_token")
    public static int getToken(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "get_token", () -> write(ret, provider().token()));
    }

    @Export(name = "get_endpoint")
    public static int getEndpoint(int ret) {
        return ExportGuard.run(WasmHost.INSTANCE, "get_endpoint", () -> write(ret, Reply.text(Provider.ENDPOINT)));
    }

    @Export(name = "logout")
    public static int logout() {
        return ExportGuard.run(WasmHost.INSTANCE, "logout", () -> provider().logout());
    }

    @Export(name = "init_with_credentials")
    public static int initWithCredentials(int ptr, int len) {
        return ExportGuard.run(WasmHost.INSTANCE, "init_with_credentials", () -> init(ptr, len));
    }

    private static int init(int ptr, int len) {
        String credentials = input(ptr, len);
        return credentials == null ? badInput("provider_auth_init") : provider().init(credentials);
    }

    private static String input(int ptr, int len) {
        byte[] bytes = WasmMemory.read(ptr, len);
        return bytes == null ? null : Utf8.decode(bytes);
    }

    private static int badInput(String export) {
        return provider().failed(new AuthFailure(AuthFailure.BAD_INPUT, export + " was given a buffer outside"
                + " memory or over " + WasmMemory.MAX_HOST_VALUE + " bytes; this is a host bug.")).code;
    }

    /** Writes a reply into the host's buffer, refusing (and logging) one that would not fit. */
    private static int write(int ret, Reply reply) {
        if (reply.isFailure()) {
            return reply.code;
        }
        byte[] bytes = Utf8.encode(reply.text);
        int written = WasmMemory.write(ret, bytes);
        if (written < 0) {
            return provider().failed(new AuthFailure(AuthFailure.ANSWER_TOO_LARGE, "The answer (" + bytes.length
                    + " bytes) does not fit tark's buffer; the tokens are unusually large. Log in again with"
                    + " `tark auth chatgpt-oauth`; if it persists, report it.")).code;
        }
        return written;
    }
}
