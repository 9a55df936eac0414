package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.teavm.interop.Export;
import tark.host.HeapLayoutProbe;
import tark.host.toolchain.UnreadTableSlots.Kind;
import tark.host.toolchain.probe.ArraycopyProbe;
import tark.host.toolchain.probe.JsonProbe;
import tark.host.toolchain.probe.TypeTestProbe;

/**
 * Builds the probe programs the way a plugin is built and checks what the build decided; the
 * modules it leaves in {@link #PROBES} are run in wasmtime by {@code test_build_probe.py}.
 */
class ProbeBuildTest {
    /** Where test_build_probe.py looks for the modules (tests run in host-bindings/toolchain). */
    static final Path PROBES = Path.of("target", "probe");

    /** What WasmBuild found unread in ArraycopyProbe, built as the plugin is, then with names kept; in TypeTestProbe. */
    private static Set<Kind> unread;
    private static Set<Kind> unreadWithNames;
    private static Set<Kind> unreadByTypeTests;
    private static byte[] named;

    @BeforeAll
    static void build() throws Exception {
        Files.createDirectories(PROBES);
        ClassLoader classes = ProbeBuildTest.class.getClassLoader();
        // As the plugin is built: this one runs in wasmtime.
        unread = WasmBuild.build(ArraycopyProbe.class.getName(), PROBES.resolve("arraycopy-probe.wasm"), classes, true);
        // With names kept, to see which function each slot now holds.
        Path namedModule = PROBES.resolve("arraycopy-probe-named.wasm");
        unreadWithNames = WasmBuild.build(ArraycopyProbe.class.getName(), namedModule, classes, false);
        named = Files.readAllBytes(namedModule);
        unreadByTypeTests = WasmBuild.build(TypeTestProbe.class.getName(), PROBES.resolve("type-test-probe.wasm"),
                classes, true);
        // A third-party library compiled in, for the notice.
        WasmBuild.build(JsonProbe.class.getName(), PROBES.resolve("json-probe.wasm"), classes, true);
        // The SDK's copy of TeaVM's heap layout, checked in wasmtime by test_heap_layout.py.
        WasmBuild.build(HeapLayoutProbe.class.getName(), PROBES.resolve("heap-layout-probe.wasm"), classes, true);
    }

    @Test
    void typeTestsAndInitialisersAreFoundUnreadWhenOnlyArraycopyTestsTypes() {
        assertEquals(EnumSet.allOf(Kind.class), unread);
        assertEquals(unread, unreadWithNames);
    }

    @Test
    void typeTestsAreFoundReadWhenCodeTestsTypesThroughClass() {
        assertEquals(EnumSet.of(Kind.CLASS_INITIALIZERS), unreadByTypeTests);
    }

    @Test
    void arraycopyDestinationsKeepTheirTypeTestsAndOtherUnreadSlotsShareOne() {
        Map<Integer, String> names = names(named);
        Set<String> inTable = new HashSet<>();
        Map<Kind, Set<Integer>> functionsOfKind = new HashMap<>();
        Map<Kind, Integer> slotsOfKind = new HashMap<>();
        for (int function : table(named)) {
            String name = names.get(function);
            inTable.add(name);
            for (Kind kind : Kind.values()) {
                if (name.startsWith(kind.prefix)) {
                    functionsOfKind.computeIfAbsent(kind, k -> new HashSet<>()).add(function);
                    slotsOfKind.merge(kind, 1, Integer::sum);
                }
            }
        }
        // The destinations' component types, asked by arraycopy's element check.
        // (TeaVM names a nested class Outer_Inner.)
        for (String type : List.of("_jl_Object", "_jl_String", "_Arr_jl_String", "_ArraycopyProbe_Animal",
                "_ArraycopyProbe_Named", "_ArraycopyProbe_Dog", "_ArraycopyProbe_Cat")) {
            assertTrue(inTable.stream().anyMatch(n -> n.startsWith(Kind.TYPE_TESTS.prefix) && n.endsWith(type)),
                    type + " lost its type test: " + inTable);
        }
        // The module has no array of the probe class, so nothing asks its test: its slot was redirected.
        assertTrue(names.values().stream().anyMatch(n -> n.startsWith(Kind.TYPE_TESTS.prefix)
                && n.endsWith("_ArraycopyProbe")), "no test of the probe class to redirect");
        assertFalse(inTable.stream().anyMatch(n -> n.endsWith("_ArraycopyProbe")), inTable.toString());
        assertTrue(slotsOfKind.get(Kind.TYPE_TESTS) > functionsOfKind.get(Kind.TYPE_TESTS).size(), slotsOfKind.toString());
        assertEquals(1, functionsOfKind.get(Kind.CLASS_INITIALIZERS).size(), functionsOfKind.toString());
    }

