package dev.ferry.tunnel.balance;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The balancers on hand-made candidates: shares, ties, and what makes lowest-rtt switch. */
class BalancerTest {

    /** A candidate with fixed figures. */
    record Fixed(int index, int weight, int load, long medianRttNanos, double lossRatio, int recentFailures)
            implements Candidate {
        static Fixed rtt(int index, long rttMillis) {
            return new Fixed(index, 1, 0, rttMillis * 1_000_000, 0, 0);
        }
    }

    private static int[] share(Balancer b, List<Candidate> candidates, int picks) {
        int[] n = new int[candidates.size()];
        for (int i = 0; i < picks; i++) {
            n[candidates.indexOf(b.choose(candidates))]++;
        }
        return n;
    }

    @Test
    void weightedGivesEachItsExactShareAndSpreadsThePicks() {
        List<Candidate> c = List.of(new Fixed(0, 1, 0, -1, 0, 0), new Fixed(1, 2, 0, -1, 0, 0),
                new Fixed(2, 3, 0, -1, 0, 0));
        Balancer b = Balance.WEIGHTED.create();
        int[] n = share(b, c, 600);
        assertEquals(100, n[0]);
        assertEquals(200, n[1]);
        assertEquals(300, n[2]);
        // Smooth: in any window of 6 picks each gets exactly its weight, never a run of 3 of the heaviest.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(b.choose(c).index());
        }
        assertEquals(1, order.stream().filter(i -> i == 0).count());
        assertEquals(3, order.stream().filter(i -> i == 2).count());
        for (int i = 2; i < order.size(); i++) {
            assertFalse(order.get(i) == 2 && order.get(i - 1) == 2 && order.get(i - 2) == 2, "bunched: " + order);
        }
    }

    @Test
    void roundRobinSkipsWhatIsNotThere() {
        Balancer b = Balance.ROUND_ROBIN.create();
        Fixed a = Fixed.rtt(0, 1);
        Fixed c = Fixed.rtt(2, 1);
        assertSame(a, b.choose(List.of(a, c)));
        assertSame(c, b.choose(List.of(a, c)), "backend 1 is down: 2 is next");
        assertSame(a, b.choose(List.of(a, c)));
    }

    @Test
    void leastStreamsGoesByLoadForWeight() {
        Balancer b = Balance.LEAST_STREAMS.create();
        Fixed busy = new Fixed(0, 1, 10, -1, 0, 0);
        Fixed bigButBusier = new Fixed(1, 4, 20, -1, 0, 0); // 5 per weight
        Fixed idle = new Fixed(2, 1, 8, -1, 0, 0);
        assertSame(bigButBusier, b.choose(List.of(busy, bigButBusier, idle)));
    }

    @Test
    void lowestRttNeedsAClearWinToSwitchAndCountsLossAndFailures() {
        Balancer b = Balance.LOWEST_RTT.create();
        Fixed near = Fixed.rtt(0, 20);
        Fixed far = Fixed.rtt(1, 80);
        assertSame(near, b.choose(List.of(near, far)));
        Fixed slightlyBetter = Fixed.rtt(1, 18); // 10 % better: not enough to switch
        assertSame(near, b.choose(List.of(near, slightlyBetter)));
        Fixed muchBetter = Fixed.rtt(1, 10);
        assertSame(muchBetter, b.choose(List.of(near, muchBetter)));

        Balancer fresh = Balance.LOWEST_RTT.create();
        Fixed lossy = new Fixed(0, 1, 0, 20_000_000, 0.2, 0); // 20 ms at 20 % loss scores as 60 ms
        Fixed clean = Fixed.rtt(1, 40);
        assertSame(clean, fresh.choose(List.of(lossy, clean)));
        Fixed failing = new Fixed(1, 1, 0, 40_000_000, 0, 2); // 40 ms + 2 failures
        assertSame(lossy, Balance.LOWEST_RTT.create().choose(List.of(lossy, failing)));
    }

    @Test
    void anUnmeasuredBackendScoresAsTheBestMeasuredOneAndTiesGoInOrder() {
        Fixed measured = Fixed.rtt(0, 50);
        Fixed unmeasured = new Fixed(1, 1, 0, -1, 0, 0);
        assertEquals(50_000_000, LowestRtt.score(unmeasured, 50_000_000), 0.1);
        assertSame(measured, Balance.LOWEST_RTT.create().choose(List.of(measured, unmeasured)), "a tie: the first");
    }

    @Test
    void balanceNamesOnTheCommandLine() {
        assertEquals(Balance.LEAST_STREAMS, Balance.fromCli("least-streams"));
        assertEquals("lowest-rtt", Balance.LOWEST_RTT.cliName());
        assertThrows(IllegalArgumentException.class, () -> Balance.fromCli("random"));
    }
}
