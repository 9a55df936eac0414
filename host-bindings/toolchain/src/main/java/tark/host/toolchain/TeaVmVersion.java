package tark.host.toolchain;

import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The build's version gate: every transformer and rewrite here was written against TeaVM 0.13.1's
 * internals, and a TeaVM that moved them could turn a fix into a bug without failing. So the build
 * refuses any other TeaVM; {@value #UPGRADING} says what to re-check before changing the version.
 *
 * <p>TeaVM's jars carry no version (an empty manifest, no Maven metadata), so the version is read
 * from the file name of the jar each TeaVM part is actually loaded from, as Maven and Gradle name it.
 */
final class TeaVmVersion {
    static final String EXPECTED = "0.13.1";
    /** Where the workarounds and what they rely on are listed, from the top of the repository. */
    static final String UPGRADING = "host-bindings/toolchain/UPGRADING.md";

    /** One class from each TeaVM jar the build relies on, by artifact. */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("teavm-core", "org/teavm/runtime/GC.class");
        PARTS.put("teavm-classlib", "org/teavm/classlib/java/lang/TThrowable.class");
        PARTS.put("teavm-interop", "org/teavm/interop/Address.class");
        PARTS.put("teavm-tooling", "org/teavm/tooling/TeaVMTool.class");
    }

    private TeaVmVersion() {
    }

    static void require(ClassLoader classLoader) {
        require(classLoader::getResource);
    }

    /** Throws unless each TeaVM part is found in a jar named for version {@value #EXPECTED}. */
    static void require(Function<String, URL> resources) {
        List<String> wrong = new ArrayList<>();
        PARTS.forEach((artifact, someClass) -> {
            URL location = resources.apply(someClass);
            String version = location == null ? null : versionOf(artifact, location);
            if (!EXPECTED.equals(version)) {
                wrong.add(artifact + " " + (version != null ? version
                        : "of unknown version (" + (location == null ? "not on the classpath" : location) + ")"));
            }
        });
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("This build's TeaVM workarounds were written against TeaVM " + EXPECTED
                    + ", but found " + String.join(", ", wrong) + ". Each relies on TeaVM internals: see "
                    + UPGRADING + " before changing teavm.version.");
        }
    }

    /** The version in {@code .../artifact-VERSION.jar!/...}, or null if the class is not in such a jar. */
    static String versionOf(String artifact, URL location) {
        String url = location.toString();
        int inJar = url.indexOf("!/");
        if (!url.startsWith("jar:") || inJar < 0) {
            return null;
        }
        String jar = url.substring(url.lastIndexOf('/', inJar) + 1, inJar);
        String prefix = artifact + "-";
        if (!jar.startsWith(prefix) || !jar.endsWith(".jar")) {
            return null;
        }
        return jar.substring(prefix.length(), jar.length() - ".jar".length());
    }
}
