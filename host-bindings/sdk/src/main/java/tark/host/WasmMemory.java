package tark.host;

import org.teavm.backend.wasm.WasmHeap;
import org.teavm.interop.Address;
import org.teavm.interop.Export;

/**
 * The memory contract with the host, in wasm.
 *
 * <p>TeaVM's garbage collector compacts, so a Java array's address is only stable until the next
 * allocation. Memory the host keeps using across Java code (buffers from {@code alloc}) or writes
 * without a bound (every {@code ret} buffer: the host writes the whole value, stopping only at the
 * end of memory) must therefore lie outside TeaVM's heap. At start-up this class caps TeaVM's heap
 * and places an {@link Arena} above the highest address that heap can ever reach. Host loans sit at
 * the bottom of the arena, and host values are received above them: an oversize value can only spill
 * into free memory or be refused by the host at the end of memory, never land on live data.
 */
public final class WasmMemory {
    /** The largest value accepted from the host (file, storage value, HTTP reply, input buffer). */
    public static final int MAX_HOST_VALUE = 1 << 20;

    private static final int PAGE = WasmHeap.PAGE_SIZE;
    /**
     * TeaVM's heap never grows past this (the build starts it there); inputs are capped at 1 MiB,
     * which needs a few MiB to decode and parse.
     */
    private static final int HEAP_CAP = 16 << 20;

    private static Arena arena;
    /** TeaVM's memory limit when this class took over; its later growth is measured from here. */
    private static int teavmLimitAtStart;
    /** Bytes this class has grown memory by. */
    private static int grownByUs;
    /** The most this class may grow to while leaving TeaVM room to reach its capped heap. */
    private static int ourEndLimit;

    private WasmMemory() {
    }

    private static void start() {
        int heapAddress = WasmHeap.heapAddress.toInt();
        // The module declares its maximum memory from TeaVM's build-time maximum heap.
        int declaredMax = layoutEnd(heapAddress, WasmHeap.maxHeapSize);
        int cap = Math.max(HEAP_CAP, WasmHeap.heapSize);
        WasmHeap.maxHeapSize = cap;
        int capEnd = layoutEnd(heapAddress, cap);
        teavmLimitAtStart = WasmHeap.memoryLimit.toInt();
        // TeaVM may still grow by (capEnd - teavmLimitAtStart); memory.grow appends, so whatever we grow
        // adds to that. Keep the sum within the declared maximum, or one of the grows would fail.
        ourEndLimit = teavmLimitAtStart + (declaredMax - capEnd);
        arena = new Arena(capEnd);
    }

    private static void ensureStarted() {
        if (arena == null) {
            start();
        }
    }

    /** The end of memory this class can vouch for (actual memory may be larger). */
    private static int ownedEnd() {
        return teavmLimitAtStart + grownByUs;
    }

    /** Grows memory so that addresses below {@code end} exist; false if that would pass the limit. */
    private static boolean ensureMemoryUpTo(int end) {
        int owned = ownedEnd();
        if (end <= owned) {
            return true;
        }
        int pages = (end - owned + PAGE - 1) / PAGE;
        if (owned + pages * PAGE > ourEndLimit) {
            return false;
        }
        WasmHeap.growMemory(pages);
        grownByUs += pages * PAGE;
        return true;
    }

    /**
     * {@code alloc(len)}: a buffer for the host, valid until the first {@code alloc} after the next
     * export returns. Memory grows for it as far as the module's declared maximum allows, less the room
     * kept above it to receive a host value ({@link #MAX_HOST_VALUE}). A request past that is answered
     * with the end of memory: the host's write there fails on its side (tark reports "out of bounds
     * memory access") instead of landing on live data. (No log line: this class stays free of the
     * host's imports, and the host names the failure itself.)
     */
    @Export(name = "alloc")
    public static int alloc(int size) {
        try {
            ensureStarted();
            if (size >= 0 && size <= lendable() && ensureMemoryUpTo(arena.endAfterLending(size))) {
                return arena.lend(size);
            }
        } catch (Throwable e) {
            // Answered below: the end of memory is never live data.
        }
        return ownedEnd();
    }

    /** The largest loan memory may still grow for, leaving room above it to receive a host value. */
    private static int lendable() {
        return ourEndLimit - arena.top() - MAX_HOST_VALUE - PAGE;
    }

