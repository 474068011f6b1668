package dev.ferry.transport.sim;

import dev.ferry.transport.sim.LinkTestSupport.Delivery;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.ferry.transport.sim.LinkTestSupport.SEED;
import static dev.ferry.transport.sim.LinkTestSupport.context;
import static dev.ferry.transport.sim.LinkTestSupport.link;
import static dev.ferry.transport.sim.LinkTestSupport.lossPattern;
import static dev.ferry.transport.sim.LinkTestSupport.meanRunLength;
import static dev.ferry.transport.sim.LinkTestSupport.packet;
import static dev.ferry.transport.sim.LinkTestSupport.share;
import static dev.ferry.transport.sim.LinkTestSupport.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the link drops, duplicates and reproduces, measured over many seeded packets. */
class SimulatedLinkLossTest {

    @Test
    void independentLossRateWithinToleranceOverAHundredThousandPackets() {
        LinkProfile profile = LinkProfile.PERFECT.withLoss(0.05);
        SimulatedLink link = link(profile);
        int n = 100_000;
        List<Delivery> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            link.send(packet(i, i, 100), i);
            link.deliverDue(i, (p, due) -> got.add(Delivery.of(p, due)));
        }
        LinkStats s = link.stats();
        // sd of the rate is sqrt(.05 * .95 / 1e5) = 0.069 %; 0.35 % is five of them.
        assertEquals(0.05, (double) s.packetsLost() / n, 0.0035, context(profile, s));
        assertEquals(n - s.packetsLost(), got.size(), context(profile, s));
        assertEquals(s.packetsLost() * 100, s.bytesLost(), context(profile, s));
        assertEquals(0, s.packetsQueueDropped(), context(profile, s));
    }

    @Test
    void gilbertElliottLosesInRunsAtTheModelsMeanRate() {
        GilbertElliott ge = GilbertElliott.gilbert(0.01, 0.25); // mean loss 3.85 %, mean run 4 packets
        LinkProfile bursty = LinkProfile.PERFECT.withBurstLoss(ge);
        LinkProfile independent = LinkProfile.PERFECT.withLoss(ge.meanLossRate());
        int n = 100_000;
        boolean[] lostBursty = lossPattern(link(bursty), n);
        boolean[] lostIndependent = lossPattern(link(independent), n);

        String ctx = "seed " + SEED + ", " + bursty;
        assertEquals(ge.meanLossRate(), share(lostBursty), 0.006, ctx);
        double burstRun = meanRunLength(lostBursty);
        double independentRun = meanRunLength(lostIndependent);
        assertEquals(1 / ge.badToGood(), burstRun, 0.5, ctx + ": mean run of losses");
        assertTrue(independentRun < 1.1, "independent loss mean run " + independentRun + ", seed " + SEED);
    }

    @Test
    void gilbertElliottWithLossInBothStatesMatchesItsMeanRate() {
        GilbertElliott ge = new GilbertElliott(0.02, 0.1, 0.01, 0.5);
        LinkProfile profile = LinkProfile.PERFECT.withBurstLoss(ge);
        boolean[] lost = lossPattern(link(profile), 200_000);
        assertEquals(ge.meanLossRate(), share(lost), 0.01, "seed " + SEED + ", " + profile);
    }

    @Test
    void duplicationDeliversIdenticalExtraCopies() {
        LinkProfile profile = LinkProfile.PERFECT.withDelay(5, 0).withDuplication(0.05);
        SimulatedLink link = link(profile);
        List<byte[]> got = new ArrayList<>();
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            link.send(packet(i, i, 32), i);
            link.deliverDue(i, (p, due) -> got.add(p));
        }
        link.deliverDue(n + 5, (p, due) -> got.add(p));
        LinkStats s = link.stats();
        String ctx = context(profile, s);
        assertEquals(0.05, (double) s.packetsDuplicated() / n, 0.004, ctx);
        assertEquals(n + s.packetsDuplicated(), got.size(), ctx);
        int copies = 0;
        for (int i = 1; i < got.size(); i++) {
            if (Arrays.equals(got.get(i), got.get(i - 1))) {
                copies++;
                assertNotSame(got.get(i), got.get(i - 1), "a duplicate shares its array with the original");
            }
        }
        assertEquals(s.packetsDuplicated(), copies, ctx);
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() {
        LinkProfile profile = LinkProfile.PERFECT.withDelay(25, 10).withLoss(0.03)
                .withBurstLoss(GilbertElliott.gilbert(0.005, 0.3)).withReordering(0.02, 12).withDuplication(0.01)
                .withRateLimit(2_000_000, 20_000);
        List<String> a = trace(new SimulatedLink(profile, new SplittableRandom(SEED)));
        List<String> b = trace(new SimulatedLink(profile, new SplittableRandom(SEED)));
        List<String> c = trace(new SimulatedLink(profile, new SplittableRandom(SEED + 1)));
        assertEquals(a, b, "seed " + SEED + ", " + profile);
        assertNotEquals(a, c, "seeds " + SEED + " and " + (SEED + 1) + " gave the same trace");
    }

    @Test
    void countersBalanceOnceEverythingIsDelivered() {
        LinkProfile profile = LinkProfile.PERFECT.withDelay(25, 10).withLoss(0.05)
                .withBurstLoss(GilbertElliott.gilbert(0.01, 0.3)).withReordering(0.05, 12).withDuplication(0.02)
                .withRateLimit(1_000_000, 8_000);
        SimulatedLink link = link(profile);
        trace(link);
        LinkStats s = link.stats();
        String ctx = context(profile, s);
        assertEquals(0, link.packetsInFlight(), ctx);
        assertEquals(s.packetsOffered() - s.packetsLost() - s.packetsQueueDropped() + s.packetsDuplicated(),
                s.packetsDelivered(), ctx);
        assertTrue(s.packetsLost() > 0 && s.packetsQueueDropped() > 0 && s.packetsDuplicated() > 0
                && s.packetsReordered() > 0, ctx);
    }

    @Test
    void pathDirectionsAreIndependentAndReproducible() {
        LinkProfile profile = LinkProfile.PERFECT.withLoss(0.2);
        SimulatedPath one = SimulatedPath.symmetric(profile, SEED);
        SimulatedPath two = SimulatedPath.symmetric(profile, SEED);
        assertEquals(trace(one.aToB()), trace(two.aToB()));
        assertEquals(trace(one.bToA()), trace(two.bToA()));
        assertNotEquals(one.aToB().stats(), one.bToA().stats(), "both directions lost the same packets");
        assertTrue(one.idle());
        assertEquals(Long.MAX_VALUE, one.nextDeliveryTime());
    }
}
