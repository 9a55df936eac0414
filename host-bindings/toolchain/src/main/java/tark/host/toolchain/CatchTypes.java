package tark.host.toolchain;

import org.teavm.interop.Unmanaged;
import org.teavm.runtime.RuntimeClass;

/**
 * Compiled into the module, called by TeaVM's exception dispatch once {@link CatchByParentChain}
 * has rewritten it: whether a {@code catch} clause's class catches a thrown object's class.
 */
public final class CatchTypes {
    private CatchTypes() {
    }

    /** Catch types are classes (subclasses of Throwable), so walking the thrown class's parents is exact. */
    @Unmanaged
    public static boolean catches(RuntimeClass catchType, RuntimeClass thrown) {
        for (RuntimeClass type = thrown; type != null; type = type.parent) {
            if (type == catchType) {
                return true;
            }
        }
        return false;
    }
}
