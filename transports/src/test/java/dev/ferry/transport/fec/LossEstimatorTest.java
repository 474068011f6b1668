package dev.ferry.transport.fec;

import dev.ferry.transport.fec.LossEstimator.Policy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossEstimatorTest {
    private static final Policy POLICY = Policy.DEFAULT; // k 10, cap 6, target 1 %, half-life 2 s, 50 samples

    @Test
    void decisionsForKTenAtOnePercent() {
        assertEquals(0, LossEstimator.parityFor(10, 0, 0.01, 6));
        assertEquals(0, LossEstimator.parityFor(10, 0.0005, 0.01, 6), "1 - 0.9995^10 < 1 %");
        assertEquals(1, LossEstimator.parityFor(10, 0.01, 0.01, 6));
        assertEquals(2, LossEstimator.parityFor(10, 0.02, 0.01, 6));
        assertEquals(3, LossEstimator.parityFor(10, 0.05, 0.01, 6));
        assertEquals(4, LossEstimator.parityFor(10, 0.10, 0.01, 6));
        assertEquals(6, LossEstimator.parityFor(10, 0.20, 0.01, 6), "needs 8: capped");
        assertEquals(8, LossEstimator.parityFor(10, 0.20, 0.01, 12));
        assertEquals(6, LossEstimator.parityFor(10, 1, 0.01, 6));
        assertEquals(0, LossEstimator.parityFor(10, 0.5, 0.01, 0), "a cap of 0 is 0");
    }

    @Test
    void moreLossNeverMeansLessParity() {
        int previous = 0;
        for (int permille = 0; permille <= 1000; permille++) {
            int m = LossEstimator.parityFor(10, permille / 1000.0, 0.01, 20);
            assertTrue(m >= previous, "p = " + permille + " permille");
            previous = m;
        }
    }

    @Test
    void groupFailureIsTheBinomialTail() {
        // P(X > 1), n = 3, p = 0.5: (3 + 1) / 8
        assertEquals(0.5, LossEstimator.groupFailure(3, 1, 0.5), 1e-12);
        // P(X > 0), n = 10, p = 0.01
        assertEquals(1 - Math.pow(0.99, 10), LossEstimator.groupFailure(10, 0, 0.01), 1e-12);
        // P(X > 1), n = 11, p = 0.01
        assertEquals(1 - Math.pow(0.99, 11) - 11 * 0.01 * Math.pow(0.99, 10),
                LossEstimator.groupFailure(11, 1, 0.01), 1e-12);
        assertEquals(0, LossEstimator.groupFailure(5, 5, 0.9));
        assertEquals(0, LossEstimator.groupFailure(5, 1, 0));
        assertEquals(1, LossEstimator.groupFailure(5, 1, 1));
        // Near p = 1 nothing underflows: P(X > 126) for n = 128 is 1 - P(X <= 126) = 1 - (1 - q^128 - 128 p q^127)
        double p = 0.999;
        double q = 1 - p;
        double expected = Math.pow(p, 128) + 128 * q * Math.pow(p, 127);
        assertEquals(expected, LossEstimator.groupFailure(128, 126, p), 1e-9);
    }

    @Test
    void estimateDecaysByHalfEveryHalfLife() {
        LossEstimator e = new LossEstimator(POLICY);
        assertEquals(0, e.loss());
        assertEquals(new FecShape(10, 0), e.shape());
        e.observe(1_000, 10, 100);
        assertEquals(0.10, e.loss(), 1e-12);
        assertEquals(new FecShape(10, 4), e.shape());
        e.observe(1_000 + POLICY.halfLifeMillis(), 0, 100);
        assertEquals(5.0 / 150, e.loss(), 1e-12, "old counts weigh half");
        e.observe(1_000 + POLICY.halfLifeMillis(), 0, 0);
        assertEquals(5.0 / 150, e.loss(), 1e-12, "no time passed, nothing observed: unchanged");
        e.observe(500, 0, 0);
        assertEquals(5.0 / 150, e.loss(), 1e-12, "a clock going back decays nothing");
        e.observe(1_000_000, 0, 0);
        assertEquals(0, e.loss(), 1e-12, "long silence: counts fade below the sample floor");
    }

    @Test
    void fewSamplesCountAsIfTheRestArrived() {
        LossEstimator e = new LossEstimator(POLICY);
        e.observe(0, 1, 2);
        assertEquals(1.0 / POLICY.minSamples(), e.loss(), 1e-12);
        assertEquals(new FecShape(10, 2), e.shape(), "2 %, not 50 %");
    }

    @Test
    void fractionsFedIn() {
        LossEstimator e = new LossEstimator(POLICY);
        e.observeFraction(0, 0.05, 1000);
        assertEquals(0.05, e.loss(), 1e-12);
        assertEquals(new FecShape(10, 3), e.shape());
    }

    @Test
    void refusesNonsense() {
        LossEstimator e = new LossEstimator(POLICY);
        assertThrows(IllegalArgumentException.class, () -> e.observe(0, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> e.observe(0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> e.observeFraction(0, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> e.observeFraction(0, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new Policy(0, 2, 0.01, 1000, 10));
        assertThrows(IllegalArgumentException.class, () -> new Policy(10, 2, 0, 1000, 10));
        assertThrows(IllegalArgumentException.class, () -> new Policy(10, 2, 0.01, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Policy(10, 2, 0.01, 1000, 0));
        assertThrows(IllegalArgumentException.class, () -> new Policy(100, 29, 0.01, 1000, 10));
    }
}
