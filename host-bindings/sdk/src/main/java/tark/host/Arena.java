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
public final class Arena {
    static final int ALIGNMENT = 16;
    private static final int TRACKED_LOANS = 8;

    private final int base;
    private int top;
    private boolean exportReturned = true;
    private final int[] loanStarts = new int[TRACKED_LOANS];
    private final int[] loanSizes = new int[TRACKED_LOANS];
    private int loanCount;

    /** @param base first address the arena may use (nothing else lives above it) */
    public Arena(int base) {
        this.base = align(base);
        this.top = this.base;
    }

    /** Reserves {@code size} bytes and returns their address; the caller makes sure the memory exists. */
    public int lend(int size) {
        if (exportReturned) {
            top = base;
            loanCount = 0;
            exportReturned = false;
        }
        int start = top;
        top = align(start + size);
        if (loanCount < TRACKED_LOANS) {
            loanStarts[loanCount] = start;
            loanSizes[loanCount] = size;
            loanCount++;
        }
        return start;
    }

    /** Where the next loan would start if {@code size} bytes were lent now (for checking memory first). */
    public int endAfterLending(int size) {
        return align((exportReturned ? base : top) + size);
    }

    /** Called when an export returns: the host has what it was lent once it reads the answer. */
    public void exportReturned() {
        exportReturned = true;
    }

    /**
     * The size of the loan starting at {@code ptr} in the current round (since the last export
     * returned), or -1 if there is none: an earlier call's buffer is not an output buffer any more.
     */
    public int loanSizeAt(int ptr) {
        for (int i = 0; i < loanCount && !exportReturned; i++) {
            if (loanStarts[i] == ptr) {
                return loanSizes[i];
            }
        }
        return -1;
    }

    /** First free address: everything from here to the end of memory is scratch. */
    public int top() {
        return exportReturned ? base : top;
    }

    public int base() {
        return base;
    }

    static int align(int address) {
        return (address + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
