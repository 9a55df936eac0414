package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TeaVmVersionTest {
    private static URL url(String text) {
        try {
            return new URL(text);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Every TeaVM class found in a Maven-style jar of {@code version}, except teavm-core's at {@code coreVersion}. */
    private static Function<String, URL> classpath(String version, String coreVersion) {
        return resource -> {
            String artifact = resource.startsWith("org/teavm/runtime/") ? "teavm-core"
                    : resource.startsWith("org/teavm/classlib/") ? "teavm-classlib"
                    : resource.startsWith("org/teavm/interop/") ? "teavm-interop" : "teavm-tooling";
            String v = artifact.equals("teavm-core") ? coreVersion : version;
            return url("jar:file:/home/me/.m2/repository/org/teavm/" + artifact + "/" + v + "/" + artifact + "-" + v
                    + ".jar!/" + resource);
        };
    }

    @Test
    void theVersionIsReadFromTheJarTheClassIsLoadedFrom() {
        assertEquals("0.13.1", TeaVmVersion.versionOf("teavm-core", url(
                "jar:file:/r/org/teavm/teavm-core/0.13.1/teavm-core-0.13.1.jar!/org/teavm/runtime/GC.class")));
        assertEquals("0.14.0-dev-3", TeaVmVersion.versionOf("teavm-core", url(
                "jar:file:/cache/teavm-core-0.14.0-dev-3.jar!/org/teavm/runtime/GC.class")));
        assertNull(TeaVmVersion.versionOf("teavm-core", url("file:/work/teavm/core/target/classes/org/teavm/runtime/GC.class")));
        assertNull(TeaVmVersion.versionOf("teavm-core", url("jar:file:/r/everything.jar!/org/teavm/runtime/GC.class")));
    }

    @Test
    void theTeaVmOnThisClasspathIsTheOneTheWorkaroundsWereWrittenFor() {
        TeaVmVersion.require(TeaVmVersionTest.class.getClassLoader());
        TeaVmVersion.require(classpath("0.13.1", "0.13.1"));
    }

    @Test
    void anyOtherTeaVmIsRefusedWithAPointerToTheUpgradeNotes() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> TeaVmVersion.require(classpath("0.13.1", "0.13.2")));
        assertTrue(refused.getMessage().contains("teavm-core 0.13.2"), refused.getMessage());
        assertTrue(refused.getMessage().contains(TeaVmVersion.UPGRADING), refused.getMessage());
        // The path in the message is from the top of the repository; tests run in host-bindings/toolchain.
        assertTrue(Files.isRegularFile(Path.of("../..").resolve(TeaVmVersion.UPGRADING)));

        assertThrows(IllegalStateException.class, () -> TeaVmVersion.require(classpath("0.14.0", "0.14.0")));
    }

    @Test
    void aTeaVmOfUnknownVersionIsRefused() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> TeaVmVersion.require(resource -> null));
        assertTrue(missing.getMessage().contains("not on the classpath"), missing.getMessage());
        assertThrows(IllegalStateException.class, () -> TeaVmVersion.require(
                resource -> url("file:/work/teavm/classes/" + resource)));
    }
}
