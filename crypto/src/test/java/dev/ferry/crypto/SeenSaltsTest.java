package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SeenSaltsTest {

    private static final Duration TTL = Duration.ofSeconds(120);
    private final FakeInstantSource clock = new FakeInstantSource();

    @Test
    void replayWithinTtlIsRefusedAndAcceptedAfter() {
        SeenSalts salts = new SeenSalts(clock, TTL, 100);
        assertTrue(salts.firstSeen(salt(1)));
        assertFalse(salts.firstSeen(salt(1)));
        clock.advance(TTL);
        assertFalse(salts.firstSeen(salt(1)), "still refused at exactly ttl");
        clock.advance(Duration.ofNanos(1));
        assertTrue(salts.firstSeen(salt(1)), "forgotten after ttl");
        assertFalse(salts.firstSeen(salt(1)), "and remembered again from now");
    }

    @Test
    void aRepeatedOfferDoesNotExtendTheEntry() {
        SeenSalts salts = new SeenSalts(clock, TTL, 100);
        assertTrue(salts.firstSeen(salt(1)));
        clock.advance(Duration.ofSeconds(100));
        assertFalse(salts.firstSeen(salt(1)));
        clock.advance(Duration.ofSeconds(21));
        assertTrue(salts.firstSeen(salt(1)));
    }

    @Test
    void saltIsCopied() {
        SeenSalts salts = new SeenSalts(clock, TTL, 100);
        byte[] mutable = salt(7);
        assertTrue(salts.firstSeen(mutable));
        mutable[0] ^= 1;
        assertFalse(salts.firstSeen(salt(7)));
    }

    @Test
    void fullTableFailsClosedUntilEntriesExpire() {
        SeenSalts salts = new SeenSalts(clock, TTL, 3);
        assertTrue(salts.firstSeen(salt(1)));
        clock.advance(Duration.ofSeconds(10));
        assertTrue(salts.firstSeen(salt(2)));
        assertTrue(salts.firstSeen(salt(3)));
        assertFalse(salts.firstSeen(salt(4)), "full: refuse rather than forget");
        assertEquals(3, salts.size());
        assertFalse(salts.firstSeen(salt(4)), "a refused salt was not stored");

        clock.advance(Duration.ofSeconds(111));   // salt 1 is now 121 s old
        assertEquals(2, salts.size());
        assertTrue(salts.firstSeen(salt(4)));
        assertFalse(salts.firstSeen(salt(2)), "younger entries survive");
        assertFalse(salts.firstSeen(salt(5)), "full again");
    }

    @Test
    void expiredEntriesAreEvictedAsTimePasses() {
        SeenSalts salts = new SeenSalts(clock, TTL, 10_000);
        for (int i = 0; i < 1000; i++) {
            assertTrue(salts.firstSeen(salt(i)));
            clock.advance(Duration.ofMillis(100));   // 1000 salts over 100 s
        }
        assertEquals(1000, salts.size());
        clock.advance(Duration.ofSeconds(70));       // t = 170 s; salt i was first seen at i * 0.1 s
        assertEquals(500, salts.size(), "salts 0..499 are over 120 s old; salt 500 is exactly 120 s old");
        clock.advance(Duration.ofNanos(1));
        assertEquals(499, salts.size(), "now salt 500 is gone too");
        assertTrue(salts.firstSeen(salt(500)));
        assertFalse(salts.firstSeen(salt(501)), "salt 501 still held");
        clock.advance(Duration.ofSeconds(60));       // t = 230 s: only the salt 500 re-added at 170 s is left
        assertEquals(1, salts.size());
        assertFalse(salts.firstSeen(salt(500)));
        clock.advance(Duration.ofSeconds(61));
        assertEquals(0, salts.size());
    }

    @Test
    void aClockThatStepsBackDoesNotForgetEarly() {
        SeenSalts salts = new SeenSalts(clock, TTL, 100);
        clock.advance(Duration.ofSeconds(100));
        assertTrue(salts.firstSeen(salt(1)));
        clock.advance(Duration.ofSeconds(-100));
        assertTrue(salts.firstSeen(salt(2)));
        clock.advance(Duration.ofSeconds(221));   // 121 s after salt 1, by the latest reading
        assertEquals(0, salts.size());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SeenSalts(clock, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> new SeenSalts(clock, Duration.ofSeconds(-1), 1));
        assertThrows(IllegalArgumentException.class, () -> new SeenSalts(clock, TTL, 0));
        assertThrows(NullPointerException.class, () -> new SeenSalts(null, TTL, 1));
        assertThrows(NullPointerException.class, () -> new SeenSalts(clock, TTL, 1).firstSeen(null));
    }

    private static byte[] salt(int i) {
        return ByteBuffer.allocate(16).putInt(0, i).putLong(8, 0x5a17_5a17_5a17L).array();
    }
}
