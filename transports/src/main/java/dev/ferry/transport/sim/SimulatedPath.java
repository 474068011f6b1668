package dev.ferry.transport.sim;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Both directions between two endpoints, A and B: two independent {@link SimulatedLink}s whose randomness is split
 * from one seed. Not thread-safe: one driver owns it.
 */
public final class SimulatedPath {
    private final SimulatedLink aToB;
    private final SimulatedLink bToA;

    /** @param random split once per direction, A→B first */
    public SimulatedPath(LinkProfile aToB, LinkProfile bToA, SplittableRandom random) {
        Objects.requireNonNull(random, "random");
        this.aToB = new SimulatedLink(aToB, random.split());
        this.bToA = new SimulatedLink(bToA, random.split());
    }

    /** The same profile both ways (each direction still draws its own losses). */
    public static SimulatedPath symmetric(LinkProfile profile, long seed) {
        return new SimulatedPath(profile, profile, new SplittableRandom(seed));
    }

    public SimulatedLink aToB() {
        return aToB;
    }

    public SimulatedLink bToA() {
        return bToA;
    }

    /** The earlier of the two directions' next delivery times; {@link Long#MAX_VALUE} when both are empty. */
    public long nextDeliveryTime() {
        return Math.min(aToB.nextDeliveryTime(), bToA.nextDeliveryTime());
    }

    /** Nothing in flight either way. */
    public boolean idle() {
        return aToB.packetsInFlight() == 0 && bToA.packetsInFlight() == 0;
    }

    @Override
    public String toString() {
        LinkProfile forward = aToB.profile();
        LinkProfile backward = bToA.profile();
        return forward.equals(backward)
                ? "SimulatedPath[both ways " + forward + "]"
                : "SimulatedPath[A→B " + forward + ", B→A " + backward + "]";
    }
}
