package chatgpt.oauth;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.HttpReply;

/**
 * An in-memory tark host for unit tests: files, environment, storage, HTTP, logs and a clock, each
 * behaving as tark's host functions do (see tark-host-abi.md), with everything the plugin does recorded.
 *
 * <p>It also collects every token that passes through it (any JSON string member whose name ends in
 * {@code token}, from files, storage, HTTP bodies and documents handed to {@link #rememberSecretsIn}),
 * so that {@link #assertNoSecretInLogs()} can check that no log line carries one.
 */
final class FakeHost implements Host {
    /** One recorded {@code tark:http} call. */
    static final class Request {
        final String method;
        final String url;
        /** Header name → value, in the order sent. */
        final Map<String, String> headers;
        /** The flattened name/value array exactly as the plugin passed it. */
        final List<String> rawHeaders;
        /** Null for GET. */
        final String body;

        Request(String method, String url, String[] headers, String body) {
            this.method = method;
            this.url = url;
            this.rawHeaders = List.of(headers.clone());
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i + 1 < headers.length; i += 2) {
                map.put(headers[i], headers[i + 1]);
            }
            this.headers = Collections.unmodifiableMap(map);
            this.body = body;
        }

        JsonObject jsonBody() {
            return Json.parse(body).asObject();
        }
    }

    /** One recorded {@code tark:log} line. */
    static final class Log {
        final String level;
        final String message;

        Log(String level, String message) {
            this.level = level;
            this.message = message;
        }

        @Override
        public String toString() {
            return level + ": " + message;
        }
    }

    /** Files by path, as {@code tark:fs.read} would find them. */
    final Map<String, String> files = new HashMap<>();
    /** Paths {@code tark:fs.read} refuses (-2, not in the manifest's fs_read). */
    final Set<String> deniedPaths = new HashSet<>();
    /** Paths whose read fails another way (e.g. too large, or a host error code). */
    final Map<String, HostValue> fileFailures = new HashMap<>();
    /** Environment variables; an empty value reads as unset, as in tark. */
    final Map<String, String> env = new HashMap<>();
    /** Variable names {@code tark:env.get} refuses (-2, not in the manifest's env). */
    final Set<String> deniedEnv = new HashSet<>();
    /** The plugin's storage.json. */
    final Map<String, String> storage = new LinkedHashMap<>();
    /** When true, {@code tark:storage.set} fails (-1) and stores nothing. */
    boolean failStorageSet;
    /** When set, handles every HTTP request (after {@link #replies} is empty). */
    Function<Request, HttpReply> httpHandler;
    /** Replies handed out in order, one per HTTP request. */
    final Deque<HttpReply> replies = new ArrayDeque<>();

    private final List<Request> requests = new ArrayList<>();
    private final List<Log> logs = new ArrayList<>();
    /** Every host call in order: "fs.read PATH", "storage.set KEY", "http.post URL", ... */
    private final List<String> events = new ArrayList<>();
    private final Set<String> secrets = new LinkedHashSet<>();
    private long now;

    FakeHost() {
        this(Jwt.NOW_MILLIS);
    }

    FakeHost(long nowMillis) {
        this.now = nowMillis;
    }

    // ---- setup helpers ----

    FakeHost file(String path, String content) {
        files.put(path, content);
        rememberSecretsIn(content);
        return this;
    }

    FakeHost env(String name, String value) {
        env.put(name, value);
        return this;
    }

    FakeHost reply(HttpReply reply) {
        replies.add(reply);
        if (!reply.isTransportError()) {
            rememberSecretsIn(reply.body());
        }
        return this;
    }

    FakeHost reply(int status, String body) {
        return reply(HttpReply.response(status, body));
    }

    void setNow(long millis) {
        now = millis;
    }

    void advance(long millis) {
        now += millis;
    }

    /** Registers a token that must never show up in a log line. */
    void secret(String token) {
        if (token != null && !token.isEmpty()) {
            secrets.add(token);
        }
    }

    /** Registers every token found in a JSON document (members named {@code *token}, at any depth). */
    void rememberSecretsIn(String json) {
        if (json == null) {
            return;
        }
        try {
            collectSecrets(Json.parse(json));
        } catch (RuntimeException notJson) {
            // Not JSON: nothing to collect.
        }
    }

    private void collectSecrets(JsonValue value) {
        if (value.isObject()) {
            for (JsonObject.Member member : value.asObject()) {
                if (member.getName().endsWith("token") && member.getValue().isString()) {
                    secret(member.getValue().asString());
                } else {
                    collectSecrets(member.getValue());
                }
            }
        } else if (value.isArray()) {
            for (JsonValue item : value.asArray()) {
                collectSecrets(item);
            }
        }
    }

    // ---- what happened ----

    List<Request> requests() {
        return Collections.unmodifiableList(requests);
    }

    List<Log> logs() {
        return Collections.unmodifiableList(logs);
    }

    List<Log> logs(String level) {
        List<Log> matching = new ArrayList<>();
        for (Log log : logs) {
            if (log.level.equals(level)) {
                matching.add(log);
            }
        }
        return matching;
    }

    List<String> errors() {
        List<String> messages = new ArrayList<>();
        for (Log log : logs("error")) {
            messages.add(log.message);
        }
        return messages;
    }

    List<String> events() {
        return Collections.unmodifiableList(events);
    }

    Set<String> secrets() {
        return Collections.unmodifiableSet(secrets);
    }

    /**
     * Fails if a log line holds a token seen in this test, or any 12-character piece of one (a short
     * prefix of a token is tolerated, nothing longer).
     */
    void assertNoSecretInLogs() {
        for (String secret : secrets) {
            for (Log log : logs) {
                String leak = leakedPiece(secret, log.message);
                if (leak != null) {
                    throw new AssertionError("a log line contains a token piece \"" + leak + "\": " + log);
                }
            }
        }
    }

    static String leakedPiece(String secret, String message) {
        int piece = 12;
        if (secret.length() <= piece) {
            return message.contains(secret) ? secret : null;
        }
        for (int i = 0; i + piece <= secret.length(); i++) {
            String part = secret.substring(i, i + piece);
            if (message.contains(part)) {
                return part;
            }
        }
        return null;
    }

    // ---- Host ----

    @Override
    public HostValue readFile(String path) {
        events.add("fs.read " + path);
        if (deniedPaths.contains(path)) {
            return HostValue.failure(HostValue.DENIED, -2);
        }
        HostValue failure = fileFailures.get(path);
        if (failure != null) {
            return failure;
        }
        String content = files.get(path);
        if (content == null) {
            return HostValue.absent();
        }
        rememberSecretsIn(content);
        return HostValue.of(content);
    }

    @Override
    public HostValue env(String name) {
        events.add("env.get " + name);
        if (deniedEnv.contains(name)) {
            return HostValue.failure(HostValue.DENIED, -2);
        }
        String value = env.get(name);
        return value == null || value.isEmpty() ? HostValue.absent() : HostValue.of(value);
    }

    @Override
    public HostValue storageGet(String key) {
        events.add("storage.get " + key);
        String value = storage.get(key);
        if (value == null || value.isEmpty()) {
            return HostValue.absent();
        }
        rememberSecretsIn(value);
        return HostValue.of(value);
    }

    @Override
    public boolean storageSet(String key, String value) {
        events.add("storage.set " + key);
        rememberSecretsIn(value);
        if (failStorageSet) {
            return false;
        }
        storage.put(key, value);
        return true;
    }

    @Override
    public boolean storageDelete(String key) {
        events.add("storage.delete " + key);
        storage.remove(key);
        return true;
    }

    @Override
    public HttpReply httpPost(String url, String[] headers, String body) {
        return http(new Request("POST", url, headers, body));
    }

    @Override
    public HttpReply httpGet(String url, String[] headers) {
        return http(new Request("GET", url, headers, null));
    }

    private HttpReply http(Request request) {
        events.add("http." + request.method.toLowerCase() + " " + request.url);
        requests.add(request);
        rememberSecretsIn(request.body);
        HttpReply reply = replies.poll();
        if (reply == null && httpHandler != null) {
            reply = httpHandler.apply(request);
            if (reply != null && !reply.isTransportError()) {
                rememberSecretsIn(reply.body());
            }
        }
        if (reply == null) {
            throw new AssertionError("unexpected HTTP request: " + request.method + " " + request.url);
        }
        return reply;
    }

    @Override
    public void logDebug(String message) {
        logs.add(new Log("debug", message));
    }

    @Override
    public void logInfo(String message) {
        logs.add(new Log("info", message));
    }

    @Override
    public void logWarn(String message) {
        logs.add(new Log("warn", message));
    }

    @Override
    public void logError(String message) {
        logs.add(new Log("error", message));
    }

    @Override
    public long currentTimeMillis() {
        return now;
    }
}
