package chatgpt.oauth;

/**
 * The ChatGPT account id for the {@code ChatGPT-Account-Id} header (needed for team workspaces): the
 * first one found in the id token, the access token, then the file's {@code account_id} field. A
 * candidate that is not a plain id is passed over with a warning rather than sent as a header.
 */
final class AccountId {
    /** Null when no usable id was found: the header is then left out. */
    final String value;
    /** Why a candidate was passed over, for the log; null if none was. */
    final String warning;

    private AccountId(String value, String warning) {
        this.value = value;
        this.warning = warning;
    }

    static AccountId of(TokenClaims idToken, TokenClaims accessToken, String fileField) {
        String[] candidates = {idToken.accountId, accessToken.accountId, fileField};
        String[] origins = {"the id_token's account claim", "the access_token's account claim", "the account_id field"};
        String usable = null;
        String ignored = null;
        for (int i = 0; i < candidates.length && usable == null; i++) {
            if (candidates[i] == null) {
                continue;
            }
            if (HeaderValues.isAccountId(candidates[i])) {
                usable = candidates[i];
            } else if (ignored == null) {
                ignored = origins[i];
            }
        }
        // Both warnings are joined in one concatenation (each costs the module code).
        String warning = ignored == null ? null : "Ignored " + ignored + ": it holds a control character (or is"
                + " blank or over 256 characters), so it cannot be sent as the ChatGPT-Account-Id header."
                + (usable != null ? "" : " No usable account id is left, so the header is left out; a team"
                        + " workspace then refuses requests: run `tark auth chatgpt-oauth` to log in again.");
        return new AccountId(usable, warning);
    }
}
