package dev.ferry.transport.fec;

import java.util.Objects;

/**
 * Chooses the FEC shape for {@code --fec auto} from the loss the receiver measures.
 *
 * <p>The decision is a pure function ({@link #parityFor}): with k data shards fixed, take the smallest m such that
 * the probability that more than m of the k + m shards of a group are lost (shards lost independently with
 * probability p, so a binomial tail) is below the target; if even the cap misses the target, the cap. With k = 10
 * and a 1 % target: p = 0 gives 0, 1 % gives 1, 5 % gives 3, 10 % gives 4, 20 % needs 8.
 *
 * <p>The estimate p is a time-decayed ratio: lost and sent counts both decay by half every {@code halfLifeMillis}
 * and p = lost / max(sent, minSamples). Equal decay means p holds still when nothing is observed, while new
 * observations outweigh old ones; the floor of {@code minSamples} keeps a handful of shards (one lost of two) from
 * switching on heavy FEC. Time is passed in; nothing here reads a clock. One thread only.
 */
public final class LossEstimator {
    /**
     * @param dataShards k of every group chosen
     * @param maxParityShards the cap on m
     * @param target acceptable probability that a group loses more shards than its parity covers, in (0, 1)
     * @param halfLifeMillis how fast old observations fade
     * @param minSamples sent shards below which the estimate is scaled down as if the rest had arrived
     */
    public record Policy(int dataShards, int maxParityShards, double target, long halfLifeMillis, int minSamples) {
        public static final Policy DEFAULT = new Policy(10, 6, 0.01, 2_000, 50);

        public Policy {
            new FecShape(dataShards, maxParityShards);
            if (!(target > 0 && target < 1)) {
                throw new IllegalArgumentException("target must be in (0, 1): " + target);
            }
            if (halfLifeMillis < 1) {
                throw new IllegalArgumentException("halfLifeMillis must be >= 1: " + halfLifeMillis);
            }
            if (minSamples < 1) {
                throw new IllegalArgumentException("minSamples must be >= 1: " + minSamples);
            }
        }
    }

    private final Policy policy;
    private double lost;
    private double sent;
    private long lastMillis;
    private boolean started;

    public LossEstimator(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Counts from one report: {@code lostShards} of {@code sentShards} never arrived. */
    public void observe(long nowMillis, long lostShards, long sentShards) {
        if (sentShards < 0 || lostShards < 0 || lostShards > sentShards) {
            throw new IllegalArgumentException("need 0 <= lost <= sent; got " + lostShards + " of " + sentShards);
        }
        add(nowMillis, lostShards, sentShards);
    }

    /**
     * A loss fraction measured elsewhere (packet-number gaps, retransmissions) over {@code samples} packets; mixes
     * with {@link #observe} when both count the same packets.
     */
    public void observeFraction(long nowMillis, double fraction, long samples) {
        if (!(fraction >= 0 && fraction <= 1) || samples < 0) {
            throw new IllegalArgumentException("need a fraction in [0, 1] and samples >= 0; got " + fraction + ", "
                    + samples);
        }
        add(nowMillis, fraction * samples, samples);
    }

    private void add(long nowMillis, double lostShards, double sentShards) {
        if (started && nowMillis > lastMillis) {
            double keep = Math.pow(0.5, (double) (nowMillis - lastMillis) / policy.halfLifeMillis());
            lost *= keep;
            sent *= keep;
        }
        if (!started || nowMillis > lastMillis) {
            lastMillis = nowMillis;
        }
        started = true;
        lost += lostShards;
        sent += sentShards;
    }

    /** The smoothed loss estimate p in [0, 1]; 0 before any observation. */
    public double loss() {
        return lost / Math.max(sent, policy.minSamples());
    }

    /** The shape for the next groups: k from the policy, m from {@link #parityFor} at the current estimate. */
    public FecShape shape() {
        return new FecShape(policy.dataShards(),
                parityFor(policy.dataShards(), loss(), policy.target(), policy.maxParityShards()));
    }

    /** The smallest m in [0, maxParity] with {@code P(more than m of k + m shards lost) < target}, else maxParity. */
    public static int parityFor(int dataShards, double loss, double target, int maxParity) {
        for (int m = 0; m < maxParity; m++) {
            if (groupFailure(dataShards + m, m, loss) < target) {
                return m;
            }
        }
        return maxParity;
    }

    /** {@code P(X > tolerated)} for X ~ Binomial(shards, loss): the chance a group loses more than its parity. */
    static double groupFailure(int shards, int tolerated, double loss) {
        if (tolerated >= shards || loss <= 0) {
            return 0;
        }
        if (loss >= 1) {
            return 1;
        }
        // Each term P(X = i) = C(n, i) p^i (1 - p)^(n - i) is formed in log space, so no power underflows to 0.
        double logP = Math.log(loss);
        double logQ = Math.log1p(-loss);
        double logChoose = 0;
        double tail = 0;
        for (int i = 0; i <= shards; i++) {
            if (i > tolerated) {
                tail += Math.exp(logChoose + i * logP + (shards - i) * logQ);
            }
            logChoose += Math.log(shards - i) - Math.log(i + 1);
        }
        return Math.min(1, tail);
    }
}
