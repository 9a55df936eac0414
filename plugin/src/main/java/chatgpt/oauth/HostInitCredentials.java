package chatgpt.oauth;

/** Credentials the host handed this instance with {@code provider_auth_init}, in tark's file format. */
final class HostInitCredentials implements CredentialSource {
    private Login adopted;

    @Override
    public String name() {
        return "host_init";
    }

    @Override
    public boolean refreshable() {
        return true;
    }

    @Override
    public Login find() {
        return adopted;
    }

    void adopt(String json) throws AuthFailure {
        String location = "the credentials given to provider_auth_init";
        adopted = new Login(this, location, CredentialsFile.tarkFormat(location, json), json);
    }

    void forget() {
        adopted = null;
    }
}
