package chatgpt.oauth.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The length arithmetic at the largest array: exact up to it, refused past it, never wrapped. */
class LengthsTest {
    private static final int MAX = Integer.MAX_VALUE;

    @Test
    void addIsExactUpToTheLargestArrayAndRefusesPastIt() {
        assertEquals(0, Lengths.add(0, 0));
        assertEquals(MAX, Lengths.add(MAX - 64, 64));
        assertEquals(MAX, Lengths.add(0, MAX));
        assertThrows(IllegalArgumentException.class, () -> Lengths.add(MAX - 63, 64));
        assertThrows(IllegalArgumentException.class, () -> Lengths.add(MAX, 1));
        assertThrows(IllegalArgumentException.class, () -> Lengths.add(MAX, MAX));
    }

    /** Block counts of the longest array: no length + blockBytes - 1 that would wrap. */
    @Test
    void blocksCountsAPartialLastBlockAtEveryLength() {
        assertEquals(0, Lengths.blocks(0, 16));
        assertEquals(1, Lengths.blocks(1, 16));
        assertEquals(1, Lengths.blocks(16, 16));
        assertEquals(2, Lengths.blocks(17, 16));
        assertEquals(1 << 27, Lengths.blocks(MAX, 16));
        assertEquals((1 << 27) - 1, Lengths.blocks(MAX - 16, 16));
        assertEquals(1 << 25, Lengths.blocks(MAX, 64));
        assertEquals(1 << 25, Lengths.blocks(MAX - 62, 64));
        assertEquals((1 << 25) - 1, Lengths.blocks(MAX - 63, 64));
    }
}
