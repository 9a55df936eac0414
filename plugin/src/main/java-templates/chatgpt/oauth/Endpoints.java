package chatgpt.oauth;

/**
 * ChatGPT's addresses. The build fills in the scheme from the Maven property endpoints.scheme:
 * https for the shipped module; the test module (profile local-endpoints) gets http, so that the
 * opt-in tark suite can see through a local proxy what tark and the plugin send to these hosts.
 */
final class Endpoints {
    private static final String SCHEME = "${endpoints.scheme}";
    /** Codex's Responses API for ChatGPT sign-in; tark's OpenAI-compatible provider posts here. */
    static final String CODEX_RESPONSES = SCHEME + "://chatgpt.com/backend-api/codex/responses";
    static final String TOKEN = SCHEME + "://auth.openai.com/oauth/token";
    static final String REVOKE = SCHEME + "://auth.openai.com/oauth/revoke";

    private Endpoints() {
    }
}
