package tark.host.toolchain;

import java.io.ByteArrayOutputStream;

/**
 * Removes the exports TeaVM adds for JavaScript hosts and command runners ({@code teavm_*},
 * {@code _start}, {@code start}) from a module. tark calls none of them, and without them an
 * optimiser can drop the code only they reach. A tiny rewrite of the export section; every other
 * section is copied byte for byte.
 */
final class HostExportsOnly {
    private HostExportsOnly() {
    }

    static byte[] filter(byte[] module) {
        WasmSections parsed = WasmSections.parse(module);
        for (WasmSections.Section section : parsed.sections) {
            if (section.id == WasmSections.EXPORT) {
                section.body = filterExports(section.body);
            }
        }
        return parsed.toBytes();
    }

    private static byte[] filterExports(byte[] section) {
        WasmSections.Reader reader = new WasmSections.Reader(section);
        int count = reader.u32();
        ByteArrayOutputStream kept = new ByteArrayOutputStream(section.length);
        int keptCount = 0;
        for (int i = 0; i < count; i++) {
            int entryStart = reader.at;
            String name = reader.name();
            reader.u8();
            reader.u32();
            if (!isForOtherHosts(name)) {
                kept.write(section, entryStart, reader.at - entryStart);
                keptCount++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(section.length);
        WasmSections.writeU32(out, keptCount);
        byte[] entries = kept.toByteArray();
        out.write(entries, 0, entries.length);
        return out.toByteArray();
    }

    static boolean isForOtherHosts(String exportName) {
        return exportName.startsWith("teavm_") || exportName.equals("_start") || exportName.equals("start");
    }
}
