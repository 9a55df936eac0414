package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleNoticeTest {
    private static final ClassLoader CLASSES = ModuleNoticeTest.class.getClassLoader();
    /** Classes of the project (CatchTypes), of TeaVM (String, GC) and of minimal-json (Json). */
    private static final List<String> WITH_JSON = List.of("com.eclipsesource.json.Json", "java.lang.String",
            "org.teavm.runtime.GC", CatchTypes.class.getName());

    @TempDir
    Path dir;
    private Path notices;
    private Path license;

    @BeforeEach
    void notices() throws IOException {
        notices = Files.createDirectories(dir.resolve("notices"));
        Files.createDirectories(notices.resolve(ModuleNotice.THIRD_PARTY));
        Files.writeString(notices.resolve(ModuleNotice.HEADER), "Our header\n");
        Files.writeString(notices.resolve(ModuleNotice.THIRD_PARTY).resolve("org.teavm.txt"),
                "TeaVM\n\nTeaVM's notice\n\nits second paragraph");
        Files.writeString(notices.resolve(ModuleNotice.THIRD_PARTY).resolve("com.eclipsesource.minimal-json.txt"),
                "minimal-json\n\nCopyright line\nMIT text\n");
        license = Files.writeString(dir.resolve("LICENSE"), "Our licence text\n");
    }

    @Test
    void namesEachThirdPartyComponentCompiledInWithItsNoticeAndEndsWithTheLicence() throws IOException {
        assertEquals("Our header\n"
                + "\n"
                + "minimal-json\n"
                + "------------\n"
                + "com.eclipsesource.minimal-json:minimal-json:0.9.5 (minimal-json)\n"
                + "Licence: MIT License, http://opensource.org/licenses/MIT\n"
                + "Home page: https://github.com/ralfstx/minimal-json\n"
                + "\n"
                + "Copyright line\n"
                + "MIT text\n"
                + "\n"
                + "TeaVM\n"
                + "-----\n"
                + "org.teavm:teavm-classlib:0.13.1 (Java class library emulation)\n"
                + "org.teavm:teavm-core:0.13.1 (Compiler, backends and runtime)\n"
                + "Licence: The Apache Software License, Version 2.0, http://www.apache.org/licenses/LICENSE-2.0.txt\n"
                + "Home page: https://teavm.org\n"
                + "\n"
                + "TeaVM's notice\n"
                + "\n"
                + "its second paragraph\n"
                + "\n"
                + "The licence of this project\n"
                + "===========================\n"
                + "\n"
                + "Our licence text\n", notice(WITH_JSON));
    }

    @Test
    void aLibraryNoLongerCompiledInIsNoLongerNamed() throws IOException {
        List<String> withoutJson = new ArrayList<>(WITH_JSON);
        withoutJson.remove("com.eclipsesource.json.Json");
        String notice = notice(withoutJson);
        assertFalse(notice.contains("minimal-json"), notice);
        assertTrue(notice.contains("org.teavm:teavm-classlib:0.13.1"), notice);
    }

    @Test
    void theProjectsOwnCodeIsNotListed() throws IOException {
        String notice = notice(List.of(CatchTypes.class.getName(), "tark.host.toolchain.probe.JsonProbe"));
        assertFalse(notice.contains("chatgpt-oauth"), notice);
        assertTrue(notice.startsWith("Our header\n\nThe licence of this project\n"), notice);
    }

    @Test
    void aThirdPartyComponentWithoutANoticeStopsTheBuild() throws IOException {
        Path missing = notices.resolve(ModuleNotice.THIRD_PARTY).resolve("com.eclipsesource.minimal-json.txt");
        Files.delete(missing);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> notice(WITH_JSON));
        assertTrue(refused.getMessage().contains("com.eclipsesource.minimal-json:minimal-json:0.9.5 ([com.eclipsesource"
                + ".json.Json])") && refused.getMessage().contains("add " + missing), refused.getMessage());
    }

    @Test
    void theMainWritesTheSameBytesEveryTime() throws IOException {
        Path classes = Files.write(dir.resolve("module.wasm.classes"), WITH_JSON);
        Path first = dir.resolve("out/NOTICE");
        Path second = dir.resolve("again/NOTICE");
        ModuleNotice.main(new String[] {classes.toString(), "chatgpt-oauth", notices.toString(), license.toString(),
                first.toString()});
        ModuleNotice.main(new String[] {classes.toString(), "chatgpt-oauth", notices.toString(), license.toString(),
                second.toString()});
        assertEquals(Files.readString(first), notice(WITH_JSON));
        assertEquals(-1L, Files.mismatch(first, second));
    }

    private String notice(List<String> classes) throws IOException {
        return ModuleNotice.compose(ClassOrigins.of(classes, CLASSES), "chatgpt-oauth", notices, license);
    }
}
