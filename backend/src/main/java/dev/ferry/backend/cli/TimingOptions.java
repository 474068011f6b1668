package dev.ferry.backend.cli;

import dev.ferry.tunnel.TunnelSettings;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Keepalive timing, the same options on both ends. A picocli mixin. */
public final class TimingOptions {
    @Option(names = "--keepalive", paramLabel = "DURATION", defaultValue = "2s",
            converter = Converters.DurationConverter.class,
            description = "Send a keepalive when the tunnel has been quiet this long. Default: ${DEFAULT-VALUE}.")
    Duration keepalive;

    @Option(names = "--dead-after", paramLabel = "DURATION", defaultValue = "8s",
            converter = Converters.DurationConverter.class,
            description = "Declare the tunnel dead after this long without hearing from the peer "
                    + "(the frontend then reconnects). Default: ${DEFAULT-VALUE}.")
    Duration deadAfter;

    /** @throws IllegalArgumentException naming the option when the pair makes no sense */
    public TunnelSettings applyTo(TunnelSettings settings) {
        if (keepalive.isZero()) {
            throw new IllegalArgumentException("--keepalive: must be more than 0");
        }
        if (deadAfter.compareTo(keepalive) <= 0) {
            throw new IllegalArgumentException("--dead-after (" + Durations.format(deadAfter)
                    + ") must be longer than --keepalive (" + Durations.format(keepalive) + ")");
        }
        return settings.withTimings(keepalive, deadAfter);
    }
}
