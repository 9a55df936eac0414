package tark.host.toolchain;

import java.io.ByteArrayOutputStream;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Points function-table slots that no code reads at one function per kind, and removes the name
 * section it recognises them by (written at the build's request by {@link FunctionNames}).
 *
 * <p>Why: wasmtime compiles a trampoline for each distinct function in a table, on every provider
 * init, and a function kept alive only by a slot cannot be dropped by the optimiser. TeaVM puts in
 * the table a type test ({@code supertypeof_*}) for every class and an initialiser ({@code
 * initclass_*}) for many, reachable only through class metadata ({@code RuntimeClass.isSupertypeOf},
 * {@code RuntimeClass.init}). {@link WasmBuild} decides from the compiled program which kinds are
 * unread.
 */
final class UnreadTableSlots {
    /** A kind of function TeaVM puts in the table for class metadata, by the prefix of its name. */
    enum Kind {
        /**
         * Type tests, read only by {@code System.arraycopy}'s element check, and only for the
         * component type of an array: a test is kept when the module has the test for its array type.
         */
        TYPE_TESTS("supertypeof_"),
        /** Class initialisers, never read through the table. */
        CLASS_INITIALIZERS("initclass_");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    /**
     * The numbers TeaVM puts in a lambda class's name ({@code <caller>$<method>$lambda$_<method id>_<id>},
     * mangled {@code _lambda__3_0}): part of that class's own name, not a suffix telling two types apart.
     */
    private static final String LAMBDA_NUMBERS = "_lambda__[0-9]+_[0-9]+$";
    private static final int FUNCTION_NAMES = 1;
    private static final int I32_CONST = 0x41;
    private static final int END = 0x0B;

    private UnreadTableSlots() {
    }

    /**
     * The module with the unread slots of {@code kinds} pointing at the first function of their kind.
     * Its names are removed unless {@code keepNames} (they change what the optimiser makes of it).
     */
    static byte[] redirect(byte[] module, Set<Kind> kinds, boolean keepNames) {
        WasmSections parsed = WasmSections.parse(module);
        Map<Integer, String> names = new HashMap<>();
        boolean named = false;
        for (Iterator<WasmSections.Section> it = parsed.sections.iterator(); it.hasNext();) {
            WasmSections.Section section = it.next();
            if ("name".equals(section.customName())) {
                names.putAll(functionNames(section.body));
                named = true;
                if (!keepNames) {
                    it.remove();
                }
            }
        }
        if (!named) {
            throw new IllegalStateException("the module has no function names: is WasmBuildPlugin listed in"
                    + " META-INF/services, and does TeaVM still write them when FunctionNames asks?");
        }
        Set<String> allNames = new HashSet<>(names.values());
        for (WasmSections.Section section : parsed.sections) {
            if (section.id == WasmSections.ELEMENT) {
                section.body = redirectSlots(section.body, function -> unreadKind(names.get(function), kinds, allNames));
            }
        }
        return parsed.toBytes();
    }

    /** The kind of an unread slot's function, or null for a function code may call through the table. */
    static Kind unreadKind(String function, Set<Kind> kinds, Set<String> allNames) {
        if (function == null) {
            return null;
        }
        for (Kind kind : kinds) {
            if (!function.startsWith(kind.prefix)) {
                continue;
            }
            if (kind == Kind.TYPE_TESTS) {
                String type = function.substring(kind.prefix.length());
                // A numbered name may belong to a type other than the one its array's test suggests: keep it.
                boolean numbered = type.replaceFirst(LAMBDA_NUMBERS, "_lambda").matches(".*_[0-9]+");
                boolean maybeRead = allNames.contains(kind.prefix + "Arr_" + type) || numbered;
                return maybeRead ? null : kind;
            }
            return kind;
        }
        return null;
    }

    static Map<Integer, String> functionNames(byte[] section) {
        WasmSections.Reader reader = new WasmSections.Reader(section);
        reader.name();
        Map<Integer, String> names = new HashMap<>();
        while (reader.more()) {
            int subsection = reader.u8();
            int size = reader.u32();
            if (subsection != FUNCTION_NAMES) {
                reader.bytes(size);
                continue;
            }
            int count = reader.u32();
            for (int i = 0; i < count; i++) {
                int function = reader.u32();
                names.put(function, reader.name());
            }
        }
        return names;
    }

    /** TeaVM writes active segments of function indices at a constant offset (flags 0); nothing else is expected. */
    private static byte[] redirectSlots(byte[] section, IntFunction<Kind> unreadKindOf) {
        WasmSections.Reader reader = new WasmSections.Reader(section);
        ByteArrayOutputStream out = new ByteArrayOutputStream(section.length);
        int segments = reader.u32();
        WasmSections.writeU32(out, segments);
        Map<Kind, Integer> firstOfKind = new EnumMap<>(Kind.class);
        for (int s = 0; s < segments; s++) {
            int start = reader.at;
            if (reader.u32() != 0 || reader.u8() != I32_CONST) {
                throw new IllegalStateException("unexpected element segment: only active function-index"
                        + " segments at a constant offset are handled");
            }
            reader.u32();
            if (reader.u8() != END) {
                throw new IllegalStateException("unexpected element segment offset");
            }
            out.write(section, start, reader.at - start);
            int count = reader.u32();
            WasmSections.writeU32(out, count);
            for (int i = 0; i < count; i++) {
                int function = reader.u32();
                Kind kind = unreadKindOf.apply(function);
                if (kind != null) {
                    firstOfKind.putIfAbsent(kind, function);
                    function = firstOfKind.get(kind);
                }
                WasmSections.writeU32(out, function);
            }
        }
        return out.toByteArray();
    }
}
