package tark.host.toolchain;

import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * Build-time TeaVM transformer: {@code Throwable.fillInStackTrace()} records nothing, as if every
 * exception were created with {@code writableStackTrace = false}. In an obfuscated module a trace
 * only says {@code Obfuscated.obfuscated}, and a plugin logs messages, not traces; recording one
 * walked the shadow stack and allocated an array on every throw (a missing login throws on every
 * call). About 1.2 KB of module.
 */
final class NoStackTraces implements ClassHolderTransformer {
    private static final String THROWABLE = "java.lang.Throwable";

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(THROWABLE)) {
            return;
        }
        MethodHolder fill = cls.getMethod(new MethodDescriptor("fillInStackTrace", ValueType.object(THROWABLE)));
        if (fill == null || fill.getProgram() == null) {
            throw new UnexpectedTeaVm(THROWABLE + ".fillInStackTrace() not found");
        }
        ProgramEmitter.create(fill, context.getHierarchy()).var(0, ValueType.object(THROWABLE)).returnValue();
    }
}
