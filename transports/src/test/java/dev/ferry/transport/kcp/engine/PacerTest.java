package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token budget that spaces PUSH segments: rate, burst allowance, and the wake-up time it names. */
class PacerTest {
    private static final int MTU = 1350;

    /** Sends full segments whenever allowed, refilling each millisecond from {@code from} to {@code to}. */
    private static long drive(Pacer p, long rate, long from, long to) {
        long sent = 0;
        for (long t = from; t <= to; t++) {
            p.refill(t, rate);
            while (p.mayGo()) {
                p.spend(MTU);
                sent += MTU;
            }
        }
        return sent;
    }

    @Test
    void unpacedNeverHolds() {
        Pacer p = new Pacer(MTU);
        p.refill(0, 0);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(p.mayGo());
            p.spend(MTU);
        }
        assertEquals(5, p.nextSendAt(5, 0));
    }

    @Test
    void holdsTheRateOverASecondWithinOneBurst() {
        Pacer p = new Pacer(MTU);
        long rate = 1_000_000;
        long sent = drive(p, rate, 0, 999);
        long burst = Pacer.BURST_SEGMENTS * MTU;
        assertTrue(sent <= rate + burst + MTU, "sent " + sent);
        assertTrue(sent >= rate - MTU, "sent " + sent);
    }

    @Test
    void startsWithTheBurstAndNamesTheMillisecondOfTheNextSegment() {
        Pacer p = new Pacer(MTU);
        long rate = 135_000; // one full segment per 10 ms
        p.refill(0, rate);
        int burst = 0;
        while (p.mayGo()) {
            p.spend(MTU);
            burst++;
        }
        assertEquals(Pacer.BURST_SEGMENTS, burst, "a full bucket: the burst allowance");
        assertEquals(1, p.nextSendAt(0, rate), "one byte of budget takes a millisecond");
        p.refill(1, rate);
        assertTrue(p.mayGo());
        p.spend(MTU);
        assertEquals(11, p.nextSendAt(1, rate), "1350 - 135 bytes short: 10 ms more at 135 B/ms");
        p.refill(10, rate);
        assertFalse(p.mayGo());
        p.refill(11, rate);
        assertTrue(p.mayGo());
    }

    @Test
    void idleTimeEarnsNoMoreThanTheBurst() {
        Pacer p = new Pacer(MTU);
        long rate = 1_000_000;
        drive(p, rate, 0, 10);
        long afterIdle = drive(p, rate, 60_000, 60_000);
        assertTrue(afterIdle <= Pacer.BURST_SEGMENTS * MTU + MTU, "after a minute idle: " + afterIdle);
    }

    @Test
    void theBurstIsTwoMillisecondsAtHighRates() {
        Pacer p = new Pacer(MTU);
        long rate = 125_000_000; // 1 Gbit/s
        long first = drive(p, rate, 0, 0);
        assertTrue(first >= rate * Pacer.BURST_MILLIS / 1000 && first <= rate * Pacer.BURST_MILLIS / 1000 + MTU,
                "first millisecond: " + first);
        assertEquals(rate / 1000, drive(p, rate, 1, 1), MTU, "then a millisecond's worth each millisecond");
    }
}
