package chatgpt.oauth;

import java.util.ArrayList;
import java.util.List;
import tark.host.Host;
import tark.host.HostValue;
import tark.host.HttpReply;

/**
 * A {@link Host} that notes, for every log line and at the end of the call, whether the rotated
 * refresh token had already reached storage.json, once the token endpoint has been asked: the save
 * must be the first thing done with a refresh's reply.
 */
final class RotationWatchingHost implements Host {
    final FakeHost fake;
    final String root;
    String rotated;
    boolean asked;
    final List<String> before = new ArrayList<>();
    int after;

    RotationWatchingHost(FakeHost fake, String root) {
        this.fake = fake;
        this.root = root;
    }

    void note(String message) {
        if (asked) {
            Credentials stored = Fixtures.opened(fake.disk().get(TokenVault.KEY), root);
            if (stored != null && rotated.equals(stored.refreshToken)) {
                after++;
            } else {
                before.add(message);
            }
        }
    }

    @Override
    public HostValue readFile(String path) {
        return fake.readFile(path);
    }

    @Override
    public HostValue env(String name) {
        return fake.env(name);
    }

    @Override
    public HostValue storageGet(String key) {
        return fake.storageGet(key);
    }

    @Override
    public boolean storageSet(String key, String value) {
        return fake.storageSet(key, value);
    }

    @Override
    public boolean storageDelete(String key) {
        return fake.storageDelete(key);
    }

    @Override
    public HttpReply httpPost(String url, String[] headers, String body) {
        HttpReply reply = fake.httpPost(url, headers, body);
        asked |= url.equals(TokenRefresher.TOKEN_URL);
        return reply;
    }

    @Override
    public HttpReply httpGet(String url, String[] headers) {
        return fake.httpGet(url, headers);
    }

    @Override
    public void logDebug(String message) {
        note(message);
        fake.logDebug(message);
    }

    @Override
    public void logInfo(String message) {
        note(message);
        fake.logInfo(message);
    }

    @Override
    public void logWarn(String message) {
        note(message);
        fake.logWarn(message);
    }

    @Override
    public void logError(String message) {
        note(message);
        fake.logError(message);
    }

    @Override
    public long currentTimeMillis() {
        return fake.currentTimeMillis();
    }
}