    /** {@code dealloc(ptr, len)}: nothing to do, the arena reclaims loans after each export. */
    @Export(name = "dealloc")
    public static void dealloc(int ptr, int size) {
    }

    /**
     * The address at which the host may write a value: at least {@link #MAX_HOST_VALUE} bytes of
     * scratch when memory allows, and in any case nothing live between it and the end of memory.
     */
    static int receiveBuffer() {
        ensureStarted();
        int start = arena.top();
        ensureMemoryUpTo(start + MAX_HOST_VALUE + 1);
        return start;
    }

    /** Marks the end of an export call; see {@link Arena}. */
    static void exportReturned() {
        if (arena != null) {
            arena.exportReturned();
        }
    }

    /** Copies {@code length} bytes at {@code ptr} out of linear memory; null if out of range. */
    static byte[] read(int ptr, int length) {
        ensureStarted();
        if (ptr < 0 || length < 0 || length > MAX_HOST_VALUE || ptr > ownedEnd() - length) {
            return null;
        }
        byte[] bytes = new byte[length];
        // No allocation between taking the array's address and the copy, so it cannot move.
        Address.moveMemoryBlock(Address.fromInt(ptr), Address.ofData(bytes), length);
        return bytes;
    }

    /** Whether the {@code length} bytes at {@code ptr} are exactly {@code bytes}; no allocation. */
    static boolean holds(int ptr, byte[] bytes, int length) {
        if (bytes == null || bytes.length != length || ptr < 0 || ptr > ownedEnd() - length) {
            return false;
        }
        Address at = Address.fromInt(ptr);
        for (int i = 0; i < length; i++) {
            if (at.add(i).getByte() != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes {@code bytes} into the host's output buffer at {@code ptr}, which must be the start of a
     * buffer {@code alloc} returned since the previous export call returned (tark allocates each output
     * buffer right before the call); the value must fit in that buffer's size. Returns the length
     * written, or {@link Buffers#NOT_LENT} / {@link Buffers#TOO_LARGE} having written nothing: any other
     * address could be live data of this module's.
     */
    static int write(int ptr, byte[] bytes) {
        ensureStarted();
        int length = arena.writable(ptr, bytes.length, ownedEnd());
        if (length > 0) {
            Address.moveMemoryBlock(Address.ofData(bytes), Address.fromInt(ptr), length);
        }
        return length;
    }

    /** The size of the output buffer at {@code ptr} (see {@link #write}); -1 if it is not one. */
    static int outputCapacity(int ptr) {
        ensureStarted();
        return arena.outputCapacity(ptr, ownedEnd());
    }

    /**
     * An export's buffers in this module's memory, made on request rather than kept in a static field:
     * a static initializer here would put a class-initialisation check in front of every call into
     * this class, a dozen call sites compiled on every provider init.
     */
    static Buffers buffers() {
        return new ModuleBuffers();
    }

    private static final class ModuleBuffers implements Buffers {
        @Override
        public byte[] input(int ptr, int length) {
            return read(ptr, length);
        }

        @Override
        public int outputCapacity(int ret) {
            return WasmMemory.outputCapacity(ret);
        }

        @Override
        public int write(int ret, byte[] bytes) {
            return WasmMemory.write(ret, bytes);
        }

        @Override
        public void exportReturned() {
            WasmMemory.exportReturned();
        }
    }

    /** The address of a byte array's first element, valid until the next Java allocation. */
    static int addressOf(byte[] bytes) {
        return Address.ofData(bytes).toInt();
    }

    /**
     * Where TeaVM's heap bookkeeping ends for a heap of {@code heapSize}: a copy of the private layout
     * of {@code WasmHeap.resizeHeap} (heap, regions, card table, storage, each aligned), which no API
     * promises. See UPGRADING.md; {@code HeapLayoutProbe} fails when TeaVM's layout moves.
     */
    static int layoutEnd(int heapAddress, int heapSize) {
        int regionsCount = WasmHeap.calculateRegionsCount(heapSize, WasmHeap.regionSize);
        int address = align(heapAddress + heapSize, 16);
        address = align(address + WasmHeap.calculateRegionsSize(regionsCount), 16);
        address = align(address + regionsCount, 16);
        return align(address + WasmHeap.calculateStorageSize(heapSize), PAGE);
    }

    private static int align(int address, int alignment) {
        return (address + alignment - 1) / alignment * alignment;
    }
}
