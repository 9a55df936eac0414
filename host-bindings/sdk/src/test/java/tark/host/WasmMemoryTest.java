package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.teavm.interop.Export;

/** The memory exports tark looks up; their bodies need wasm memory, so only the signatures are checked here. */
class WasmMemoryTest {
    @Test
    void allocTakesALengthAndReturnsAPointer() throws NoSuchMethodException {
        Method alloc = WasmMemory.class.getMethod("alloc", int.class);
        assertEquals("alloc", alloc.getAnnotation(Export.class).name());
        assertEquals(int.class, alloc.getReturnType());
    }

    @Test
    void deallocTakesAPointerAndALength() throws NoSuchMethodException {
        Method dealloc = WasmMemory.class.getMethod("dealloc", int.class, int.class);
        assertEquals("dealloc", dealloc.getAnnotation(Export.class).name());
        assertEquals(void.class, dealloc.getReturnType());
    }

    @Test
    void hostValuesAreCappedAtOneMebibyte() {
        assertEquals(1 << 20, WasmMemory.MAX_HOST_VALUE);
    }
}
