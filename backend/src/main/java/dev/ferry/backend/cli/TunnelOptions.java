package dev.ferry.backend.cli;

import dev.ferry.tunnel.TunnelSettings;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Tunnel options with the same meaning on both ends: keepalive timing, the stream window, the UDP flow timeout.
 * A picocli mixin. */
public final class TunnelOptions {
    @Option(names = "--keepalive", paramLabel = "DURATION", defaultValue = "2s",
            converter = Converters.DurationConverter.class,
            description = "Send a keepalive ping this often; the answers measure the tunnel's RTT. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration keepalive;

    @Option(names = "--dead-after", paramLabel = "DURATION", defaultValue = "8s",
            converter = Converters.DurationConverter.class,
            description = "Declare the tunnel dead after this long without hearing from the peer "
                    + "(the frontend then reconnects). Default: ${DEFAULT-VALUE}.")
    Duration deadAfter;

    @Option(names = "--stream-window", paramLabel = "SIZE", defaultValue = "4m",
            converter = Converters.SizeConverter.class,
            description = "Bytes each stream may have in flight towards this end before the sender waits "
                    + "(256k, 1m, 4m; 16k to 1g). It bounds memory per slow stream and caps one stream's speed at "
                    + "SIZE per round trip, less what waits behind a lost packet: 4m is about 160 Mbit/s at "
                    + "200 ms. Default: ${DEFAULT-VALUE}.")
    int streamWindow;

    @Option(names = "--udp-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.DurationConverter.class,
            description = "Forget a UDP flow after this long without a datagram either way; the backend then closes "
                    + "its socket for the flow. Default: ${DEFAULT-VALUE}.")
    Duration udpTimeout;

    /** @throws IllegalArgumentException naming the option when a value or the pair makes no sense */
    public TunnelSettings applyTo(TunnelSettings settings) {
        if (keepalive.isZero()) {
            throw new IllegalArgumentException("--keepalive: must be more than 0");
        }
        if (deadAfter.compareTo(keepalive) <= 0) {
            throw new IllegalArgumentException("--dead-after (" + Durations.format(deadAfter)
                    + ") must be longer than --keepalive (" + Durations.format(keepalive) + ")");
        }
        if (udpTimeout.isZero()) {
            throw new IllegalArgumentException("--udp-timeout: must be more than 0");
        }
        return settings.withTimings(keepalive, deadAfter).withStreamWindow(streamWindow).withUdpIdle(udpTimeout);
    }
}
