package chatgpt.oauth;

/** This build's own version, filled in from the top pom's revision, so a server log can tell who sent. */
final class Release {
    static final String VERSION = "${project.version}";

    private Release() {
    }
}
