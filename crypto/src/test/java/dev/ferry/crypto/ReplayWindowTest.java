package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayWindowTest {

    @Test
    void inOrderIsAcceptedOnce() {
        ReplayWindow window = new ReplayWindow(128);
        assertEquals(-1, window.highest());
        for (long n = 0; n < 1000; n++) {
            assertTrue(window.isFresh(n));
            assertTrue(window.accept(n), "n=" + n);
            assertFalse(window.accept(n), "duplicate n=" + n);
            assertFalse(window.isFresh(n));
        }
        assertEquals(999, window.highest());
    }

    @Test
    void outOfOrderWithinWindowThenTooOld() {
        ReplayWindow window = new ReplayWindow(64);
        assertTrue(window.accept(100));
        assertTrue(window.accept(37), "100 - 37 = 63 < 64: inside");
        assertFalse(window.accept(36), "100 - 36 = 64: outside");
        assertTrue(window.accept(99));
        assertFalse(window.accept(99));
        assertFalse(window.accept(37));
        assertTrue(window.accept(101));
        assertFalse(window.isFresh(37), "slid out of the window");
        assertEquals(101, window.highest());
    }

    @Test
    void fullWindowIsUsableAtEveryAlignment() {
        // The extra ring word means the whole window works whatever highest's bit offset is.
        for (long top = 200; top < 200 + 64; top++) {
            ReplayWindow window = new ReplayWindow(128);
            assertTrue(window.accept(top));
            for (long n = top - 127; n < top; n++) {
                assertTrue(window.accept(n), "top=" + top + " n=" + n);
            }
            assertFalse(window.isFresh(top - 128), "top=" + top);
        }
    }

    @Test
    void bigJumpForgetsTheOldWindowButNotTheRule() {
        ReplayWindow window = new ReplayWindow(256);
        for (long n = 0; n < 300; n++) {
            window.accept(n);
        }
        assertTrue(window.accept(1_000_000));
        assertFalse(window.isFresh(299), "too old now");
        assertTrue(window.accept(1_000_000 - 255));
        assertTrue(window.accept(Long.MAX_VALUE));
        assertFalse(window.accept(Long.MAX_VALUE));
        assertTrue(window.accept(Long.MAX_VALUE - 255));
        assertFalse(window.accept(Long.MAX_VALUE - 256));
        assertFalse(window.accept(1_000_001));
    }

    @Test
    void zeroIsAPacketNumberAndNegativesAreNot() {
        ReplayWindow window = new ReplayWindow(64);
        assertTrue(window.accept(0));
        assertEquals(0, window.highest());
        assertFalse(window.accept(0));
        assertFalse(window.accept(-1));
        assertFalse(window.accept(Long.MIN_VALUE));
    }

    @Test
    void isFreshChangesNothing() {
        ReplayWindow window = new ReplayWindow(64);
        window.accept(10);
        for (int i = 0; i < 3; i++) {
            assertTrue(window.isFresh(500));
        }
        assertTrue(window.accept(11), "isFresh(500) did not slide the window");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 63, 65, 100, -64})
    void badSizesAreRefused(int bits) {
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(bits));
    }

    /** Seeded random traffic (reordering, duplicates, jumps) against the obvious model. */
    @ParameterizedTest
    @ValueSource(ints = {64, 128, 2048})
    void matchesAReferenceModel(int windowBits) {
        long baseSeed = 0xfe77_0000L + windowBits;
        for (int run = 0; run < 40; run++) {
            long seed = baseSeed + run;
            SplittableRandom random = new SplittableRandom(seed);
            ReplayWindow window = new ReplayWindow(windowBits);
            Model model = new Model(windowBits);
            long cursor = 0;
            for (int step = 0; step < 5000; step++) {
                int choice = random.nextInt(100);
                long n;
                if (choice < 50) {
                    n = cursor++;                                               // in order
                } else if (choice < 80) {
                    n = Math.max(0, cursor - 1 - random.nextInt(windowBits + 64)); // late, maybe too late
                } else if (choice < 90) {
                    n = cursor + random.nextInt(3 * windowBits);               // ahead
                } else if (choice < 98) {
                    n = Math.max(0, cursor - random.nextInt(8));               // likely duplicate
                } else {
                    cursor += random.nextInt(10 * windowBits);                 // big jump
                    n = cursor;
                }
                String where = "seed=" + seed + " step=" + step + " n=" + n;
                boolean expected = model.isFresh(n);
                assertEquals(expected, window.isFresh(n), where);
                assertEquals(expected, window.accept(n), where);
                model.accept(n);
            }
        }
    }

    /** Unbounded memory, obviously right. */
    private static final class Model {
        private final int windowBits;
        private final Set<Long> seen = new HashSet<>();
        private long highest = -1;

        Model(int windowBits) {
            this.windowBits = windowBits;
        }

        boolean isFresh(long n) {
            return n >= 0 && !seen.contains(n) && (n > highest || highest - n < windowBits);
        }

        void accept(long n) {
            if (isFresh(n)) {
                seen.add(n);
                highest = Math.max(highest, n);
            }
        }
    }
}
