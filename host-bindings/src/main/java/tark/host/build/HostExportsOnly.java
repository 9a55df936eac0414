package tark.host.build;

import java.io.ByteArrayOutputStream;

/**
 * Removes the exports TeaVM adds for JavaScript hosts and command runners ({@code teavm_*},
 * {@code _start}, {@code start}) from a module. tark calls none of them, and without them an
 * optimiser can drop the code only they reach. A tiny rewrite of the export section; every other
 * section is copied byte for byte.
 */
final class HostExportsOnly {
    private static final int EXPORT_SECTION = 7;

    private HostExportsOnly() {
    }

    static byte[] filter(byte[] module) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(module.length);
        out.write(module, 0, 8);
        int[] at = {8};
        while (at[0] < module.length) {
            int id = module[at[0]++] & 0xFF;
            int size = readLeb(module, at);
            int start = at[0];
            byte[] body = new byte[size];
            System.arraycopy(module, start, body, 0, size);
            if (id == EXPORT_SECTION) {
                body = filterExports(body);
            }
            out.write(id);
            writeLeb(out, body.length);
            out.write(body, 0, body.length);
            at[0] = start + size;
        }
        return out.toByteArray();
    }

    private static byte[] filterExports(byte[] section) {
        int[] at = {0};
        int count = readLeb(section, at);
        ByteArrayOutputStream kept = new ByteArrayOutputStream(section.length);
        int keptCount = 0;
        for (int i = 0; i < count; i++) {
            int entryStart = at[0];
            int nameLength = readLeb(section, at);
            String name = new String(section, at[0], nameLength, java.nio.charset.StandardCharsets.UTF_8);
            at[0] += nameLength + 1;
            readLeb(section, at);
            if (!isForOtherHosts(name)) {
                kept.write(section, entryStart, at[0] - entryStart);
                keptCount++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(section.length);
        writeLeb(out, keptCount);
        byte[] entries = kept.toByteArray();
        out.write(entries, 0, entries.length);
        return out.toByteArray();
    }

    static boolean isForOtherHosts(String exportName) {
        return exportName.startsWith("teavm_") || exportName.equals("_start") || exportName.equals("start");
    }

    private static int readLeb(byte[] bytes, int[] at) {
        int result = 0;
        int shift = 0;
        int b;
        do {
            b = bytes[at[0]++] & 0xFF;
            result |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return result;
    }

    private static void writeLeb(ByteArrayOutputStream out, int value) {
        do {
            int b = value & 0x7F;
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }
}
