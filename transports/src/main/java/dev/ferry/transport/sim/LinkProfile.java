package dev.ferry.transport.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What one direction of a {@link SimulatedLink} does to packets. Immutable and validated; start from {@link #PERFECT}
 * and change one property at a time with the {@code with…} methods. The stages a packet goes through, in order:
 *
 * <ol>
 *   <li><b>Bottleneck</b> (when {@code rateBytesPerSecond > 0}): packets serialize one after another at the rate; one
 *       that arrives when the bytes waiting (the one on the wire included) plus its own would exceed
 *       {@code queueBytes} is dropped (tail drop). Unlimited when the rate is 0.
 *   <li><b>Loss</b> on the wire after the bottleneck, so a lost packet has used its share of the rate: independent loss
 *       with {@code loss}, and burst loss from the {@link GilbertElliott} chain {@code burst}; either loses it.
 *   <li><b>Propagation</b>: {@code delayMillis} plus a uniform jitter in [0, {@code jitterMillis}]. Jitter alone
 *       never reorders: a packet is never delivered before one sent ahead of it (it waits for it, the way a queue
 *       somewhere on the path would make it), so jitter bunches packets rather than swapping them. Packets sent
 *       further apart than {@code jitterMillis} each see the whole uniform range; back-to-back packets mostly see
 *       latencies near {@code delayMillis + jitterMillis}, as behind a queue that fills and drains.
 *   <li><b>Reordering</b>: with {@code reorder}, a packet is held back a further {@code reorderDelayMillis}, and the
 *       packets behind it overtake it.
 *   <li><b>Duplication</b>: with {@code duplicate}, a delivered packet arrives twice, the copy right after it. The copy
 *       costs no bandwidth and is not subject to loss.
 * </ol>
 *
 * @param loss independent loss probability, in [0, 1]
 * @param burst burst loss model; {@link GilbertElliott#NONE} for none
 * @param duplicate probability a delivered packet is duplicated, in [0, 1]
 * @param reorder probability a packet is held back, in [0, 1]
 * @param reorderDelayMillis how long a held-back packet waits beyond its normal delivery time; > 0 when reordering
 * @param delayMillis one-way propagation delay, ≥ 0
 * @param jitterMillis upper bound of the uniform extra delay, ≥ 0
 * @param rateBytesPerSecond bottleneck rate; 0 for unlimited
 * @param queueBytes bottleneck buffer; > 0 when the rate is limited, 0 when it is not
 */
public record LinkProfile(double loss, GilbertElliott burst, double duplicate, double reorder, long reorderDelayMillis,
                          long delayMillis, long jitterMillis, long rateBytesPerSecond, int queueBytes) {

    /** Delivers every packet, once, at once, in order. */
    public static final LinkProfile PERFECT = new LinkProfile(0, GilbertElliott.NONE, 0, 0, 0, 0, 0, 0, 0);

    /** @throws IllegalArgumentException naming the first invalid field */
    public LinkProfile {
        requireProbability("LinkProfile.loss", loss);
        if (burst == null) {
            throw new IllegalArgumentException("LinkProfile.burst must not be null (use GilbertElliott.NONE)");
        }
        requireProbability("LinkProfile.duplicate", duplicate);
        requireProbability("LinkProfile.reorder", reorder);
        requireNonNegative("LinkProfile.reorderDelayMillis", reorderDelayMillis);
        if (reorder > 0 && reorderDelayMillis == 0) {
            throw new IllegalArgumentException("LinkProfile.reorderDelayMillis must be > 0 when reorder is "
                    + percent(reorder) + " (a packet held back by 0 ms is not reordered)");
        }
        requireNonNegative("LinkProfile.delayMillis", delayMillis);
        requireNonNegative("LinkProfile.jitterMillis", jitterMillis);
        requireNonNegative("LinkProfile.rateBytesPerSecond", rateBytesPerSecond);
        requireNonNegative("LinkProfile.queueBytes", queueBytes);
        if (rateBytesPerSecond > 0 && queueBytes == 0) {
            throw new IllegalArgumentException("LinkProfile.queueBytes must be > 0 when the rate is limited to "
                    + rateBytesPerSecond + " B/s");
        }
        if (rateBytesPerSecond == 0 && queueBytes != 0) {
            throw new IllegalArgumentException("LinkProfile.queueBytes must be 0 when the rate is unlimited, got "
                    + queueBytes);
        }
    }

    public LinkProfile withLoss(double loss) {
        return new LinkProfile(loss, burst, duplicate, reorder, reorderDelayMillis, delayMillis, jitterMillis,
                rateBytesPerSecond, queueBytes);
    }

    public LinkProfile withBurstLoss(GilbertElliott burst) {
        return new LinkProfile(loss, burst, duplicate, reorder, reorderDelayMillis, delayMillis, jitterMillis,
                rateBytesPerSecond, queueBytes);
    }

    public LinkProfile withDuplication(double duplicate) {
        return new LinkProfile(loss, burst, duplicate, reorder, reorderDelayMillis, delayMillis, jitterMillis,
                rateBytesPerSecond, queueBytes);
    }

    /** Holds back a share {@code reorder} of packets by {@code extraDelayMillis}; {@code (0, 0)} turns it off. */
    public LinkProfile withReordering(double reorder, long extraDelayMillis) {
        return new LinkProfile(loss, burst, duplicate, reorder, extraDelayMillis, delayMillis, jitterMillis,
                rateBytesPerSecond, queueBytes);
    }

    public LinkProfile withDelay(long delayMillis, long jitterMillis) {
        return new LinkProfile(loss, burst, duplicate, reorder, reorderDelayMillis, delayMillis, jitterMillis,
                rateBytesPerSecond, queueBytes);
    }

    /** A bottleneck of {@code bytesPerSecond} with a tail-drop buffer of {@code queueBytes}. */
    public LinkProfile withRateLimit(long bytesPerSecond, int queueBytes) {
        return new LinkProfile(loss, burst, duplicate, reorder, reorderDelayMillis, delayMillis, jitterMillis,
                bytesPerSecond, queueBytes);
    }

    public LinkProfile withoutRateLimit() {
        return withRateLimit(0, 0);
    }

    /** Whether packets go through a rate-limited bottleneck. */
    public boolean rateLimited() {
        return rateBytesPerSecond > 0;
    }

    /** Long-run share of packets lost on the wire, from both independent and burst loss (queue drops not counted). */
    public double meanLossRate() {
        return 1 - (1 - loss) * (1 - burst.meanLossRate());
    }

    /** Reads like {@code LinkProfile[delay 25 ms + 0..5 ms jitter, loss 5%, rate 1000000 B/s queue 30000 B]}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (delayMillis > 0 || jitterMillis > 0) {
            String jitter = jitterMillis > 0 ? " + 0.." + jitterMillis + " ms jitter" : "";
            parts.add("delay " + delayMillis + " ms" + jitter);
        }
        if (loss > 0) {
            parts.add("loss " + percent(loss));
        }
        if (burst.losesPackets()) {
            parts.add("burst " + burst);
        }
        if (reorder > 0) {
            parts.add("reorder " + percent(reorder) + " held +" + reorderDelayMillis + " ms");
        }
        if (duplicate > 0) {
            parts.add("duplicate " + percent(duplicate));
        }
        if (rateBytesPerSecond > 0) {
            parts.add("rate " + rateBytesPerSecond + " B/s queue " + queueBytes + " B");
        }
        return "LinkProfile[" + (parts.isEmpty() ? "perfect" : String.join(", ", parts)) + "]";
    }

    static void requireProbability(String field, double p) {
        Probability.require(field, p);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
    }

    /** 0.05 → "5%", 0.001 → "0.1%", without binary-fraction noise. */
    static String percent(double p) {
        return Probability.percent(p);
    }
}
