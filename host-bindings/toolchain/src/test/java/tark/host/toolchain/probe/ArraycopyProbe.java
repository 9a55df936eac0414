package tark.host.toolchain.probe;

import org.teavm.interop.Export;

/**
 * A program the build's tests compile with {@code WasmBuild}, then run in wasmtime: copies between
 * reference arrays of different component types. There {@code System.arraycopy} checks each element
 * with the destination component's type test, called through the function table, so these copies go
 * wrong if {@code UnreadTableSlots} points a slot that is read at another type's test.
 *
 * <p>Each export answers {@link #COPIED}, {@link #REFUSED} or a negative code saying what went wrong; those named
 * {@code accepts_*} must copy and those named {@code refuses_*} must refuse, on the JVM and in wasm.
 * The probe itself never tests types through {@code Class} (that would keep every type test).
 */
public final class ArraycopyProbe {
    /** Every element arrived, in order. */
    public static final int COPIED = 1;
    /** ArrayStoreException at the element of the wrong type, after copying exactly the ones before it. */
    public static final int REFUSED = 2;
    /** Copied all, though an element does not fit the destination. */
    public static final int NOT_REFUSED = -1;
    /** ArrayStoreException, though every element fits the destination. */
    public static final int WRONGLY_REFUSED = -2;
    /** The destination does not hold what was copied, or holds more. */
    public static final int WRONG_CONTENT = -3;
    /** Another exception. */
    public static final int OTHER_EXCEPTION = -4;

    interface Named {
        String name();
    }

    static class Animal implements Named {
        @Override
        public String name() {
            return "animal";
        }
    }

    static final class Dog extends Animal {
        @Override
        public String name() {
            return "dog";
        }
    }

    static final class Cat extends Animal {
        @Override
        public String name() {
            return "cat";
        }
    }

    private ArraycopyProbe() {
    }

    /** TeaVM needs an entry point; tark never calls it. */
    public static void main(String[] args) {
    }

    @Export(name = "accepts_strings_from_objects")
    public static int acceptsStringsFromObjects() {
        return copy(new Object[] {"a", "b", "c"}, new String[3]);
    }

    @Export(name = "accepts_subclasses_into_superclass")
    public static int acceptsSubclassesIntoSuperclass() {
        return copy(new Dog[] {new Dog(), new Dog()}, new Animal[2]);
    }

    @Export(name = "accepts_animals_from_objects")
    public static int acceptsAnimalsFromObjects() {
        return copy(new Object[] {new Dog(), new Cat(), new Animal()}, new Animal[3]);
    }

    @Export(name = "accepts_null_among_animals")
    public static int acceptsNullAmongAnimals() {
        return copy(new Object[] {new Dog(), null}, new Animal[2]);
    }

    @Export(name = "accepts_animals_into_interface")
    public static int acceptsAnimalsIntoInterface() {
        return copy(new Animal[] {new Cat(), new Dog()}, new Named[2]);
    }

    @Export(name = "accepts_anything_into_objects")
    public static int acceptsAnythingIntoObjects() {
        return copy(new Named[] {new Dog(), new Animal()}, new Object[2]);
    }

    @Export(name = "accepts_arrays_into_array_of_arrays")
    public static int acceptsArraysIntoArrayOfArrays() {
        return copy(new Object[] {new String[] {"x"}, new String[0]}, new String[2][]);
    }

    @Export(name = "refuses_integer_among_strings")
    public static int refusesIntegerAmongStrings() {
        return copy(new Object[] {"a", Integer.valueOf(1), "c"}, new String[3], 1);
    }

    @Export(name = "refuses_sibling_among_subclasses")
    public static int refusesSiblingAmongSubclasses() {
        return copy(new Animal[] {new Dog(), new Dog(), new Cat(), new Dog()}, new Dog[4], 2);
    }

    @Export(name = "refuses_superclass_into_subclass")
    public static int refusesSuperclassIntoSubclass() {
        return copy(new Animal[] {new Animal()}, new Cat[1], 0);
    }

    @Export(name = "refuses_string_into_interface")
    public static int refusesStringIntoInterface() {
        return copy(new Object[] {new Dog(), "dog"}, new Named[2], 1);
    }

    @Export(name = "refuses_flat_array_into_array_of_arrays")
    public static int refusesFlatArrayIntoArrayOfArrays() {
        return copy(new Object[] {new String[1], new Object[1]}, new String[2][], 1);
    }

    /** As {@link #refusesIntegerAmongStrings}, but arraycopy is called with both arrays typed {@code Object[]}. */
    @Export(name = "refuses_integer_among_strings_typed_as_objects")
    public static int refusesIntegerAmongStringsTypedAsObjects() {
        Object[] source = {"a", Integer.valueOf(1), "c"};
        Object[] destination = new String[3];
        boolean refused;
        try {
            arraycopyTyped(source, destination, source.length);
            refused = false;
        } catch (ArrayStoreException e) {
            refused = true;
        }
        return checked(source, destination, 1, refused);
    }

    private static int copy(Object[] source, Object[] destination) {
        return copy(source, destination, source.length);
    }

    /** Copies all of {@code source}, whose element at {@code wrongAt} (if any) does not fit {@code destination}. */
    private static int copy(Object[] source, Object[] destination, int wrongAt) {
        boolean refused;
        try {
            arraycopy(source, destination, source.length);
            refused = false;
        } catch (ArrayStoreException e) {
            refused = true;
        } catch (RuntimeException e) {
            return OTHER_EXCEPTION;
        }
        return checked(source, destination, wrongAt, refused);
    }

    private static int checked(Object[] source, Object[] destination, int wrongAt, boolean refused) {
        if (refused != (wrongAt < source.length)) {
            return refused ? WRONGLY_REFUSED : NOT_REFUSED;
        }
        for (int i = 0; i < destination.length; i++) {
            Object expected = i < wrongAt ? source[i] : null;
            if (destination[i] != expected) {
                return WRONG_CONTENT;
            }
        }
        return refused ? REFUSED : COPIED;
    }

    /**
     * Typed {@code Object}: TeaVM replaces an arraycopy between arrays whose static types match (here
     * both would be {@code Object[]}) with a copy that checks no element, whatever the arrays hold.
     */
    private static void arraycopy(Object source, Object destination, int length) {
        System.arraycopy(source, 0, destination, 0, length);
    }

    private static void arraycopyTyped(Object[] source, Object[] destination, int length) {
        System.arraycopy(source, 0, destination, 0, length);
    }
}
