package dev.ferry.transport.sim;

import dev.ferry.transport.sim.LinkTestSupport.Delivery;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.ferry.transport.sim.LinkTestSupport.SEED;
import static dev.ferry.transport.sim.LinkTestSupport.context;
import static dev.ferry.transport.sim.LinkTestSupport.drain;
import static dev.ferry.transport.sim.LinkTestSupport.link;
import static dev.ferry.transport.sim.LinkTestSupport.packet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When packets come out: the bottleneck's rate and queue, delay, jitter and reordering. */
class SimulatedLinkTimingTest {

    @Test
    void rateCapSerializesBackToBackPacketsAtTheRate() {
        // 1 MB/s, 1000-byte packets: one per millisecond once the queue is busy; a big queue so nothing drops.
        LinkProfile profile = LinkProfile.PERFECT.withDelay(10, 0).withRateLimit(1_000_000, 10_000_000);
        SimulatedLink link = link(profile);
        List<Delivery> got = new ArrayList<>();
        int n = 4000;
        for (int i = 0; i < n; i++) {
            link.send(packet(i, i / 4, 1000), i / 4); // offered at 4 MB/s for one second
        }
        drain(link, n / 4, got);
        String ctx = context(profile, link.stats());
        assertEquals(n, got.size(), ctx);
        for (int i = 0; i < n; i++) {
            assertEquals(i, got.get(i).seq(), ctx);
            // Serialization ends at (i + 1) ms, then 10 ms of propagation.
            assertEquals(i + 1 + 10, got.get(i).due(), ctx + ": packet " + i);
        }
    }

    @Test
    void rateCapHoldsForOddSizesAndRates() {
        long rate = 777_777;
        LinkProfile profile = LinkProfile.PERFECT.withRateLimit(rate, 50_000_000);
        SimulatedLink link = link(profile);
        SplittableRandom sizes = new SplittableRandom(SEED);
        long bytes = 0;
        for (int i = 0; i < 20_000; i++) {
            int size = 40 + sizes.nextInt(1400);
            bytes += size;
            link.send(packet(i, 0, size), 0);
        }
        List<Delivery> got = new ArrayList<>();
        drain(link, 0, got);
        long expectedLastMillis = (long) Math.ceil(bytes * 1000.0 / rate);
        long last = got.getLast().due();
        assertTrue(Math.abs(last - expectedLastMillis) <= 1, "last delivery at " + last + " ms, expected "
                + expectedLastMillis + " ms; " + context(profile, link.stats()));
    }

    @Test
    void fullQueueTailDropsAndBoundsTheQueueingDelay() {
        int queue = 10_000;
        LinkProfile profile = LinkProfile.PERFECT.withRateLimit(1_000_000, queue);
        SimulatedLink link = link(profile);
        List<Delivery> got = new ArrayList<>();
        long[] sentAt = new long[10_000];
        for (int i = 0; i < sentAt.length; i++) {
            long now = i / 2; // 2 MB/s offered into 1 MB/s for five seconds
            sentAt[i] = now;
            link.send(packet(i, now, 1000), now);
            assertTrue(link.queuedBytes(now) <= queue, "queue over its limit at " + now + " ms");
            link.deliverDue(now, (p, due) -> got.add(Delivery.of(p, due)));
        }
        drain(link, 5000, got);
        LinkStats s = link.stats();
        String ctx = context(profile, s);
        assertEquals(0.5, (double) s.packetsQueueDropped() / s.packetsOffered(), 0.01, ctx);
        assertEquals(s.packetsOffered() - s.packetsQueueDropped(), s.packetsDelivered(), ctx);
        for (Delivery d : got) {
            long waited = d.due() - sentAt[d.seq()];
            assertTrue(waited <= queue / 1000 + 1, "packet " + d.seq() + " waited " + waited + " ms; " + ctx);
        }
        // The bottleneck never idled while overloaded: about 5000 packets of 1000 B went through in 5 s.
        assertEquals(5000, got.size(), 12, ctx);
    }

    @Test
    void packetBiggerThanTheQueueIsAlwaysDropped() {
        SimulatedLink link = link(LinkProfile.PERFECT.withRateLimit(1_000_000, 1000));
        link.send(new byte[1001], 0);
        link.send(new byte[1000], 0);
        assertEquals(1, link.stats().packetsQueueDropped());
        assertEquals(1, link.packetsInFlight());
    }

