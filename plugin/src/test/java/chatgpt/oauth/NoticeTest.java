package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tark.host.toolchain.ModuleNotice;

/**
 * The plugin's notice texts (src/main/notice) cover what the module may compile in: the build's
 * ModuleNotice names a library as soon as its classes are in the module, so minimal-json, today
 * only the tests', gets its MIT licence in dist/NOTICE by itself once the module uses it.
 */
class NoticeTest {
    /** Tests run in plugin/. */
    private static final Path NOTICES = Path.of("src", "main", "notice");
    private static final Path LICENSE = Path.of("..", "LICENSE");

    @TempDir
    Path dir;

    @Test
    void minimalJsonCompiledInIsNamedWithItsMitLicence() throws IOException {
        String notice = notice(List.of(Exports.class.getName(), "java.lang.String", "com.eclipsesource.json.Json"));
        assertTrue(notice.startsWith(Files.readString(NOTICES.resolve("header.txt"))), notice);
        assertTrue(notice.contains("\nminimal-json\n------------\n"
                + "com.eclipsesource.minimal-json:minimal-json:0.9.5 (minimal-json)\n"
                + "Licence: MIT License, http://opensource.org/licenses/MIT\n"), notice);
        assertTrue(notice.contains("\nCopyright (c) 2013, 2014 EclipseSource\n\nPermission is hereby granted, free of "
                + "charge,"), notice);
        assertTrue(notice.contains("\norg.teavm:teavm-classlib:0.13.1 (Java class library emulation)\n"), notice);
        assertTrue(notice.contains("\nJoda.org (http://www.joda.org/).\n"), notice);
        assertTrue(notice.endsWith(Files.readString(LICENSE)), notice);
        assertFalse(notice.contains("chatgpt-oauth:"), notice);
    }

    @Test
    void withoutMinimalJsonItIsNotNamed() throws IOException {
        String notice = notice(List.of(Exports.class.getName(), "java.lang.String"));
        assertFalse(notice.contains("minimal-json"), notice);
        assertTrue(notice.contains("\norg.teavm:teavm-classlib:0.13.1 (Java class library emulation)\n"), notice);
    }

    /** The notice the build would write for a module of {@code classes}. */
    private String notice(List<String> classes) throws IOException {
        Path list = Files.write(dir.resolve("module.wasm.classes"), classes);
        Path output = dir.resolve("NOTICE");
        ModuleNotice.main(new String[] {list.toString(), "chatgpt-oauth", NOTICES.toString(), LICENSE.toString(),
                output.toString()});
        return Files.readString(output);
    }
}
