package dev.ferry.tunnel.balance;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The {@code --balance} choices. */
public enum Balance {
    /** Each backend in turn. */
    ROUND_ROBIN,
    /** In turn, each backend as often as its weight says (smooth: never a run of one while others wait). */
    WEIGHTED,
    /** The backend with the fewest open streams for its weight. */
    LEAST_STREAMS,
    /** The backend with the lowest median RTT, loss and recent failures counted against it. */
    LOWEST_RTT;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A new balancer of this kind (they keep state: one per pool). */
    public Balancer create() {
        return switch (this) {
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED -> new SmoothWeighted();
            case LEAST_STREAMS -> new LeastStreams();
            case LOWEST_RTT -> new LowestRtt();
        };
    }

    /** @throws IllegalArgumentException naming the known choices */
    public static Balance fromCli(String name) {
        for (Balance b : values()) {
            if (b.cliName().equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown balance '" + name + "' (known: "
                + Arrays.stream(values()).map(Balance::cliName).collect(Collectors.joining(", ")) + ")");
    }
}
