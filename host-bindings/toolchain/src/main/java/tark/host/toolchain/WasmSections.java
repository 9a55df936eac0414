package tark.host.toolchain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A wasm module as its list of sections, for the build's small rewrites; bodies are kept as bytes. */
final class WasmSections {
    static final int CUSTOM = 0;
    static final int EXPORT = 7;
    static final int ELEMENT = 9;

    /** One section: its id and body; a custom section's name is the start of its body. */
    static final class Section {
        final int id;
        byte[] body;

        Section(int id, byte[] body) {
            this.id = id;
            this.body = body;
        }

        /** The custom section's name, or null for a standard section. */
        String customName() {
            if (id != CUSTOM) {
                return null;
            }
            Reader reader = new Reader(body);
            return reader.name();
        }
    }

    private final byte[] header;
    final List<Section> sections = new ArrayList<>();

    private WasmSections(byte[] header) {
        this.header = header;
    }

    static WasmSections parse(byte[] module) {
        if (module.length < 8 || module[0] != 0 || module[1] != 'a' || module[2] != 's' || module[3] != 'm') {
            throw new IllegalArgumentException("not a wasm module");
        }
        byte[] header = new byte[8];
        System.arraycopy(module, 0, header, 0, 8);
        WasmSections parsed = new WasmSections(header);
        Reader reader = new Reader(module);
        reader.at = 8;
        while (reader.at < module.length) {
            int id = reader.u8();
            parsed.sections.add(new Section(id, reader.bytes(reader.u32())));
        }
        return parsed;
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header, 0, header.length);
        for (Section section : sections) {
            out.write(section.id);
            writeU32(out, section.body.length);
            out.write(section.body, 0, section.body.length);
        }
        return out.toByteArray();
    }

    static void writeU32(ByteArrayOutputStream out, int value) {
        do {
            int b = value & 0x7F;
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    /** Reads the binary format's integers and names from a byte array. */
    static final class Reader {
        private final byte[] bytes;
        int at;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean more() {
            return at < bytes.length;
        }

        int u8() {
            if (at >= bytes.length) {
                throw new IllegalArgumentException("truncated wasm module");
            }
            return bytes[at++] & 0xFF;
        }

        int u32() {
            int result = 0;
            int shift = 0;
            int b;
            do {
                b = u8();
                result |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            return result;
        }

        byte[] bytes(int length) {
            if (length < 0 || at + length > bytes.length) {
                throw new IllegalArgumentException("truncated wasm module");
            }
            byte[] result = new byte[length];
            System.arraycopy(bytes, at, result, 0, length);
            at += length;
            return result;
        }

        String name() {
            return new String(bytes(u32()), StandardCharsets.UTF_8);
        }
    }
}
