package tark.host.toolchain.probe;

import org.teavm.interop.Export;

/**
 * A program that tests a type through {@code Class} itself: the build must then keep every type test
 * in the function table, since any class may be asked.
 */
public final class TypeTestProbe {
    private static final Class<?>[] TYPES = {String.class, Integer.class, Number.class};
    private static final Object[] VALUES = {"s", Integer.valueOf(1), Long.valueOf(2)};

    private TypeTestProbe() {
    }

    /** TeaVM needs an entry point; tark never calls it. */
    public static void main(String[] args) {
    }

    /** Whether value {@code v} is an instance of type {@code t} (indices into the lists above): 1 or 0. */
    @Export(name = "is_instance")
    public static int isInstance(int t, int v) {
        return TYPES[t].isInstance(VALUES[v]) ? 1 : 0;
    }
}