    @Test
    void theClassListNamesWhatWasCompiledInSoTheNoticeFollowsTheLibrariesUsed() throws Exception {
        List<String> withJson = Files.readAllLines(WasmBuild.classList(PROBES.resolve("json-probe.wasm")));
        List<String> without = Files.readAllLines(WasmBuild.classList(PROBES.resolve("arraycopy-probe.wasm")));
        assertEquals(new ArrayList<>(new TreeSet<>(withJson)), withJson);
        assertTrue(withJson.containsAll(List.of(JsonProbe.class.getName(), "com.eclipsesource.json.Json",
                "java.lang.String", "org.teavm.runtime.GC")), withJson.toString());
        assertTrue(without.contains(ArraycopyProbe.class.getName()), without.toString());
        assertFalse(without.stream().anyMatch(c -> c.startsWith("com.eclipsesource.")), without.toString());

        // The notice of each module, with a notices directory that knows both libraries.
        Path notices = Files.createDirectories(PROBES.resolve("notices").resolve(ModuleNotice.THIRD_PARTY)).getParent();
        Files.writeString(notices.resolve(ModuleNotice.HEADER), "Probe\n");
        Files.writeString(notices.resolve(ModuleNotice.THIRD_PARTY).resolve("org.teavm.txt"), "TeaVM\n\nnotice\n");
        Files.writeString(notices.resolve(ModuleNotice.THIRD_PARTY).resolve("com.eclipsesource.minimal-json.txt"),
                "minimal-json\n\nMIT\n");
        Path license = Files.writeString(PROBES.resolve("notices").resolve("LICENSE"), "licence\n");
        ClassLoader classes = ProbeBuildTest.class.getClassLoader();
        String noticeWithJson = ModuleNotice.compose(ClassOrigins.of(withJson, classes), "chatgpt-oauth", notices, license);
        String noticeWithout = ModuleNotice.compose(ClassOrigins.of(without, classes), "chatgpt-oauth", notices, license);
        assertTrue(noticeWithJson.contains("\ncom.eclipsesource.minimal-json:minimal-json:0.9.5 (minimal-json)\n"
                + "Licence: MIT License, http://opensource.org/licenses/MIT\n"), noticeWithJson);
        assertFalse(noticeWithout.contains("minimal-json"), noticeWithout);
        assertTrue(noticeWithout.contains("\norg.teavm:teavm-classlib:0.13.1 "), noticeWithout);
    }

    @Test
    void onTheJvmEachExportAnswersWhatItsNameSays() throws Exception {
        List<String> exports = new ArrayList<>();
        for (Method method : ArraycopyProbe.class.getMethods()) {
            Export export = method.getAnnotation(Export.class);
            if (export == null) {
                continue;
            }
            exports.add(export.name());
            int expected = export.name().startsWith("accepts_") ? ArraycopyProbe.COPIED
                    : export.name().startsWith("refuses_") ? ArraycopyProbe.REFUSED : -1;
            assertEquals(expected, method.invoke(null), export.name());
        }
        assertTrue(exports.stream().anyMatch(n -> n.startsWith("accepts_")), exports.toString());
        assertTrue(exports.stream().anyMatch(n -> n.startsWith("refuses_")), exports.toString());
    }

    private static Map<Integer, String> names(byte[] module) {
        return UnreadTableSlots.functionNames(WasmSections.parse(module).sections.stream()
                .filter(s -> "name".equals(s.customName())).findFirst().orElseThrow().body);
    }

    /** The function indices of the module's one element segment, slot by slot. */
    private static List<Integer> table(byte[] module) {
        WasmSections.Section elements = WasmSections.parse(module).sections.stream()
                .filter(s -> s.id == WasmSections.ELEMENT).findFirst().orElseThrow();
        WasmSections.Reader reader = new WasmSections.Reader(elements.body);
        assertEquals(1, reader.u32());
        reader.u32();
        reader.u8();
        reader.u32();
        reader.u8();
        int count = reader.u32();
        List<Integer> functions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            functions.add(reader.u32());
        }
        return functions;
    }
}
