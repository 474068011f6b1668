package dev.ferry.bench.link;

import dev.ferry.bench.link.ScriptedDevice.NanoClock;
import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;
import dev.ferry.transport.sim.LinkStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forwarding loop in simulated time: what comes out of the far device, when, and what is counted. */
class LinkForwarderTest {
    private static final long MS = 1_000_000L;
    private static final long SEED = 42;

    private final NanoClock clock = new NanoClock();
    private final ScriptedDevice a = new ScriptedDevice("a", clock);
    private final ScriptedDevice b = new ScriptedDevice("b", clock);

    private LinkForwarder forwarder(LinkProfile profile) {
        return new LinkForwarder("a->b", a, b, profile, new SplittableRandom(SEED), clock::get);
    }

    /** Pumps until the clock passes {@code untilNanos}. */
    private static void pumpUntil(LinkForwarder f, NanoClock clock, long untilNanos) throws IOException {
        while (clock.now < untilNanos) {
            f.pumpOnce();
        }
    }

    /** A packet of {@code size} (≥ 4) bytes that starts with {@code seq}, big-endian. */
    private static byte[] packet(int seq, int size) {
        return ByteBuffer.allocate(size).putInt(seq).array();
    }

    private static int seq(ScriptedDevice.Packet p) {
        return ByteBuffer.wrap(p.bytes()).getInt();
    }

    @Test
    void deliversAfterTheDelayToATenthOfAMillisecond() throws IOException {
        LinkForwarder f = forwarder(LinkProfile.PERFECT.withDelay(25, 0));
        // Arrivals at odd sub-millisecond instants: each comes out 25 ms later, to within one 0.1 ms tick.
        long[] at = {1_234_567, 7_000_001, 7_999_999, 13_050_000};
        for (int i = 0; i < at.length; i++) {
            a.arrive(at[i], packet(i, 100));
        }
        pumpUntil(f, clock, 60 * MS);
        assertEquals(at.length, b.sent.size());
        for (int i = 0; i < at.length; i++) {
            long delay = b.sent.get(i).atNanos() - at[i];
            assertTrue(delay >= 25 * MS - LinkForwarder.NANOS_PER_TICK && delay <= 25 * MS + LinkForwarder.NANOS_PER_TICK,
                    "packet " + i + " took " + delay + " ns");
            assertEquals(i, seq(b.sent.get(i)));
        }
    }

    @Test
    void waitsUntilTheNextDeliveryAndNoLongerThanMaxWaitWhenIdle() throws IOException {
        LinkForwarder f = forwarder(LinkProfile.PERFECT.withDelay(10, 0));
        a.arrive(0, packet(0, 100));
        f.pumpOnce(); // reads the packet
        f.pumpOnce(); // nothing else to read: waits exactly until it is due
        assertEquals(10 * MS, clock.now);
        f.pumpOnce(); // delivers, then idles
        assertEquals(1, b.sent.size());
        assertEquals(LinkForwarder.MAX_WAIT_NANOS, a.waits.getLast());
        assertTrue(a.waits.stream().allMatch(w -> w > 0 && w <= LinkForwarder.MAX_WAIT_NANOS), a.waits.toString());
    }

    @Test
    void rateCapSpacesPacketsAndTailDropsWhatTheQueueCannotHold() throws IOException {
        // 1 Mbit/s = 125,000 B/s: a 1,250-byte packet takes 10 ms. Queue 5,000 B: 4 packets, the one on the wire
        // included. 10 packets at once: 4 pass, 10 ms apart; 6 are dropped.
        LinkForwarder f = forwarder(LinkProfile.PERFECT.withRateLimit(125_000, 5_000));
        for (int i = 0; i < 10; i++) {
            a.arrive(0, packet(i, 1_250));
        }
        pumpUntil(f, clock, 200 * MS);
        assertEquals(4, b.sent.size());
        for (int i = 0; i < 4; i++) {
            assertEquals((i + 1) * 10 * MS, b.sent.get(i).atNanos(), "packet " + i);
        }
        LinkStats s = f.counters().link();
        assertEquals(10, s.packetsOffered());
        assertEquals(6, s.packetsQueueDropped());
        assertEquals(4, s.packetsDelivered());
    }

