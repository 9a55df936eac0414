package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PomTest {
    @TempDir
    Path repository;

    @Test
    void aJarInARepositoryIsDescribedByThePomBesideIt() throws IOException {
        Path jar = artifact("org.example.tools", "widget", "2.1", "<name>Widget</name><url>https://widget.example</url>"
                + "<licenses><license><name>MIT License</name><url>https://opensource.org/licenses/MIT</url></license>"
                + "<license><name>Other</name></license></licenses>");
        Pom pom = Pom.ofCodeSource(jar);
        assertEquals("org.example.tools:widget:2.1", pom.coordinates());
        assertEquals("Widget", pom.name);
        assertEquals("https://widget.example", pom.url);
        assertEquals(List.of("MIT License, https://opensource.org/licenses/MIT", "Other"), pom.inheritedLicenses());
    }

    @Test
    void licencesAndIdentityAreInheritedFromTheParent() throws IOException {
        artifact("org.example", "parent", "3", "<licenses><license><name>Apache-2.0</name></license></licenses>");
        Path jar = artifact(null, "child", null,
                "<parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>3</version></parent>");
        Pom pom = Pom.ofCodeSource(jar);
        assertEquals("org.example:child:3", pom.coordinates());
        assertEquals(List.of(), pom.licenses);
        assertEquals(List.of("Apache-2.0"), pom.inheritedLicenses());
    }

    @Test
    void noLicenceAnywhereUpTheChainIsNone() throws IOException {
        Path jar = artifact(null, "orphan", null,
                "<parent><groupId>org.example</groupId><artifactId>gone</artifactId><version>1</version></parent>");
        assertEquals(List.of(), Pom.ofCodeSource(jar).inheritedLicenses());
    }

    @Test
    void aModulesClassesAreDescribedByItsPomXml() {
        // Tests run in host-bindings/toolchain: its classes directory, its pom (groupId from the parent).
        Pom pom = Pom.ofCodeSource(Path.of("target", "classes").toAbsolutePath());
        assertEquals("chatgpt-oauth", pom.groupId);
        assertEquals("host-bindings-toolchain", pom.artifactId);
    }

    @Test
    void aProfilesBuildDirectoryBelowTargetIsTheModulesToo() throws IOException {
        Path module = Files.createDirectories(repository.resolve("project/plugin"));
        Files.writeString(module.resolve("pom.xml"), "<project><parent><groupId>org.example</groupId>"
                + "<artifactId>parent</artifactId><version>1</version></parent><artifactId>plugin</artifactId></project>");
        Path classes = Files.createDirectories(module.resolve("target/local-endpoints/classes"));
        assertEquals("org.example:plugin:1", Pom.ofCodeSource(classes).coordinates());
        Path elsewhere = Files.createDirectories(module.resolve("build/classes"));
        assertThrows(IllegalStateException.class, () -> Pom.ofCodeSource(elsewhere));
    }

    @Test
    void anythingElseIsRefused() throws IOException {
        Path loose = Files.createFile(repository.resolve("loose.jar"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Pom.ofCodeSource(loose));
        assertTrue(refused.getMessage().contains("Cannot tell which project"), refused.getMessage());
    }

    @Test
    void aPomWithADoctypeIsRefused() throws IOException {
        Path jar = artifact("org.example", "entity", "1", "");
        Path pom = jar.resolveSibling("entity-1.pom");
        Files.writeString(pom, "<!DOCTYPE project [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + Files.readString(pom).replace("<artifactId>entity", "<artifactId>&x;entity"));
        assertThrows(IllegalStateException.class, () -> Pom.ofCodeSource(jar));
    }

    /** A jar and its POM in the test repository, laid out as Maven lays them out; null: inherited. */
    private Path artifact(String groupId, String artifactId, String version, String more) throws IOException {
        String group = groupId != null ? groupId : "org.example";
        String at = version != null ? version : "3";
        Path dir = Files.createDirectories(repository.resolve(group.replace('.', '/')).resolve(artifactId).resolve(at));
        Files.writeString(dir.resolve(artifactId + "-" + at + ".pom"), "<?xml version=\"1.0\"?>\n<project>"
                + (groupId != null ? "<groupId>" + groupId + "</groupId>" : "") + "<artifactId>" + artifactId
                + "</artifactId>" + (version != null ? "<version>" + version + "</version>" : "") + more + "</project>\n");
        return Files.createFile(dir.resolve(artifactId + "-" + at + ".jar"));
    }
}
