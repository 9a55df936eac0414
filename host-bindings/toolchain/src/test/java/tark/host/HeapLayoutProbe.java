package tark.host;

import org.teavm.backend.wasm.WasmHeap;
import org.teavm.interop.Export;

/**
 * A program that grows TeaVM's heap as TeaVM does when it runs short ({@code WasmHeap.resizeHeap}) and
 * compares where TeaVM's bookkeeping then ends with {@link WasmMemory#layoutEnd}, the SDK's copy of that
 * private layout: the arena {@link WasmMemory} places above the capped heap is only safe while the two
 * agree. Built by ProbeBuildTest, run by test_heap_layout.py.
 */
public final class HeapLayoutProbe {
    private HeapLayoutProbe() {
    }

    /** TeaVM needs an entry point; tark never calls it. */
    public static void main(String[] args) {
    }

    /** TeaVM's heap size now, in bytes. */
    @Export(name = "heap_size")
    public static int heapSize() {
        return WasmHeap.heapSize;
    }

    /**
     * Grows the heap to {@code heapSize} bytes (if larger) and answers TeaVM's memory limit minus
     * {@link WasmMemory#layoutEnd} for the new size: 0 while the copy of the layout holds.
     */
    @Export(name = "layout_difference")
    public static int layoutDifference(int heapSize) {
        WasmHeap.resizeHeap(heapSize);
        return WasmHeap.memoryLimit.toInt() - WasmMemory.layoutEnd(WasmHeap.heapAddress.toInt(), WasmHeap.heapSize);
    }
}
