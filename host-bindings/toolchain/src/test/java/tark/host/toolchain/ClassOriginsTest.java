package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ClassOriginsTest {
    private static final ClassLoader CLASSES = ClassOriginsTest.class.getClassLoader();

    @Test
    void aJavaClassComesFromTeaVmsClassLibraryAndTheRuntimeFromItsCore() {
        Map<Path, SortedSet<String>> origins = ClassOrigins.of(
                List.of("java.lang.String", "java.util.Arrays", "org.teavm.runtime.GC"), CLASSES);
        assertEquals(2, origins.size(), origins.toString());
        assertEquals(sortedSetOf("java.lang.String", "java.util.Arrays"), origins.get(jarNamed(origins, "teavm-classlib-")));
        assertEquals(sortedSetOf("org.teavm.runtime.GC"), origins.get(jarNamed(origins, "teavm-core-")));
    }

    @Test
    void aGeneratedClassCountsAsTheClassThatDeclaredIt() {
        String lambda = CatchTypes.class.getName() + "$catches$lambda$_1_0";
        Map<Path, SortedSet<String>> origins = ClassOrigins.of(List.of(CatchTypes.class.getName(), lambda), CLASSES);
        // Tests run in host-bindings/toolchain, whose main classes CatchTypes is one of.
        assertEquals(Map.of(Path.of("target", "classes").toAbsolutePath(),
                sortedSetOf(CatchTypes.class.getName(), lambda)), origins);
    }

    @Test
    void aClassWithoutBytecodeStopsTheBuild() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> ClassOrigins.of(List.of("java.lang.String", "no.such.Thing$inner"), CLASSES));
        assertTrue(refused.getMessage().contains("[no.such.Thing$inner]"), refused.getMessage());
    }

    @Test
    void declaringClassesAreTheNamesUpToEachDollar() {
        assertEquals("a.b.C$run$lambda", ClassOrigins.declaringClass("a.b.C$run$lambda$_1_0"));
        assertEquals("a.b.C", ClassOrigins.declaringClass("a.b.C$Inner"));
        assertNull(ClassOrigins.declaringClass("a.b.C"));
        assertNull(ClassOrigins.declaringClass("a.b.$C"));
    }

    @Test
    void theCodeSourceIsTheJarOrTheDirectoryWhereThePackageBegins() throws Exception {
        assertEquals(Path.of("/repo/g/a/1/a-1.jar"),
                ClassOrigins.codeSource(new URL("jar:file:/repo/g/a/1/a-1.jar!/p/q/C.class"), "p/q/C.class"));
        assertEquals(Path.of("/m/target/classes"),
                ClassOrigins.codeSource(new URL("file:/m/target/classes/p/q/C.class"), "p/q/C.class"));
        assertThrows(IllegalStateException.class,
                () -> ClassOrigins.codeSource(new URL("jrt:/java.base/java/lang/String.class"), "java/lang/String.class"));
    }

    private static SortedSet<String> sortedSetOf(String... names) {
        return new TreeSet<>(List.of(names));
    }

    private static Path jarNamed(Map<Path, SortedSet<String>> origins, String prefix) {
        return origins.keySet().stream().filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "*.jar in " + origins.keySet()));
    }
}
