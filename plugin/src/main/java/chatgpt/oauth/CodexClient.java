package chatgpt.oauth;

import tark.host.Host;
import tark.host.HostValue;

/**
 * Who the plugin says it is to ChatGPT: a Codex client, the way {@code codex-rs} identifies itself
 * ({@code default_client.rs}: an {@code originator} and a {@code version} header, and a User-Agent
 * {@code {originator}/{version} ({os}; {arch}) {terminal}}). ChatGPT's Codex backend serves some
 * models only to Codex originators, hides models newer than the client's {@code version}, and its
 * CDN refuses requests without a User-Agent. The login is Codex's public OAuth client's, so this is
 * the identity the token was issued to. The parts a wasm module cannot know (the OS, the terminal)
 * name tark and this plugin instead, so that a server log can still tell who sent the request.
 */
final class CodexClient {
    static final String ORIGINATOR = "codex_cli_rs";
    /**
     * The Codex CLI version sent: at least every listed model's minimal client version (see
     * docs/MODELS.md), and no older than the newest Codex release seen when this plugin was released.
     */
    static final String VERSION = "0.162.1";
    static final String VERSION_VARIABLE = "CHATGPT_OAUTH_CODEX_VERSION";
    static final String ORIGINATOR_VARIABLE = "CHATGPT_OAUTH_ORIGINATOR";
    /** Longer overrides are not plausible versions or originators. */
    private static final int MAX_OVERRIDE = 64;

    private final Host host;
    private String originator;
    private String version;
    private String sessionId;

    CodexClient(Host host) {
        this.host = host;
    }

    /** The {@code originator} header: Codex's, or the user's override. */
    String originator() {
        resolve();
        return originator;
    }

    /** The {@code version} header: {@link #VERSION}, or the user's override. */
    String version() {
        resolve();
        return version;
    }

    /** The User-Agent, shaped as {@code codex-rs} builds it, with tark and this plugin where it names the terminal. */
    String userAgent() {
        resolve();
        return originator + "/" + version + (" (tark; wasm32) " + Release.ID + "/" + Release.VERSION);
    }

    /**
     * A random id for this instance, which tark builds afresh at every provider init (one tark session):
     * the {@code session-id} header, with which codex-rs lets ChatGPT keep a conversation's turns on its
     * prompt cache (codex-api's {@code build_session_headers}). A UUID, as codex-rs's thread ids are;
     * null when the host has no random source (the header is then left out).
     */
    String sessionId() {
        if (sessionId == null) {
            byte[] random = host.randomBytes(16);
            if (random == null) {
                return null;
            }
            random[6] = (byte) (random[6] & 0x0F | 0x40); // version 4
            random[8] = (byte) (random[8] & 0x3F | 0x80); // the RFC 4122 variant
            StringBuilder uuid = new StringBuilder(36);
            String digits = "0123456789abcdef";
            for (int i = 0; i < 16; i++) {
                if (i >= 4 && i <= 10 && (i & 1) == 0) { // 8-4-4-4-12 digits
                    uuid.append('-');
                }
                uuid.append(digits.charAt(random[i] >> 4 & 0xF)).append(digits.charAt(random[i] & 0xF));
            }
            sessionId = uuid.toString();
        }
        return sessionId;
    }

    /**
     * Read once, on first use: the environment is fixed for an instance's life, and an export that
     * never talks to ChatGPT (provider_info) reads nor warns about nothing.
     */
    private void resolve() {
        if (version == null) {
            // Each warning is one constant string (javac joins the constants): no text is built here.
            version = override(host, VERSION_VARIABLE, true, VERSION, "Ignored " + VERSION_VARIABLE
                    + ": it is not a plain version (digits and dots), so " + VERSION + " is sent.");
            originator = override(host, ORIGINATOR_VARIABLE, false, ORIGINATOR, "Ignored " + ORIGINATOR_VARIABLE
                    + ": it is not a plain name (letters, digits, '_', '-', '.'), so " + ORIGINATOR + " is sent.");
        }
    }

    /** The variable's value when it is plain, else {@code standard} (with the warning when it was set). */
    private static String override(Host host, String variable, boolean isVersion, String standard, String warning) {
        HostValue value = host.env(variable);
        if (!value.isPresent()) {
            return standard;
        }
        if (isPlain(value.value(), isVersion)) {
            return value.value();
        }
        host.logWarn(warning);
        return standard;
    }

    /**
     * A plain version ({@code 0.162.1}: digits, single dots inside) or a plain name ({@code codex_cli_rs}:
     * letters, digits, {@code _ - .}), at most {@link #MAX_OVERRIDE} characters.
     */
    static boolean isPlain(String text, boolean isVersion) {
        int length = text.length();
        if (length == 0 || length > MAX_OVERRIDE) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean plain = c >= '0' && c <= '9'
                    || (isVersion ? c == '.' && i > 0 && i < length - 1 && text.charAt(i - 1) != '.'
                            : c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-' || c == '.');
            if (!plain) {
                return false;
            }
        }
        return true;
    }
}
