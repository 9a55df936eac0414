package chatgpt.oauth;

import tark.host.ControlChars;
import tark.host.ExportFailure;
import tark.host.Exported;
import tark.host.Host;
import tark.host.JsonOutput;
import tark.host.Utf8;

/**
 * What each export answers, independent of wasm: {@link Exports} declares them on the SDK's
 * {@link tark.host.Exported}, which moves the bytes and logs each {@link AuthFailure} thrown here as
 * the call's one error line (naming the cause and the fix).
 */
final class Provider {
    static final String ENDPOINT = Endpoints.CODEX_RESPONSES;
    static final String DISPLAY_NAME = "ChatGPT (OAuth)";

    static final String INFO = "{\"id\":\"" + Release.ID + "\",\"display_name\":\"" + DISPLAY_NAME + "\","
            + "\"description\":\"Codex models through your ChatGPT Plus/Pro subscription\","
            + "\"requires_auth\":true,\"provider\":\"openai\"}";
    private static final String MODEL_TRAITS = "\"supports_streaming\":true,\"supports_tools\":true}";
    /**
     * The Codex models ChatGPT subscriptions accept at this release, the one list of them (the manifest's
     * description and the README are checked against it). Each one's minimal client version is at or
     * below {@link CodexClient#VERSION}; docs/MODELS.md gives the date, the sources and what was left out.
     * `chatgpt-oauth-check --models` asks ChatGPT for the plan's list today.
     */
    static final String MODELS = "["
            + "{\"id\":\"gpt-6-astra\",\"display_name\":\"GPT-6 Astra\",\"context_window\":272000," + MODEL_TRAITS + ","
            + "{\"id\":\"gpt-6-sol\",\"display_name\":\"GPT-6 Sol\",\"context_window\":272000," + MODEL_TRAITS + ","
            + "{\"id\":\"gpt-6-luna\",\"display_name\":\"GPT-6 Luna\",\"context_window\":272000," + MODEL_TRAITS + ","
            + "{\"id\":\"gpt-5.6-sol\",\"display_name\":\"GPT-5.6 Sol\",\"context_window\":372000," + MODEL_TRAITS + ","
            + "{\"id\":\"gpt-5.6-terra\",\"display_name\":\"GPT-5.6 Terra\",\"context_window\":372000," + MODEL_TRAITS + ","
            + "{\"id\":\"gpt-5.6-luna\",\"display_name\":\"GPT-5.6 Luna\",\"context_window\":372000," + MODEL_TRAITS + "]";

    /** Appended when an answer does not fit tark's buffer: only oversized tokens make one that large. */
    static final String TOO_LARGE_ADVICE = "The tokens are unusually large: log in again with"
            + " `tark auth chatgpt-oauth`; if it persists, report it.";

    final Host host;
    private final CodexClient client;
    private final ChatGptAuth auth;
    /** The last credentials answered and their document: unchanged tokens are not serialised again. */
    private Credentials answered;
    private String answer;

    Provider(Host host) {
        this.host = host;
        this.client = new CodexClient(host);
        this.auth = new ChatGptAuth(host, client);
    }

    /** {@code provider_auth_credentials}: what tark's OpenAI-compatible provider needs. */
    String credentials() throws AuthFailure {
        Credentials credentials = auth.current().tokens;
        if (credentials != answered) {
            answered = credentials;
            answer = credentialsDocument(credentials, client);
        }
        return answer;
    }

    /** {@code provider_auth_refresh}: refresh now, then answer as {@link #credentials()}. */
    String refresh() throws AuthFailure {
        return credentialsDocument(auth.refreshNow().tokens, client);
    }

    /** The longest paragraph {@link #chat} answers, in characters: its JSON fits tark's 64 KiB buffer. */
    static final int MAX_CHAT_TEXT = 10_000;

    /**
     * {@code provider_chat}. tark calls it only when {@code provider_auth_credentials} failed at provider
     * init: it then sends the user's messages to the plugin itself, on a fresh instance. The answer, shown
     * as the assistant's message, says why and what to do in the words of that init's error line (the
     * same failure, worked out again: {@link ChatGptAuth#explain}, and the answer's size as the SDK
     * checks it); the messages are not read, and nothing is sent anywhere.
     */
    String chat() {
        ExportFailure failure = null;
        try {
            byte[] answer = Utf8.encode(credentialsDocument(auth.explain(), client));
            if (answer.length > Exported.TARK_ANSWER_BUFFER) {
                failure = Exported.tooLarge(Exports.CREDENTIALS, answer.length, Exported.TARK_ANSWER_BUFFER,
                        TOO_LARGE_ADVICE);
            }
        } catch (AuthFailure met) {
            failure = met;
        }
        String text = ControlChars.escape(chatParagraph(failure));
        if (text.length() > MAX_CHAT_TEXT) {
            int end = MAX_CHAT_TEXT - 1;
            text = text.substring(0, Utf8.isHighSurrogate(text.charAt(end - 1)) ? end - 1 : end) + "\u2026";
        }
        return new JsonOutput().add("text", text).add("usage", (String) null).add("finish_reason", "stop").toString();
    }

    /**
     * What the chat answers for the failure a provider init met (its error line, whole), or for none:
     * the login works by now, and tark picks it up at the next provider init.
     */
    static String chatParagraph(ExportFailure failure) {
        return failure == null
                ? "chatgpt-oauth: your ChatGPT login works now, but this tark session started before it did,"
                        + " so your message was not sent. Re-select the chatgpt-oauth provider or restart tark"
                        + " to pick the login up."
                : "chatgpt-oauth could not give tark your ChatGPT login when this provider started, so your"
                        + " message was not sent. " + failure.getMessage() + " Then re-select the chatgpt-oauth"
                        + " provider or restart tark.";
    }

    /** {@code provider_info}. */
    String info() {
        return INFO;
    }

    /** {@code provider_models}. */
    String models() {
        return MODELS;
    }

    /** {@code provider_auth_status}. */
    int status() {
        return auth.status();
    }

    /** {@code auth_process_tokens}. */
    String processTokens(String tokenReply) throws AuthFailure {
        return auth.processTokens(tokenReply);
    }

    /** {@code provider_auth_init}: 0 once the host's credentials are adopted. */
    int init(String credentialsJson) throws AuthFailure {
        auth.adopt(credentialsJson);
        return 0;
    }

    /** {@code provider_auth_logout}. */
    int logout() {
        auth.logout();
        host.logInfo("Logged out: dropped the ChatGPT tokens kept by the plugin.");
        return 0;
    }

    /**
     * What tark's OpenAI-compatible provider is built from. tark adds {@code custom_headers} verbatim to
     * every model request and sends no identity of its own: the Codex client's identity goes here.
     */
    static String credentialsDocument(Credentials credentials, CodexClient client) {
        JsonOutput headers = new JsonOutput()
                .add("originator", client.originator())
                .add("version", client.version())
                .add("User-Agent", client.userAgent());
        String accountId = credentials.accountId().value;
        if (accountId != null) {
            headers.add("ChatGPT-Account-Id", accountId);
        }
        String sessionId = client.sessionId();
        if (sessionId != null) {
            headers.add("session-id", sessionId);
        }
        return new JsonOutput()
                .add("access_token", credentials.accessToken)
                .add("api_mode", "openai_compat")
                .add("endpoint", ENDPOINT)
                .raw("custom_headers", headers.toString())
                .toString();
    }
}
