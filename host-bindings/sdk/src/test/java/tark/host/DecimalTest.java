package tark.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalTest {
    @Test
    void writesAsJavaDoes() {
        long[] edges = {0, 1, -1, 9, 10, -10, 99, 100, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, Long.MIN_VALUE + 1};
        for (long value : edges) {
            assertEquals(Long.toString(value), Decimal.of(value));
        }
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            assertEquals(Long.toString(value), Decimal.of(value));
        }
    }
}
