package tark.host.toolchain;

import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * Build-time TeaVM transformer: {@code WasiSupport.getArgs()} returns no arguments instead of
 * decoding WASI's argv. A tark plugin is never run as a command (tark passes no arguments and never
 * calls {@code _start}), and argv decoding is the only thing that pulls {@code java.nio.charset}'s
 * decoders into the module: about 15 KB on every provider init.
 */
final class NoCommandLineArguments implements ClassHolderTransformer {
    private static final String WASI_SUPPORT = "org.teavm.backend.wasm.runtime.WasiSupport";
    private static final ValueType STRING_ARRAY = ValueType.arrayOf(ValueType.object("java.lang.String"));

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(WASI_SUPPORT)) {
            return;
        }
        MethodHolder getArgs = cls.getMethod(new MethodDescriptor("getArgs", STRING_ARRAY));
        if (getArgs == null) {
            throw new UnexpectedTeaVm(WASI_SUPPORT + ".getArgs() not found");
        }
        ProgramEmitter program = ProgramEmitter.create(getArgs, context.getHierarchy());
        program.constructArray(ValueType.object("java.lang.String"), 0).returnValue();
    }
}
