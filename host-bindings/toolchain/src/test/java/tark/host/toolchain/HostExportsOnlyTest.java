package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostExportsOnlyTest {
    private static List<String> exportNames(byte[] module) {
        WasmSections.Section exports = WasmSections.parse(module).sections.stream()
                .filter(s -> s.id == WasmSections.EXPORT).findFirst().orElseThrow();
        WasmSections.Reader reader = new WasmSections.Reader(exports.body);
        List<String> names = new ArrayList<>();
        for (int count = reader.u32(); count > 0; count--) {
            names.add(reader.name());
            reader.u8();
            reader.u32();
        }
        return names;
    }

    @Test
    void keepsTheExportsATarkHostCalls() {
        byte[] code = TestModules.opaque("code");
        byte[] module = new TestModules()
                .exports("teavm_catchException", "alloc", "_start", "provider_auth_credentials", "start",
                        "teavm_gc")
                .section(10, code)
                .bytes();
        byte[] filtered = HostExportsOnly.filter(module);
        assertEquals(List.of("alloc", "provider_auth_credentials"), exportNames(filtered));
        assertArrayEquals(code, WasmSections.parse(filtered).sections.get(1).body);
    }

    @Test
    void aModuleWithNothingToDropIsUnchanged() {
        byte[] module = new TestModules().exports("alloc", "memory").section(10, new byte[] {1, 2, 3}).bytes();
        assertArrayEquals(module, HostExportsOnly.filter(module));
    }

    @Test
    void notAModuleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HostExportsOnly.filter(new byte[] {1, 2, 3}));
        byte[] truncated = new TestModules().exports("alloc").bytes();
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 2);
        assertThrows(IllegalArgumentException.class, () -> HostExportsOnly.filter(cut));
    }
}
