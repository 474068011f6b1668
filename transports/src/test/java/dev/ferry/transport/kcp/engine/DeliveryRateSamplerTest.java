package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delivery-rate samples: intervals, the reference segment, app-limited marks and loss counts. */
class DeliveryRateSamplerTest {
    private static final int LEN = 1326;
    private static final int WIRE = LEN + KcpWire.HEADER_BYTES;

    private final DeliveryRateSampler sampler = new DeliveryRateSampler();
    private final RateSample out = new RateSample();

    private Segment sent(long now, boolean flightWasEmpty) {
        Segment s = new Segment(LEN);
        s.len = LEN;
        s.transmissions = 1;
        sampler.onSend(s, now, flightWasEmpty);
        return s;
    }

    private void ack(Segment s, long now) {
        sampler.onDelivered(s, now, true);
        sampler.finish(now, 0, 0, out);
    }

    @Test
    void rateIsWhatWasDeliveredOverTheLongerOfSendAndAckIntervals() {
        Segment[] s = new Segment[10];
        for (int k = 0; k < 10; k++) {
            s[k] = sent(k, k == 0); // one a millisecond
        }
        for (int k = 0; k < 10; k++) {
            ack(s[k], 50 + k); // acked 50 ms later, one a millisecond
            assertEquals((k + 1L) * WIRE * 1000 / (50 + k), out.deliveryRate(), "ack " + k);
            assertEquals(50 + k, out.intervalMillis());
            assertEquals((k + 1L) * WIRE, out.delivered());
            assertEquals(0, out.priorDelivered(), "all were sent before anything was delivered");
        }
    }

    @Test
    void acksBunchedOnTheWayBackDoNotInflateTheRate() {
        ack(sent(0, true), 50);
        Segment b = sent(60, false);
        Segment c = sent(100, false); // sent 40 ms after b...
        ack(b, 150);
        assertEquals(WIRE * 1000L / 100, out.deliveryRate());
        ack(c, 151); // ...acked 1 ms after it
        assertEquals(2L * WIRE * 1000 / 101, out.deliveryRate(), "over the 100 ms send interval, not 1 ms of acks");
    }

    @Test
    void aSegmentSentAgainIsAReferenceOnlyWhenItsLatestTransmissionWasAcked() {
        Segment s = sent(0, true);
        s.transmissions = 2;
        sampler.onDelivered(s, 60, false);
        sampler.finish(60, 0, 0, out);
        assertEquals(0, out.deliveryRate(), "an ack of an earlier transmission would overstate the rate");
        assertEquals(-1, out.priorDelivered());
        assertEquals(WIRE, out.newlyDelivered(), "delivered all the same");

        Segment t = sent(100, true);
        t.transmissions = 2;
        sampler.onDelivered(t, 160, true);
        sampler.finish(160, 0, 0, out);
        assertEquals(WIRE * 1000L / 60, out.deliveryRate());
    }

    @Test
    void aTooShortIntervalIsStretchedUntilItCanBeMeasured() {
        Segment a = sent(0, true);
        Segment b = sent(0, false);
        ack(a, 2);
        assertEquals(0, out.deliveryRate(), "2 ms cannot be measured to a tenth with a millisecond clock");
        ack(b, DeliveryRateSampler.MIN_INTERVAL_MILLIS);
        assertEquals(2L * WIRE * 1000 / DeliveryRateSampler.MIN_INTERVAL_MILLIS, out.deliveryRate(),
                "both segments over the stretched interval");
    }

    @Test
    void samplesTakenWhileTheSenderHadNothingToSendAreMarked() {
        sampler.markAppLimited(0);
        Segment a = sent(0, true);
        ack(a, 50);
        assertTrue(out.appLimited());
        Segment b = sent(50, true);
        ack(b, 100);
        assertFalse(out.appLimited(), "the mark ends once what was in flight at the time is delivered");
    }

    @Test
    void lossesCountAndSpuriousOnesAreTakenBack() {
        sampler.onLost(WIRE);
        sampler.onLost(WIRE);
        sampler.onSpuriousRetransmission(WIRE);
        Segment a = sent(0, true);
        ack(a, 50);
        assertEquals(WIRE, out.lost());
    }
}
