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

    static String line(CredentialSource source, Credentials credentials, boolean fromStorage, boolean expired,
            boolean refreshDue, boolean mayRefresh) {
        JsonOutput json = new JsonOutput()
                .add("source", source.kindName())
                .add("location", source.location)
                .add("tokens", fromStorage ? "storage" : "source");
        json.add("account_id", credentials.accountId().value);
        if (credentials.expiresAtMillis != Expiry.UNKNOWN) {
            json.add("expires_at", Expiry.toSeconds(credentials.expiresAtMillis));
        } else {
            json.add("expires_at", (String) null);
        }
        return PREFIX + json
                .add("expired", expired)
                .add("refresh_due", refreshDue)
                .add("may_refresh", mayRefresh)
                .add("refresh_margin_seconds", Expiry.REFRESH_MARGIN_MILLIS / 1000)
                .toString();
    }
}
