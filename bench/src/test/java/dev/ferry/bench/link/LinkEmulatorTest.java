package dev.ferry.bench.link;

import dev.ferry.transport.sim.LinkProfile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both directions on real threads and the real clock, over in-memory devices. */
class LinkEmulatorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void forwardsBothWaysAfterTheDelayAndStops() throws Exception {
        QueueDevice a = new QueueDevice("a");
        QueueDevice b = new QueueDevice("b");
        LinkProfile profile = LinkProfile.PERFECT.withDelay(20, 0);
        LinkEmulator emulator = new LinkEmulator(a, b, profile, profile, 1, LinkEmulator.monotonicClock());
        emulator.start();
        try {
            long start = System.nanoTime();
            a.toEmulator.add(new byte[] {1, 2, 3});
            byte[] atB = b.fromEmulator.poll(PATIENCE.toNanos(), TimeUnit.NANOSECONDS);
            long took = System.nanoTime() - start;
            assertArrayEquals(new byte[] {1, 2, 3}, atB);
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(19), "a->b took " + took + " ns");

            b.toEmulator.add(new byte[] {4});
            assertArrayEquals(new byte[] {4}, a.fromEmulator.poll(PATIENCE.toNanos(), TimeUnit.NANOSECONDS));
        } finally {
            emulator.stop();
        }
        assertTrue(emulator.awaitTermination(PATIENCE));
        assertNull(emulator.failure());
        assertEquals(1, emulator.directions().get(0).published().link().packetsDelivered());
        assertEquals(1, emulator.directions().get(1).published().link().packetsDelivered());
    }

    @Test
    void aFailedDeviceStopsBothDirectionsAndSaysWhy() throws Exception {
        QueueDevice a = new QueueDevice("a");
        QueueDevice b = new QueueDevice("b");
        LinkEmulator emulator = new LinkEmulator(a, b, LinkProfile.PERFECT, LinkProfile.PERFECT, 1,
                LinkEmulator.monotonicClock());
        b.failReceive = new IOException("read b: No such device");
        emulator.start();
        assertTrue(emulator.awaitTermination(PATIENCE), "the healthy direction should stop too");
        assertNotNull(emulator.failure());
        assertEquals("b->a: read b: No such device", emulator.failure().getMessage());
    }
}
