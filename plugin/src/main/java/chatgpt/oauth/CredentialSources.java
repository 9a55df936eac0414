package chatgpt.oauth;

import tark.host.Host;

/** Where the credentials come from: the first of {@link #order} that holds a login. */
final class CredentialSources {
    private final TarkCredentialsFile tarkFile;
    private final HostInitCredentials hostInit = new HostInitCredentials();
    /**
     * The sources in the order asked, as {@code codex-rs/login} lists its storage backends. An
     * {@code Object[]}: TeaVM writes the class name of an array's element type into the module, and
     * the module names none of the plugin's classes (test_module.py).
     */
    private final Object[] order;

    CredentialSources(Host host) {
        tarkFile = new TarkCredentialsFile(host);
        order = new Object[] {
            tarkFile,
            hostInit,
            new CodexCliLogin(host, tarkFile),
        };
    }

    /** The login of the first source that holds one; a failure naming the fix when none does. */
    Login find() throws AuthFailure {
        for (Object source : order) {
            Login login = ((CredentialSource) source).find();
            if (login != null) {
                return login;
            }
        }
        throw new AuthFailure(AuthFailure.NOT_AUTHENTICATED, "No ChatGPT credentials: " + tarkFile.path() + " "
                + TarkCredentialsFile.CANNOT_READ + ". Run `tark auth chatgpt-oauth` to log in with your ChatGPT"
                + " Plus/Pro account (or `codex login` for the Codex CLI); with `tark plugin auth`, choose the Global"
                + " scope (a project-scoped login is not read). If the file is there, make it readable and save it"
                + " as UTF-8 JSON, or delete it and log in again.");
    }

    /** Whether the last {@link #find} saw no tark credentials file: the user is logged out of it. */
    boolean tarkFileAbsent() {
        return tarkFile.isAbsent();
    }

    /** {@code provider_auth_init}: credentials for this instance, used when there is no tark file. */
    void adopt(String json) throws AuthFailure {
        hostInit.adopt(json);
    }

    void forgetAdopted() {
        hostInit.forget();
    }
}
