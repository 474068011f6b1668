package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.Rates;
import dev.ferry.tunnel.TunnelSettings;
import picocli.CommandLine.Option;

/**
 * {@code --down}, the kcp transport's one option that only the frontend has: the rate it asks the backend to send
 * to it at (the backend's own cap is its {@code --up}). A picocli mixin of {@code ferry frontend}; ignored unless
 * {@code --transport kcp}.
 */
public final class DownRateOption {
    @Option(names = "--down", paramLabel = "RATE",
            description = "The backend sends to this frontend at this rate whatever the loss (500kbit, 20mbit), "
                    + "counting whole UDP/IP packets, capped by the backend's own --up. Only for a link whose "
                    + "download capacity you know: above it, this floods the link.")
    String down;

    /** @throws IllegalArgumentException naming the option when the rate makes no sense */
    public TunnelSettings applyTo(TunnelSettings settings) {
        if (down == null) {
            return settings;
        }
        long bits;
        try {
            bits = Rates.parseBitsPerSecond(down);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--down: " + e.getMessage(), e);
        }
        return settings.withKcp(settings.kcp().withDown(bits));
    }
}
