package dev.ferry.transport.sim;

/**
 * Burst loss as a Gilbert-Elliott two-state Markov chain, stepped once per packet (not per unit of time, as netem's
 * {@code gemodel} does): before each packet the chain moves good→bad with {@code goodToBad} or bad→good with
 * {@code badToGood}, then the packet is lost with the loss probability of the state it is in. The chain starts good.
 *
 * <p>The classic Gilbert model is {@code lossInGood = 0, lossInBad = 1}: losses then come in runs whose mean length is
 * {@code 1 / badToGood}. {@link #NONE} never loses a packet.
 *
 * <p>Because the chain counts packets, not time, a sender that goes quiet stays in whatever state it was in: a run
 * of ten losses is ten consecutive packets whether they are sent within a millisecond or, by a sender backing off
 * its retransmission timer, over minutes. Heavy burst loss therefore hits a backed-off sender harder than a real
 * path whose bad spells end in time would.
 *
 * @param goodToBad probability of moving good→bad before a packet, in [0, 1]
 * @param badToGood probability of moving bad→good before a packet, in [0, 1]
 * @param lossInGood probability a packet is lost in the good state, in [0, 1]
 * @param lossInBad probability a packet is lost in the bad state, in [0, 1]
 */
public record GilbertElliott(double goodToBad, double badToGood, double lossInGood, double lossInBad) {

    /** No burst loss: the chain never leaves the good state, which loses nothing. */
    public static final GilbertElliott NONE = new GilbertElliott(0, 1, 0, 0);

    /** @throws IllegalArgumentException naming the field that is not a probability */
    public GilbertElliott {
        Probability.require("GilbertElliott.goodToBad", goodToBad);
        Probability.require("GilbertElliott.badToGood", badToGood);
        Probability.require("GilbertElliott.lossInGood", lossInGood);
        Probability.require("GilbertElliott.lossInBad", lossInBad);
    }

    /**
     * The classic Gilbert model: nothing lost while good, everything lost while bad. The long-run loss rate is
     * {@code goodToBad / (goodToBad + badToGood)}; a run of losses lasts {@code 1 / badToGood} packets on average.
     */
    public static GilbertElliott gilbert(double goodToBad, double badToGood) {
        return new GilbertElliott(goodToBad, badToGood, 0, 1);
    }

    /** Whether this model can lose a packet at all. */
    public boolean losesPackets() {
        return lossInGood > 0 || (goodToBad > 0 && lossInBad > 0);
    }

    /** Share of time spent in the bad state in the long run (0 when the chain never goes bad). */
    public double badShare() {
        if (goodToBad == 0) {
            return 0;
        }
        return goodToBad / (goodToBad + badToGood);
    }

    /** Long-run fraction of packets this model loses. */
    public double meanLossRate() {
        double bad = badShare();
        return (1 - bad) * lossInGood + bad * lossInBad;
    }

    @Override
    public String toString() {
        if (!losesPackets()) {
            return "GilbertElliott[none]";
        }
        return "GilbertElliott[good→bad " + Probability.percent(goodToBad)
                + ", bad→good " + Probability.percent(badToGood) + ", loss good " + Probability.percent(lossInGood) + " / bad " + Probability.percent(lossInBad)
                + ", mean loss " + Probability.percent(Math.round(meanLossRate() * 1e5) / 1e5) + "]";
    }
}