    @Test
    void lossIsAppliedAndCountedAndTheBooksBalance() throws IOException {
        LinkForwarder f = forwarder(LinkProfile.PERFECT.withDelay(5, 3).withLoss(0.1)
                .withBurstLoss(GilbertElliott.gilbert(0.01, 0.25)));
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            a.arrive(i * 100_000L, packet(i, 200)); // one every 0.1 ms
        }
        pumpUntil(f, clock, n * 100_000L + 50 * MS);
        LinkForwarder.Counters c = f.counters();
        LinkStats s = c.link();
        assertEquals(n, s.packetsOffered());
        assertEquals(0, c.inFlight());
        assertEquals(s.packetsDelivered(), b.sent.size());
        assertEquals(n, s.packetsDelivered() + s.packetsLost());
        double expected = 1 - 0.9 * (1 - 0.01 / 0.26);
        assertEquals(expected, s.packetsLost() / (double) n, 0.015, s.toString());
        // Jitter (3 ms, with packets 0.1 ms apart) never reorders.
        for (int i = 1; i < b.sent.size(); i++) {
            assertTrue(seq(b.sent.get(i)) > seq(b.sent.get(i - 1)), "reordered at " + i);
            assertTrue(b.sent.get(i).atNanos() >= b.sent.get(i - 1).atNanos());
        }
    }

    @Test
    void sameSeedSameDecisions() throws IOException {
        LinkProfile lossy = LinkProfile.PERFECT.withDelay(1, 2).withLoss(0.3);
        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            NanoClock c = new NanoClock();
            ScriptedDevice from = new ScriptedDevice("a", c);
            ScriptedDevice to = new ScriptedDevice("b", c);
            for (int i = 0; i < 1_000; i++) {
                from.arrive(i * MS, packet(i, 64));
            }
            LinkForwarder f = new LinkForwarder("a->b", from, to, lossy, new SplittableRandom(7), c::get);
            pumpUntil(f, c, 1_100 * MS);
            runs.add(to.sent.stream().map(p -> seq(p) + "@" + p.atNanos()).toList());
        }
        assertTrue(runs.get(0).size() > 600 && runs.get(0).size() < 800, "delivered " + runs.get(0).size());
        assertEquals(runs.get(0), runs.get(1));
    }

    @Test
    void aRefusedWriteIsCountedAndForwardingGoesOn() throws IOException {
        LinkForwarder f = forwarder(LinkProfile.PERFECT);
        b.failSend = new IOException("write b: Input/output error");
        a.arrive(0, packet(0, 64)).arrive(MS, packet(1, 64));
        pumpUntil(f, clock, MS / 2);
        b.failSend = null;
        pumpUntil(f, clock, 3 * MS);
        LinkForwarder.Counters c = f.counters();
        assertEquals(1, c.sendErrors());
        assertEquals("write b: Input/output error", c.lastSendError());
        assertEquals(1, b.sent.size());
        assertEquals(1, seq(b.sent.getFirst()));
    }

    @Test
    void aFailedReadEndsRunWithTheReason() {
        LinkForwarder f = forwarder(LinkProfile.PERFECT);
        a.failReceive = new IOException("read a: File descriptor in bad state");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, f::run);
        assertEquals("a->b: read a: File descriptor in bad state", e.getMessage());
    }

    @Test
    void stopEndsRun() {
        LinkForwarder f = forwarder(LinkProfile.PERFECT);
        f.stop();
        f.run(); // returns at once
        assertEquals(0, f.published().link().packetsOffered());
    }

    @Test
    void modelProfileRunsTenTicksPerMillisecond() {
        LinkProfile real = LinkProfile.PERFECT.withDelay(25, 4).withLoss(0.05).withRateLimit(2_500_000, 65_536);
        LinkProfile model = LinkForwarder.modelProfile(real);
        assertEquals(250, model.delayMillis());
        assertEquals(40, model.jitterMillis());
        assertEquals(250_000, model.rateBytesPerSecond());
        assertEquals(65_536, model.queueBytes());
        assertEquals(0.05, model.loss());
        assertEquals(LinkProfile.PERFECT, LinkForwarder.modelProfile(LinkProfile.PERFECT));
    }
}
