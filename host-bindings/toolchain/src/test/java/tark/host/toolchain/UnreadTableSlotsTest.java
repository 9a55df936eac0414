package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tark.host.toolchain.UnreadTableSlots.Kind;

class UnreadTableSlotsTest {
    private static final Map<Integer, String> NAMES = new TreeMap<>(Map.of(
            3, "supertypeof_jl_Object",
            4, "meth_jl_String_toString",
            5, "supertypeof_jl_String",
            6, "supertypeof_Arr_jl_String",
            7, "supertypeof_co_Exports",
            8, "initclass_jl_String",
            9, "initclass_co_Exports",
            10, "supertypeof_co_Reply_0"));
    private static final int[] TABLE = {3, 4, 5, 6, 7, 8, 9, 10};
    private static final byte[] CODE = TestModules.opaque("code section bytes, copied as they are");

    private static byte[] module() {
        return new TestModules().section(10, CODE).elements(TABLE).names(NAMES).bytes();
    }

    private static List<Integer> table(byte[] module) {
        WasmSections.Section elements = section(module, WasmSections.ELEMENT);
        WasmSections.Reader reader = new WasmSections.Reader(elements.body);
        assertEquals(1, reader.u32());
        reader.u32();
        reader.u8();
        reader.u32();
        reader.u8();
        int count = reader.u32();
        List<Integer> functions = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            functions.add(reader.u32());
        }
        return functions;
    }

    private static WasmSections.Section section(byte[] module, int id) {
        return WasmSections.parse(module).sections.stream().filter(s -> s.id == id).findFirst().orElse(null);
    }

    @Test
    void unreadTypeTestsAndInitialisersPointAtTheFirstOfTheirKind() {
        byte[] trimmed = UnreadTableSlots.redirect(module(), EnumSet.allOf(Kind.class), false);
        // Object's and Exports' tests go to Object's; String's stays (String[] exists, arraycopy may test
        // String), as do the method, the array test with no array of arrays... and the numbered name.
        assertEquals(List.of(3, 4, 5, 3, 3, 8, 8, 10), table(trimmed));
    }

    @Test
    void theArrayTestIsItselfRedirectedWhenNoArrayOfArraysExists() {
        assertEquals(Kind.TYPE_TESTS, UnreadTableSlots.unreadKind("supertypeof_Arr_jl_String",
                EnumSet.allOf(Kind.class), Set.copyOf(NAMES.values())));
        assertNull(UnreadTableSlots.unreadKind("supertypeof_jl_String", EnumSet.allOf(Kind.class),
                Set.copyOf(NAMES.values())));
    }

    @Test
    void aLambdaClassIsNotANumberedName() {
        Set<String> names = Set.of("supertypeof_co_Exports_providerInfo_lambda__8_0",
                "supertypeof_co_Exports_providerInfo_lambda__8_0_1", "supertypeof_Arr_co_Exports_run_lambda__2_0",
                "supertypeof_co_Exports_run_lambda__2_0");
        // The lambda's own numbers: its test is unread like any class's without an array.
        assertEquals(Kind.TYPE_TESTS, UnreadTableSlots.unreadKind("supertypeof_co_Exports_providerInfo_lambda__8_0",
                EnumSet.allOf(Kind.class), names));
        // A number after them tells two types apart: kept, as every numbered name.
        assertNull(UnreadTableSlots.unreadKind("supertypeof_co_Exports_providerInfo_lambda__8_0_1",
                EnumSet.allOf(Kind.class), names));
        // A lambda class with an array of it: kept, as every such type.
        assertNull(UnreadTableSlots.unreadKind("supertypeof_co_Exports_run_lambda__2_0", EnumSet.allOf(Kind.class),
                names));
    }

    @Test
    void onlyTheKindsGivenAreTouched() {
        assertEquals(List.of(3, 4, 5, 3, 3, 8, 9, 10),
                table(UnreadTableSlots.redirect(module(), EnumSet.of(Kind.TYPE_TESTS), false)));
        assertEquals(List.of(3, 4, 5, 6, 7, 8, 8, 10),
                table(UnreadTableSlots.redirect(module(), EnumSet.of(Kind.CLASS_INITIALIZERS), false)));
        assertEquals(List.of(3, 4, 5, 6, 7, 8, 9, 10),
                table(UnreadTableSlots.redirect(module(), EnumSet.noneOf(Kind.class), false)));
    }

    @Test
    void namesAreRemovedUnlessKeptAndOtherSectionsAreCopied() {
        byte[] trimmed = UnreadTableSlots.redirect(module(), EnumSet.allOf(Kind.class), false);
        assertNull(section(trimmed, WasmSections.CUSTOM));
        assertArrayEquals(CODE, section(trimmed, 10).body);
        List<Integer> ids = WasmSections.parse(trimmed).sections.stream().map(s -> s.id)
                .collect(Collectors.toList());
        assertEquals(List.of(10, WasmSections.ELEMENT), ids);

        byte[] named = UnreadTableSlots.redirect(module(), EnumSet.allOf(Kind.class), true);
        assertEquals("name", section(named, WasmSections.CUSTOM).customName());
    }

    @Test
    void aModuleWithoutNamesIsRefused() {
        byte[] unnamed = new TestModules().elements(TABLE).bytes();
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> UnreadTableSlots.redirect(unnamed, EnumSet.allOf(Kind.class), false));
        assertTrue(refused.getMessage().contains("FunctionNames"));
    }

    @Test
    void otherElementSegmentsAreRefused() {
        byte[] passive = new TestModules().section(WasmSections.ELEMENT, new byte[] {1, 1, 0, 1, 3})
                .names(NAMES).bytes();
        assertThrows(IllegalStateException.class,
                () -> UnreadTableSlots.redirect(passive, EnumSet.allOf(Kind.class), false));
    }
}
