package dev.ferry.transport.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.ferry.transport.sim.LinkTestSupport.assertMessageContains;
import static dev.ferry.transport.sim.LinkTestSupport.link;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The API's promises: copies, re-entrant sinks, monotonic time, validated and readable profiles. */
class SimulatedLinkContractTest {

    @Test
    void sendCopiesTheCallersBytes() {
        SimulatedLink link = link(LinkProfile.PERFECT.withDelay(1, 0));
        byte[] buf = {1, 2, 3, 4, 5};
        link.send(buf, 1, 3, 0);
        Arrays.fill(buf, (byte) 9);
        List<byte[]> got = new ArrayList<>();
        link.deliverDue(1, (p, due) -> got.add(p));
        assertArrayEquals(new byte[] {2, 3, 4}, got.getFirst());
    }

    @Test
    void aSinkMaySendOnTheSameLinkWhileBeingDelivered() {
        SimulatedLink link = link(LinkProfile.PERFECT);
        List<Integer> got = new ArrayList<>();
        link.send(new byte[] {3}, 0);
        link.deliverDue(0, (p, due) -> {
            got.add((int) p[0]);
            if (p[0] > 0) {
                link.send(new byte[] {(byte) (p[0] - 1)}, 0);
            }
        });
        assertEquals(List.of(3, 2, 1, 0), got);
    }

    @Test
    void timeMustNotGoBackwards() {
        SimulatedLink link = link(LinkProfile.PERFECT);
        link.send(new byte[1], 10);
        assertThrows(IllegalArgumentException.class, () -> link.deliverDue(9, (p, due) -> { }));
        assertThrows(IllegalArgumentException.class, () -> link.send(new byte[1], 9));
        FakeClock clock = new FakeClock(5);
        clock.advanceBy(3);
        assertEquals(8, clock.nowMillis());
        assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(7));
    }

    @Test
    void profileValidationNamesTheField() {
        assertMessageContains("LinkProfile.loss", () -> LinkProfile.PERFECT.withLoss(1.5));
        assertMessageContains("LinkProfile.loss", () -> LinkProfile.PERFECT.withLoss(Double.NaN));
        assertMessageContains("LinkProfile.duplicate", () -> LinkProfile.PERFECT.withDuplication(-0.1));
        assertMessageContains("LinkProfile.reorderDelayMillis", () -> LinkProfile.PERFECT.withReordering(0.1, 0));
        assertMessageContains("LinkProfile.jitterMillis", () -> LinkProfile.PERFECT.withDelay(10, -1));
        assertMessageContains("LinkProfile.queueBytes", () -> LinkProfile.PERFECT.withRateLimit(1000, 0));
        assertMessageContains("GilbertElliott.badToGood", () -> GilbertElliott.gilbert(0.1, 2));
    }

    @Test
    void profileReadsWellInFailureMessages() {
        assertEquals("LinkProfile[perfect]", LinkProfile.PERFECT.toString());
        assertEquals("LinkProfile[delay 25 ms + 0..5 ms jitter, loss 7%, reorder 0.5% held +30 ms, duplicate 1%, "
                        + "rate 1000000 B/s queue 30000 B]",
                LinkProfile.PERFECT.withDelay(25, 5).withLoss(0.07).withReordering(0.005, 30).withDuplication(0.01)
                        .withRateLimit(1_000_000, 30_000).toString());
        assertEquals("LinkProfile[burst GilbertElliott[good→bad 1%, bad→good 25%, loss good 0% / bad 100%, "
                        + "mean loss 3.846%]]",
                LinkProfile.PERFECT.withBurstLoss(GilbertElliott.gilbert(0.01, 0.25)).toString());
    }
}
