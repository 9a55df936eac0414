package chatgpt.oauth;

import tark.host.JsonOutput;


/**
 * The plugin's own account of what it uses and decides, as one debug line the check command reads:
 * {@code diagnostics {...}}. It names no token.
 */
final class Diagnostics {
    static final String PREFIX = "diagnostics ";

    private Diagnostics() {
    }

    static String line(Login login, Credentials credentials, boolean fromStorage, boolean expired,
            boolean refreshDue, boolean mayRefresh) {
        JsonOutput json = new JsonOutput()
                .add("source", login.source.name())
                .add("location", login.location)
                .add("tokens", fromStorage ? "storage" : "source");
        json.add("account_id", credentials.accountId().value);
        long expiresAt = credentials.expiresAtMillis;
        long lifetime = credentials.lifetimeMillis();
        long margin = Expiry.refreshMargin(lifetime);
        seconds(json, "expires_at", expiresAt);
        seconds(json, "lifetime_seconds", lifetime);
        seconds(json, "refresh_at", expiresAt == Expiry.UNKNOWN ? Expiry.UNKNOWN : expiresAt - margin);
        return PREFIX + json
                .add("expired", expired)
                .add("refresh_due", refreshDue)
                .add("may_refresh", mayRefresh)
                .add("refresh_margin_seconds", margin / 1000)
                .add("refresh_margin_reason", Expiry.marginReason(lifetime))
                .toString();
    }

    /** A time or duration in whole seconds; JSON null when unknown. */
    private static void seconds(JsonOutput json, String name, long millis) {
        if (millis == Expiry.UNKNOWN) {
            json.add(name, (String) null);
        } else {
            json.add(name, Expiry.toSeconds(millis));
        }
    }
}
