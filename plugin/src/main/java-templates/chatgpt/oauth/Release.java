package chatgpt.oauth;

/** What this build is: the plugin's name in tark, and its version (filled in from the top pom's revision). */
final class Release {
    /** The plugin's name in tark: its plugins directory, its storage, {@code provider_info}'s id. */
    static final String ID = "chatgpt-oauth";
    /** So a server log can tell who sent. */
    static final String VERSION = "${project.version}";

    private Release() {
    }
}