    @Test
    void delayAndJitterStayInBoundsAndJitterAloneNeverReorders() {
        LinkProfile profile = LinkProfile.PERFECT.withDelay(30, 50); // jitter far wider than the 1 ms spacing
        SimulatedLink link = link(profile);
        List<Delivery> got = new ArrayList<>();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            link.send(packet(i, i, 64), i);
            link.deliverDue(i, (p, due) -> got.add(Delivery.of(p, due)));
        }
        drain(link, n, got);
        String ctx = context(profile, link.stats());
        assertEquals(n, got.size(), ctx);
        for (int i = 0; i < n; i++) {
            Delivery d = got.get(i);
            assertEquals(i, d.seq(), ctx + ": out of order");
            long latency = d.due() - d.sentAt();
            assertTrue(latency >= 30 && latency <= 80, "latency " + latency + " ms of packet " + i + "; " + ctx);
        }
    }

    @Test
    void sparsePacketsSeeTheWholeJitterRange() {
        // Packets further apart than the jitter never wait for one another, so each latency is its own draw.
        LinkProfile profile = LinkProfile.PERFECT.withDelay(30, 50);
        SimulatedLink link = link(profile);
        List<Delivery> got = new ArrayList<>();
        int n = 2000;
        for (int i = 0; i < n; i++) {
            long now = i * 100L;
            link.send(packet(i, now, 64), now);
            link.deliverDue(now, (p, due) -> got.add(Delivery.of(p, due)));
        }
        drain(link, n * 100L, got);
        long[] histogram = new long[5];
        for (Delivery d : got) {
            long latency = d.due() - d.sentAt();
            assertTrue(latency >= 30 && latency <= 80, "latency " + latency + "; seed " + SEED + ", " + profile);
            histogram[(int) Math.max(0, latency - 31) / 10]++; // due is rounded up: 31..80 ms, 10 ms a band
        }
        for (long bucket : histogram) { // uniform: about 400 in each 10 ms band
            assertEquals(400, bucket, 80, "latency histogram " + Arrays.toString(histogram) + "; seed " + SEED);
        }
    }

    @Test
    void reorderingHoldsBackAShareOfPacketsByTheExtraDelay() {
        LinkProfile profile = LinkProfile.PERFECT.withDelay(20, 0).withReordering(0.1, 15);
        SimulatedLink link = link(profile);
        List<Delivery> got = new ArrayList<>();
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            link.send(packet(i, i, 64), i);
            link.deliverDue(i, (p, due) -> got.add(Delivery.of(p, due)));
        }
        drain(link, n, got);
        LinkStats s = link.stats();
        String ctx = context(profile, s);
        assertEquals(n, got.size(), ctx);
        assertEquals(0.1, (double) s.packetsReordered() / n, 0.005, ctx);
        int held = 0;
        int overtaken = 0;
        int highest = -1;
        for (Delivery d : got) {
            long latency = d.due() - d.sentAt();
            assertTrue(latency == 20 || latency == 35, "latency " + latency + " of packet " + d.seq() + "; " + ctx);
            if (latency == 35) {
                held++;
            }
            if (d.seq() < highest) {
                overtaken++;
            }
            highest = Math.max(highest, d.seq());
        }
        assertEquals(s.packetsReordered(), held, ctx);
        assertTrue(overtaken > 0.09 * n, overtaken + " packets arrived after a later one; " + ctx);
    }

    @Test
    void nextDeliveryTimeIsTheFirstMillisecondAPacketIsDue() {
        SimulatedLink link = link(LinkProfile.PERFECT.withDelay(7, 0).withRateLimit(3_000, 100_000));
        assertEquals(Long.MAX_VALUE, link.nextDeliveryTime());
        link.send(new byte[10], 100); // 10 B at 3 kB/s: serialized after 3.33 ms, due at 110.33 ms
        assertEquals(111, link.nextDeliveryTime());
        assertEquals(0, link.deliverDue(110, (p, due) -> { }));
        assertEquals(1, link.deliverDue(111, (p, due) -> assertEquals(111, due)));
        assertEquals(Long.MAX_VALUE, link.nextDeliveryTime());
    }
}
