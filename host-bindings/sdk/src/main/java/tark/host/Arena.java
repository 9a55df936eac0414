package tark.host;

/**
 * Bookkeeping for the memory this module lends to the host through {@code alloc}: plain address
 * arithmetic, no memory access, so it is tested on the JVM.
 *
 * <p>tark allocates a buffer, calls one export with it, reads the answer and never frees it. So the
 * arena hands out buffers by bumping a pointer, and starts over at the first {@code alloc} after an
 * export has returned: by then the host has read everything it was lent. One instance serving
 * thousands of calls therefore reuses the same few kilobytes.
 */
final class Arena {

    static final int ALIGNMENT = 16;
    private static final int TRACKED_LOANS = 8;

    private final int base;
    private int top;
    private boolean exportReturned = true;
    private final int[] loanStarts = new int[TRACKED_LOANS];
    private final int[] loanSizes = new int[TRACKED_LOANS];
    private int loanCount;

    /** @param base first address the arena may use (nothing else lives above it) */
    Arena(int base) {
        this.base = align(base);
        this.top = this.base;
    }

    /**
     * Reserves {@code size} bytes and returns their address; the caller makes sure the memory exists.
     * Every loan gets an address of its own, an empty one too (tark lends the bytes of an empty model
     * name): otherwise the next loan would start at the same address and a lookup by address could
     * take one for the other.
     */
    int lend(int size) {
        if (exportReturned) {
            top = base;
            loanCount = 0;
            exportReturned = false;
        }
        int start = top;
        top = align(start + Math.max(size, 1));
        if (loanCount < TRACKED_LOANS) {
            loanStarts[loanCount] = start;
            loanSizes[loanCount] = size;
            loanCount++;
        }
        return start;
    }

    /** Where the next loan would end if {@code size} bytes were lent now (for checking memory first). */
    int endAfterLending(int size) {
        return align(top() + Math.max(size, 1));
    }

    /** Called when an export returns: the host has what it was lent once it reads the answer. */
    void exportReturned() {
        exportReturned = true;
    }

    /**
     * The size of the loan starting at {@code ptr} in the current round (since the last export
     * returned), or -1 if there is none: an earlier call's buffer is not an output buffer any more.
     */
    int loanSizeAt(int ptr) {
        for (int i = 0; i < loanCount && !exportReturned; i++) {
            if (loanStarts[i] == ptr) {
                return loanSizes[i];
            }
        }
        return -1;
    }

    /**
     * The size of the output buffer at {@code ptr}, lent in this round and wholly below
     * {@code memoryEnd}; -1 if it is not one.
     */
    int outputCapacity(int ptr, int memoryEnd) {
        int capacity = loanSizeAt(ptr);
        return capacity < 0 || ptr > memoryEnd - capacity ? -1 : capacity;
    }

    /**
     * Whether {@code length} bytes may be written at {@code ptr}: {@code length} if {@code ptr} starts an
     * output buffer ({@link #outputCapacity}) that holds them, else {@link Buffers#NOT_LENT} or {@link Buffers#TOO_LARGE}.
     */
    int writable(int ptr, int length, int memoryEnd) {
        int capacity = outputCapacity(ptr, memoryEnd);
        return capacity < 0 ? Buffers.NOT_LENT : length > capacity ? Buffers.TOO_LARGE : length;
    }

    /** First free address: everything from here to the end of memory is scratch. */
    int top() {
        return exportReturned ? base : top;
    }

    int base() {
        return base;
    }

    static int align(int address) {
        return (address + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
