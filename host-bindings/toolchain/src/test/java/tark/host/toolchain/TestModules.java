package tark.host.toolchain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Hand-assembled module sections for the build's binary rewrites. */
final class TestModules {
    private final ByteArrayOutputStream module = new ByteArrayOutputStream();

    TestModules() {
        module.write(0);
        module.write('a');
        module.write('s');
        module.write('m');
        module.write(1);
        module.write(0);
        module.write(0);
        module.write(0);
    }

    TestModules section(int id, byte[] body) {
        module.write(id);
        WasmSections.writeU32(module, body.length);
        module.write(body, 0, body.length);
        return this;
    }

    /** One active segment at table offset 0 listing {@code functions}. */
    TestModules elements(int... functions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        WasmSections.writeU32(body, 1);
        body.write(0);
        body.write(0x41);
        body.write(0);
        body.write(0x0B);
        WasmSections.writeU32(body, functions.length);
        for (int function : functions) {
            WasmSections.writeU32(body, function);
        }
        return section(WasmSections.ELEMENT, body.toByteArray());
    }

    /** A "name" custom section with a module name subsection and the function names. */
    TestModules names(Map<Integer, String> functions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeName(body, "name");
        ByteArrayOutputStream moduleName = new ByteArrayOutputStream();
        writeName(moduleName, "test");
        body.write(0);
        WasmSections.writeU32(body, moduleName.size());
        body.write(moduleName.toByteArray(), 0, moduleName.size());
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        WasmSections.writeU32(names, functions.size());
        functions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            WasmSections.writeU32(names, entry.getKey());
            writeName(names, entry.getValue());
        });
        body.write(1);
        WasmSections.writeU32(body, names.size());
        body.write(names.toByteArray(), 0, names.size());
        return section(WasmSections.CUSTOM, body.toByteArray());
    }

    /** Exports of function 0 under each name. */
    TestModules exports(String... names) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        WasmSections.writeU32(body, names.length);
        for (String name : names) {
            writeName(body, name);
            body.write(0);
            body.write(0);
        }
        return section(WasmSections.EXPORT, body.toByteArray());
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        WasmSections.writeU32(out, utf8.length);
        out.write(utf8, 0, utf8.length);
    }

    static byte[] opaque(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    byte[] bytes() {
        return module.toByteArray();
    }
}
