package dev.ferry.transport.sim;

import java.math.BigDecimal;

/**
 * Checks and prints probabilities for the link model. A class of its own, with no static state, so that
 * {@link GilbertElliott} and {@link LinkProfile} do not initialise each other: {@code LinkProfile.PERFECT} holds
 * {@code GilbertElliott.NONE}, which must exist before it.
 */
final class Probability {
    private Probability() {
    }

    static void require(String field, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(field + " must be a probability in [0, 1], got " + p);
        }
    }

    static String percent(double p) {
        return new BigDecimal(Double.toString(p)).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }
}
