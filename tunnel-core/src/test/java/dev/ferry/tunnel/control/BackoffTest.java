package dev.ferry.tunnel.control;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());

    @Test
    void growsExponentiallyWithJitterUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(SEED));
        long step = 100;
        for (int i = 0; i < 20; i++) {
            long d = b.nextDelayMillis();
            assertTrue(d >= step / 2 && d <= step, "attempt " + i + ": " + d + " not in [" + step / 2 + ", " + step
                    + "], seed " + SEED);
            step = Math.min(step * 2, 5000);
        }
    }

    @Test
    void resetStartsOver() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(SEED));
        for (int i = 0; i < 10; i++) {
            b.nextDelayMillis();
        }
        b.reset();
        assertEquals(0, b.attempts());
        assertTrue(b.nextDelayMillis() <= 100, "seed " + SEED);
    }

    @Test
    void jitterSpreadsClients() {
        long a = 0;
        long c = 0;
        for (int i = 0; i < 50; i++) {
            a += new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(5), new SplittableRandom(SEED + i))
                    .nextDelayMillis();
            c += 1;
        }
        long mean = a / c;
        assertTrue(mean > 600 && mean < 900, "mean first delay " + mean + " should sit mid-way in [500, 1000]");
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom(1)));
    }
}
