package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The windowed max of the bandwidth and the windowed min of the RTT. */
class FiltersTest {

    @Test
    void bandwidthIsTheLargestSampleOfTheLastRounds() {
        BandwidthFilter f = new BandwidthFilter(10);
        f.update(500, 1);
        f.update(900, 2);
        f.update(700, 2);
        assertEquals(900, f.get());
        f.update(600, 11);
        assertEquals(900, f.get(), "round 2 is still within the last 10");
        f.update(600, 12);
        assertEquals(600, f.get(), "round 2 left the window");
        f.reset(100, 13);
        assertEquals(100, f.get());
    }

    @Test
    void bandwidthKeepsItsValueWhenNoSamplesCome() {
        BandwidthFilter f = new BandwidthFilter(10);
        f.update(900, 1);
        assertEquals(900, f.get(), "an app-limited sender feeds nothing; the estimate stays");
        f.update(10, 100);
        assertEquals(10, f.get());
    }

    @Test
    void minRttExpiresUnlessConfirmed() {
        MinRttFilter f = new MinRttFilter(10_000);
        assertEquals(-1, f.get());
        f.sample(50, 0);
        f.sample(60, 5_000);
        assertEquals(50, f.get());
        f.sample(50, 9_000);
        assertFalse(f.expired(18_000), "an equal sample confirms it");
        assertTrue(f.expired(19_001));
        f.restart(55, 19_001);
        assertEquals(55, f.get());
        assertFalse(f.expired(19_002));
    }
}
