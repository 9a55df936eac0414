package tark.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArenaTest {
    @Test
    void baseIsAlignedUpTo16() {
        assertEquals(112, new Arena(100).base());
        assertEquals(128, new Arena(128).base());
        assertEquals(0, new Arena(0).base());
        assertEquals(16, new Arena(1).base());
    }

    @Test
    void topIsTheBaseBeforeAnyLoan() {
        Arena arena = new Arena(1000);
        assertEquals(arena.base(), arena.top());
        assertEquals(1008, arena.top());
    }

    @Test
    void loansBumpAndStayAligned() {
        Arena arena = new Arena(1024);
        int first = arena.lend(10);
        int second = arena.lend(1);
        int third = arena.lend(8192);
        int fourth = arena.lend(16);
        assertEquals(1024, first);
        assertEquals(1040, second, "10 bytes rounded up to 16");
        assertEquals(1056, third, "1 byte rounded up to 16");
        assertEquals(1056 + 8192, fourth);
        assertEquals(1056 + 8192 + 16, arena.top());
        for (int address : new int[] {first, second, third, fourth}) {
            assertEquals(0, address % Arena.ALIGNMENT);
        }
    }

    @Test
    void anEmptyLoanHasAnAddressOfItsOwn() {
        Arena arena = new Arena(0);
        int empty = arena.lend(0);
        int next = arena.lend(65536);
        assertTrue(next > empty, "the next loan starts after it");
        assertEquals(0, arena.outputCapacity(empty, 1 << 20));
        assertEquals(65536, arena.outputCapacity(next, 1 << 20), "not taken for the empty one");
        assertEquals(arena.top(), arena.endAfterLending(0) - Arena.ALIGNMENT, "predicted alike");
    }

    @Test
    void loansDoNotOverlap() {
        Arena arena = new Arena(64);
        int[] sizes = {3, 17, 100, 1, 16, 31, 4096};
        int previousEnd = arena.base();
        for (int size : sizes) {
            int start = arena.lend(size);
            assertTrue(start >= previousEnd, "loan of " + size + " at " + start + " overlaps " + previousEnd);
            previousEnd = start + size;
        }
        assertTrue(arena.top() >= previousEnd);
    }

    @Test
    void endAfterLendingPredictsTheNextTop() {
        Arena arena = new Arena(0);
        assertEquals(16, arena.endAfterLending(5));
        arena.lend(5);
        assertEquals(16 + 8192, arena.endAfterLending(8192));
        arena.lend(8192);
        assertEquals(16 + 8192, arena.top());
        arena.exportReturned();
        assertEquals(32, arena.endAfterLending(17), "after an export returned, the next loan starts at the base");
    }

    @Test
    void resetsAtTheFirstLoanAfterAnExportReturned() {
        Arena arena = new Arena(4096);
        int first = arena.lend(8192);
        arena.lend(100);
        arena.exportReturned();
        assertEquals(arena.base(), arena.top(), "everything is scratch once the export returned");
        int again = arena.lend(8192);
        assertEquals(first, again, "the same buffer is reused");
        assertEquals(arena.base() + 8192, arena.top());
    }

    @Test
    void loansOfTheSameRoundAreKeptUntilTheExportReturns() {
        Arena arena = new Arena(0);
        int first = arena.lend(8192);
        int second = arena.lend(8192);
        assertTrue(second >= first + 8192, "a second loan in the same round must not reuse the first");
        assertEquals(first + 8192 + 8192, arena.top());
    }

    @Test
    void thousandsOfRoundsStayBounded() {
        Arena arena = new Arena(65536);
        Set<Integer> addresses = new HashSet<>();
        int highestTop = 0;
        for (int round = 0; round < 5000; round++) {
            addresses.add(arena.lend(8192));
            addresses.add(arena.lend(300));
            highestTop = Math.max(highestTop, arena.top());
            arena.exportReturned();
        }
        assertEquals(2, addresses.size());
        assertEquals(65536 + 8192 + 304, highestTop);
    }

    @Test
    void loanSizesAreTrackedPerRound() {
        Arena arena = new Arena(0);
        int a = arena.lend(8192);
        int b = arena.lend(40);
        int c = arena.lend(0);
        assertEquals(8192, arena.loanSizeAt(a));
        assertEquals(40, arena.loanSizeAt(b));
        assertEquals(0, arena.loanSizeAt(c));
        assertEquals(-1, arena.loanSizeAt(a + 16), "not the start of a loan");
        assertEquals(-1, arena.loanSizeAt(123456));

        arena.exportReturned();
        int d = arena.lend(100);
        assertEquals(a, d);
        assertEquals(100, arena.loanSizeAt(d), "the new round's size, not the old one's");
        assertEquals(-1, arena.loanSizeAt(b), "the previous round's loans are forgotten");
    }

    @Test
    void eightLoansPerRoundAreTracked() {
        Arena arena = new Arena(0);
        int[] starts = new int[8];
        for (int i = 0; i < 8; i++) {
            starts[i] = arena.lend(32 + i);
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(32 + i, arena.loanSizeAt(starts[i]));
        }
    }

    @Test
    void alignRoundsUp() {
        assertEquals(0, Arena.align(0));
        assertEquals(16, Arena.align(1));
        assertEquals(16, Arena.align(16));
        assertEquals(32, Arena.align(17));
    }

    @Test
    void anEarlierCallsLoanIsNotAnOutputBufferAnyMore() {
        Arena arena = new Arena(1024);
        int loan = arena.lend(8192);
        assertEquals(8192, arena.loanSizeAt(loan));
        arena.exportReturned();
        assertEquals(-1, arena.loanSizeAt(loan), "the call it was lent for has returned");
        assertEquals(loan, arena.lend(8192), "the next round reuses the memory");
        assertEquals(8192, arena.loanSizeAt(loan));
    }

    // ---- WasmMemory.write and outputCapacity decide with these, against the size alloc lent ----

    @Test
    void theOutputCapacityIsTheLentSize() {
        Arena arena = new Arena(1024);
        int ret = arena.lend(8192);
        assertEquals(8192, arena.outputCapacity(ret, 1 << 20));
        assertEquals(-1, arena.outputCapacity(ret + 16, 1 << 20), "inside a loan is not a loan's start");
        assertEquals(-1, arena.outputCapacity(0, 1 << 20), "never lent");
    }

    @Test
    void aLoanPastTheEndOfMemoryIsNoOutputBuffer() {
        Arena arena = new Arena(1024);
        int ret = arena.lend(8192);
        assertEquals(8192, arena.outputCapacity(ret, ret + 8192), "ends exactly at the end of memory");
        assertEquals(-1, arena.outputCapacity(ret, ret + 8191), "one byte would lie past it");
    }

    @Test
    void writableUpToTheLentSizeAndNotOneByteMore() {
        Arena arena = new Arena(1024);
        int ret = arena.lend(4096);
        int end = 1 << 20;
        assertEquals(0, arena.writable(ret, 0, end));
        assertEquals(4096, arena.writable(ret, 4096, end));
        assertEquals(Buffers.TOO_LARGE, arena.writable(ret, 4097, end));
        assertEquals(Buffers.NOT_LENT, arena.writable(ret + 1, 1, end));
        arena.exportReturned();
        assertEquals(Buffers.NOT_LENT, arena.writable(ret, 1, end), "lent for a call that has returned");
    }

    @Test
    void arrayBuffersWriteWhatFitsAndNothingElse() {
        ArrayBuffers buffers = new ArrayBuffers(1 << 16);
        int ret = buffers.alloc(4);
        int next = buffers.alloc(4);
        assertEquals(4, buffers.write(ret, new byte[] {1, 2, 3, 4}));
        assertEquals(Buffers.TOO_LARGE, buffers.write(next, new byte[] {9, 9, 9, 9, 9}));
        assertEquals(Buffers.NOT_LENT, buffers.write(next + 1, new byte[] {9}));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, buffers.get(ret, 4));
        assertArrayEquals(new byte[4], buffers.get(next, 4), "a refused write leaves the buffer untouched");
    }
}
