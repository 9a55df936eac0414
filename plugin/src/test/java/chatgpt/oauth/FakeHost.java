package chatgpt.oauth;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.WriterConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
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
 * An in-memory tark host for unit tests: one tark instance (one terminal's session) on a {@link Machine}
 * that several instances can share, each behaving as tark's host functions do (tark's src/plugins/host/mod.rs),
 * with everything the plugin does recorded.
 *
 * <p>Plugin storage follows tark's {@code PluginState} exactly: each instance loads {@code storage.json}
 * once, when it is created ({@link #storage} is that snapshot); {@code get} answers from the snapshot;
 * every {@code set} and {@code delete} rewrites the whole shared file from this instance's snapshot
 * (last writer wins). The file is also readable through {@code fs.read} at the data-dir path tark uses.
 *
 * <p>It also collects every token that passes through it (any JSON string member whose name ends in
 * {@code token}, from files, storage, HTTP bodies and documents handed to {@link #rememberSecretsIn}),
 * so that {@link #assertNoSecretInLogs()} can check that no log line carries one.
 */
final class FakeHost implements Host {
    /** Below tark's data directory: {@code <data dir>/tark/plugins/<name>/data/storage.json}. */
    static final String STORAGE_BELOW_DATA_DIR = "/tark/plugins/chatgpt-oauth/data/storage.json";

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

        /** The refresh token a refresh (or revocation) request presented. */
        String presentedRefreshToken() {
            JsonObject json = jsonBody();
            return json.getString("refresh_token", json.getString("token", null));
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

    /**
     * The plugin's {@code storage.json} on disk, shared by every tark instance of the machine, written as
     * tark's {@code save_storage} does: the whole map as pretty JSON, by {@code std::fs::write} (no lock,
     * not atomic; a new file gets mode {@code 0666 & ~umask}).
     */
    static final class StorageDisk {
        /** The usual umask: files are created 0644, readable by every local user. */
        int umask = 0022;
        /** The file's text; null when there is no file. */
        private String text;
        private int mode = -1;
        private int writes;

        /** What an instance loads at start: a JSON object of strings, else an empty map (as tark). */
        Map<String, String> load() {
            Map<String, String> map = new LinkedHashMap<>();
            if (text == null) {
                return map;
            }
            try {
                JsonValue json = Json.parse(text);
                if (!json.isObject()) {
                    return new LinkedHashMap<>();
                }
                for (JsonObject.Member member : json.asObject()) {
                    if (!member.getValue().isString()) {
                        return new LinkedHashMap<>();
                    }
                    map.put(member.getName(), member.getValue().asString());
                }
            } catch (RuntimeException notJson) {
                return new LinkedHashMap<>();
            }
            return map;
        }

        /** tark's save: the whole map, replacing whatever the file held. */
        void save(Map<String, String> map) {
            JsonObject json = new JsonObject();
            map.forEach(json::add);
            if (text == null) {
                mode = 0666 & ~umask;
            }
            text = json.toString(WriterConfig.PRETTY_PRINT);
            writes++;
        }

        /** Another program (or a hand edit) writes the file. */
        void replaceText(String newText) {
            if (text == null) {
                mode = 0666 & ~umask;
            }
            text = newText;
        }

        /** Writes one entry as another tark instance would: load, set, save. */
        void put(String key, String value) {
            Map<String, String> map = load();
            map.put(key, value);
            save(map);
        }

        String get(String key) {
            return load().get(key);
        }

        boolean containsKey(String key) {
            return load().containsKey(key);
        }

        /** The file's text; null when there is none. */
        String text() {
            return text;
        }

        /** The file's permission bits; -1 when there is no file. */
        int mode() {
            return mode;
        }

        /** How many times a tark instance rewrote the file. */
        int writes() {
            return writes;
        }
    }

    /** What the tark instances on one machine share: files, environment, storage.json, network, logs, clock. */
    static final class Machine {
        final Map<String, String> files = new HashMap<>();
        final Set<String> deniedPaths = new HashSet<>();
        final Map<String, HostValue> fileFailures = new HashMap<>();
        final Map<String, String> env = new HashMap<>();
        final Set<String> deniedEnv = new HashSet<>();
        final StorageDisk storageDisk = new StorageDisk();
        /** tark's data directory when not derived from the environment (e.g. macOS's). */
        String dataDir;
        final Deque<HttpReply> replies = new ArrayDeque<>();
        Function<Request, HttpReply> httpHandler;
        final List<Request> requests = new ArrayList<>();
        final List<Log> logs = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final Set<String> secrets = new LinkedHashSet<>();
        long now;
    }

    final Machine machine;
    /** Files by path, as {@code tark:fs.read} would find them (shared by the machine's instances). */
    final Map<String, String> files;
    /** Paths {@code tark:fs.read} refuses (-2, not in the manifest's fs_read). */
    final Set<String> deniedPaths;
    /** Paths whose read fails another way (e.g. too large, or a host error code). */
    final Map<String, HostValue> fileFailures;
    /** Environment variables; an empty value reads as unset, as in tark. */
    final Map<String, String> env;
    /** Variable names {@code tark:env.get} refuses (-2, not in the manifest's env). */
    final Set<String> deniedEnv;
    /** This instance's storage: what it loaded from storage.json when created, then its own writes. */
    final Map<String, String> storage;
    /** When true, {@code tark:storage.set} fails (-1) and stores nothing. */
    boolean failStorageSet;
    /** Replies handed out in order, one per HTTP request. */
    final Deque<HttpReply> replies;

    FakeHost() {
        this(Jwt.NOW_MILLIS);
    }

    FakeHost(long nowMillis) {
        this(new Machine());
        machine.now = nowMillis;
    }

    private FakeHost(Machine machine) {
        this.machine = machine;
        this.files = machine.files;
        this.deniedPaths = machine.deniedPaths;
        this.fileFailures = machine.fileFailures;
        this.env = machine.env;
        this.deniedEnv = machine.deniedEnv;
        this.replies = machine.replies;
        this.storage = machine.storageDisk.load();
    }

    /** Another tark instance on this machine, started now: it loads storage.json as it is on disk now. */
    FakeHost session() {
        return new FakeHost(machine);
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

    /** Handles every HTTP request once {@link #replies} is empty. */
    void handleHttp(Function<Request, HttpReply> handler) {
        machine.httpHandler = handler;
    }

    void setNow(long millis) {
        machine.now = millis;
    }

    void advance(long millis) {
        machine.now += millis;
    }

    StorageDisk disk() {
        return machine.storageDisk;
    }

    /** Where tark keeps this plugin's storage.json: {@code $XDG_DATA_HOME} if absolute, else {@code $HOME/.local/share}. */
    String storagePath() {
        String dataDir = machine.dataDir;
        if (dataDir == null) {
            String xdg = env.get("XDG_DATA_HOME");
            // As the dirs crate: a relative XDG_DATA_HOME is ignored.
            dataDir = xdg != null && xdg.startsWith("/") ? xdg : env.get("HOME") + "/.local/share";
        }
        return dataDir + STORAGE_BELOW_DATA_DIR;
    }

    /** Registers a token that must never show up in a log line. */
    void secret(String token) {
        if (token != null && !token.isEmpty()) {
            machine.secrets.add(token);
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
        return Collections.unmodifiableList(machine.requests);
    }

    List<Log> logs() {
        return Collections.unmodifiableList(machine.logs);
    }

    List<Log> logs(String level) {
        List<Log> matching = new ArrayList<>();
        for (Log log : machine.logs) {
            if (log.level.equals(level)) {
                matching.add(log);
            }
        }
        return matching;
    }

    List<String> messages(String level) {
        List<String> messages = new ArrayList<>();
        for (Log log : logs(level)) {
            messages.add(log.message);
        }
        return messages;
    }

    List<String> errors() {
        return messages("error");
    }

    List<String> events() {
        return Collections.unmodifiableList(machine.events);
    }

    Set<String> secrets() {
        return Collections.unmodifiableSet(machine.secrets);
    }

    /**
     * Fails if a log line holds a token seen in this test, or any 12-character piece of one (a short
     * prefix of a token is tolerated, nothing longer).
     */
    void assertNoSecretInLogs() {
        for (String secret : machine.secrets) {
            for (Log log : machine.logs) {
                String leak = leakedPiece(secret, log.message);
                if (leak != null) {
                    throw new AssertionError("a log line contains a token piece \"" + leak + "\": " + log);
                }
            }
        }
    }

    /**
     * Fails if {@code text} holds a 12-byte piece of a token seen in this test: in clear, in base64
     * (either alphabet, any alignment) or in hex of its UTF-8.
     */
    void assertNoSecretIn(String text, String where) {
        for (String secret : machine.secrets) {
            for (String encoded : encodings(secret)) {
                if (encoded.length() < 12) {
                    continue; // too short to tell apart from chance
                }
                String leak = leakedPiece(encoded, text, encoded.length() == secret.length() ? 12 : 16);
                if (leak != null) {
                    throw new AssertionError(where + " contains a piece of a token (\"" + leak + "\")");
                }
            }
        }
    }

    /** A token as it may be written: plain, hex of UTF-8, and base64 at each of the three byte alignments. */
    static List<String> encodings(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        out.add(secret);
        out.add(HexFormat.of().formatHex(bytes));
        out.add(HexFormat.of().withUpperCase().formatHex(bytes));
        for (int offset = 0; offset < 3 && offset < bytes.length; offset++) {
            byte[] tail = java.util.Arrays.copyOfRange(bytes, offset, bytes.length);
            String url = Base64.getUrlEncoder().withoutPadding().encodeToString(tail);
            // The last characters also depend on what follows the token: leave them out.
            String fixed = url.substring(0, Math.max(0, url.length() - 4));
            out.add(fixed);
            out.add(fixed.replace('-', '+').replace('_', '/'));
        }
        return out;
    }

    static String leakedPiece(String secret, String message) {
        return leakedPiece(secret, message, 12);
    }

    private static String leakedPiece(String secret, String message, int piece) {
        if (secret.length() <= piece) {
            return !secret.isEmpty() && message.contains(secret) ? secret : null;
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
        machine.events.add("fs.read " + path);
        if (deniedPaths.contains(path)) {
            return HostValue.failure(HostValue.DENIED, -2);
        }
        HostValue failure = fileFailures.get(path);
        if (failure != null) {
            return failure;
        }
        String content = path.equals(storagePath()) ? disk().text() : files.get(path);
        if (content == null) {
            return HostValue.absent();
        }
        rememberSecretsIn(content);
        return HostValue.of(content);
    }

    @Override
    public HostValue env(String name) {
        machine.events.add("env.get " + name);
        if (deniedEnv.contains(name)) {
            return HostValue.failure(HostValue.DENIED, -2);
        }
        String value = env.get(name);
        return value == null || value.isEmpty() ? HostValue.absent() : HostValue.of(value);
    }

    @Override
    public HostValue storageGet(String key) {
        machine.events.add("storage.get " + key);
        String value = storage.get(key);
        if (value == null || value.isEmpty()) {
            return HostValue.absent();
        }
        rememberSecretsIn(value);
        return HostValue.of(value);
    }

    @Override
    public boolean storageSet(String key, String value) {
        machine.events.add("storage.set " + key);
        rememberSecretsIn(value);
        if (failStorageSet) {
            return false;
        }
        storage.put(key, value);
        disk().save(storage);
        return true;
    }

    @Override
    public boolean storageDelete(String key) {
        machine.events.add("storage.delete " + key);
        storage.remove(key);
        disk().save(storage);
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
        machine.events.add("http." + request.method.toLowerCase() + " " + request.url);
        machine.requests.add(request);
        rememberSecretsIn(request.body);
        HttpReply reply = replies.poll();
        if (reply == null && machine.httpHandler != null) {
            reply = machine.httpHandler.apply(request);
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
        machine.logs.add(new Log("debug", message));
    }

    @Override
    public void logInfo(String message) {
        machine.logs.add(new Log("info", message));
    }

    @Override
    public void logWarn(String message) {
        machine.logs.add(new Log("warn", message));
    }

    @Override
    public void logError(String message) {
        machine.logs.add(new Log("error", message));
    }

    @Override
    public long currentTimeMillis() {
        return machine.now;
    }

    /** A secure random source, as WASI's: every instance's ids differ. */
    @Override
    public byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
