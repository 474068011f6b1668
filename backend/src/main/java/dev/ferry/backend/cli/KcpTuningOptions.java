package dev.ferry.backend.cli;

import dev.ferry.transport.kcp.KcpTuning;
import dev.ferry.transport.kcp.KcpOptions;
import dev.ferry.transport.kcp.engine.Congestion;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;
import dev.ferry.tunnel.TunnelSettings;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * The kcp transport's tuning, with kcptun's names and meanings so its users can bring their settings. A picocli
 * mixin shared by both ends; ignored unless {@code --transport kcp}.
 */
public final class KcpTuningOptions {
    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "fast3",
            description = "kcp retransmission preset, as kcptun's: normal, fast, fast2, fast3 (lowest latency), or "
                    + "manual (then --nodelay, --interval, --resend, --nc). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1350",
            description = "Largest UDP payload kcp sends (256 to 65507); use the same on both ends, as larger "
                    + "datagrams are dropped. Default: ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--sndwnd", paramLabel = "PACKETS", defaultValue = "" + KcpTuning.DEFAULT_WINDOW,
            description = "kcp send window in packets. Default: ${DEFAULT-VALUE}.")
    int sendWindow;

    @Option(names = "--rcvwnd", paramLabel = "PACKETS", defaultValue = "" + KcpTuning.DEFAULT_WINDOW,
            description = "kcp receive window in packets; caps speed at RCVWND x MTU per round trip, and "
                    + "a lost packet holds it until the repair arrives, so a lossy link needs two to three "
                    + "times its bandwidth-delay product (2048 x 1350 B at 200 ms is 110 Mbit/s). "
                    + "Default: ${DEFAULT-VALUE}.")
    int receiveWindow;

    @Option(names = "--congestion", paramLabel = "NAME", defaultValue = "rate",
            description = "How kcp paces what this end sends: rate (follows the bottleneck's bandwidth like BBR; "
                    + "random loss does not slow it), classic (KCP's loss-based window), or off (kcptun's presets: "
                    + "only the windows limit it, which floods a slow link). Default: ${DEFAULT-VALUE}.")
    String congestion;

    @Option(names = "--up", paramLabel = "RATE",
            description = "Instead of --congestion: send at this rate whatever the loss (500kbit, 20mbit), counting "
                    + "whole UDP/IP packets, and make up for losses by retransmitting within it. Only for a link "
                    + "whose capacity you know: above it, this floods the link.")
    String up;

    @Option(names = "--fec", paramLabel = "DATA,PARITY|auto", defaultValue = "0,0",
            description = "Reed-Solomon forward error correction of what this end sends: PARITY extra packets per "
                    + "DATA packets rebuild up to PARITY lost ones without waiting for a retransmission (UDP "
                    + "flows' datagrams get groups of their own); 0,0 is off; auto sizes parity from the loss "
                    + "the peer reports. Either end decodes any setting. "
                    + "Default: ${DEFAULT-VALUE}.")
    String fec;

    @Option(names = "--ack-delay", paramLabel = "MS", defaultValue = "" + KcpTuning.DEFAULT_ACK_DELAY_MILLIS,
            description = "Hold acknowledgements of full packets up to MS milliseconds (0 to "
                    + KcpConfig.MAX_ACK_DELAY_MILLIS + ") so that several share a packet: fewer packets back, a "
                    + "little later. Acks of shorter packets (requests, keystrokes) are never held. 0 sends every "
                    + "ack after each batch of received packets. Default: ${DEFAULT-VALUE}.")
    int ackDelay;

    @Option(names = "--nodelay", paramLabel = "0|1",
            description = "Manual mode: 1 = minimum RTO 30 ms and gentler backoff. Default: 0.")
    Integer nodelay;

    @Option(names = "--interval", paramLabel = "MS",
            description = "Manual mode: kcp timer tick in milliseconds. Default: 50.")
    Integer interval;

    @Option(names = "--resend", paramLabel = "N",
            description = "Manual mode: retransmit a packet after N later ones were acknowledged (0 = off). "
                    + "Default: 0.")
    Integer resend;

    @Option(names = "--nc", paramLabel = "0|1",
            description = "Manual mode: 1 = no congestion control (as --congestion off). Default: 0.")
    Integer noCongestion;

    private static final int MAX_UDP_PAYLOAD = 65507;

    /** @throws IllegalArgumentException naming the option when a value or a combination makes no sense */
    public TunnelSettings applyTo(TunnelSettings settings) {
        KcpConfig base = switch (mode.toLowerCase(Locale.ROOT)) {
            case "normal" -> KcpConfig.normal();
            case "fast" -> KcpConfig.fast();
            case "fast2" -> KcpConfig.fast2();
            case "fast3" -> KcpConfig.fast3();
            case "manual" -> manual();
            default -> throw new IllegalArgumentException("--mode: '" + mode
                    + "' is not one of normal, fast, fast2, fast3, manual");
        };
        if (!"manual".equalsIgnoreCase(mode)) {
            requireManual("--nodelay", nodelay);
            requireManual("--interval", interval);
            requireManual("--resend", resend);
            requireManual("--nc", noCongestion);
        }
        if (mtu < 256 || mtu > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("--mtu: must be from 256 to " + MAX_UDP_PAYLOAD + ", got " + mtu);
        }
        requireWindow("--sndwnd", sendWindow);
        requireWindow("--rcvwnd", receiveWindow);
        FecSetting fecSetting;
        try {
            fecSetting = FecSetting.parse(fec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fec: " + e.getMessage(), e);
        }
        if (ackDelay < 0 || ackDelay > KcpConfig.MAX_ACK_DELAY_MILLIS) {
            throw new IllegalArgumentException("--ack-delay: must be from 0 to " + KcpConfig.MAX_ACK_DELAY_MILLIS
                    + " ms, got " + ackDelay);
        }
        KcpConfig engine = withCongestion(base.withMtu(mtu).withWindows(sendWindow, receiveWindow), fecSetting)
                .withAckDelay(ackDelay);
        return settings.withKcp(new KcpTuning(engine, fecSetting));
    }

    /** The presets set kcptun's retransmission settings; how fast to send is --congestion's or --up's. */
    private KcpConfig withCongestion(KcpConfig engine, FecSetting fecSetting) {
        boolean explicitOff = "manual".equalsIgnoreCase(mode) && flag("--nc", noCongestion);
        if (up != null) {
            if (!"rate".equalsIgnoreCase(congestion) || explicitOff) {
                throw new IllegalArgumentException("--up: sets the congestion control itself; leave out "
                        + (explicitOff ? "--nc" : "--congestion"));
            }
            long bits;
            try {
                bits = Rates.parseBitsPerSecond(up);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--up: " + e.getMessage(), e);
            }
            return engine.withDeclaredRate(KcpOptions.engineBytesPerSecond(bits, mtu));
        }
        Congestion c = switch (congestion.toLowerCase(Locale.ROOT)) {
            case "rate" -> Congestion.RATE;
            case "classic" -> Congestion.CLASSIC;
            case "off" -> Congestion.OFF;
            default -> throw new IllegalArgumentException("--congestion: '" + congestion
                    + "' is not one of rate, classic, off");
        };
        return engine.withCongestion(explicitOff ? Congestion.OFF : c);
    }

    private KcpConfig manual() {
        int tick = interval == null ? 50 : interval;
        if (tick < 1 || tick > KcpConfig.MAX_INTERVAL_MILLIS) {
            throw new IllegalArgumentException("--interval: must be from 1 to " + KcpConfig.MAX_INTERVAL_MILLIS
                    + " ms, got " + tick);
        }
        int skips = resend == null ? 0 : resend;
        if (skips < 0) {
            throw new IllegalArgumentException("--resend: must be 0 or more, got " + skips);
        }
        return KcpConfig.fast3().withNodelay(flag("--nodelay", nodelay)).withIntervalMillis(tick)
                .withFastResend(skips).withCongestionControl(!flag("--nc", noCongestion));
    }

    private static boolean flag(String option, Integer value) {
        if (value == null || value == 0) {
            return false;
        }
        if (value == 1) {
            return true;
        }
        throw new IllegalArgumentException(option + ": must be 0 or 1, got " + value);
    }

    private static void requireManual(String option, Integer value) {
        if (value != null) {
            throw new IllegalArgumentException(option + ": only with --mode manual (the preset sets it)");
        }
    }

    private static void requireWindow(String option, int packets) {
        if (packets < 1 || packets > KcpConfig.MAX_WINDOW) {
            throw new IllegalArgumentException(option + ": must be from 1 to " + KcpConfig.MAX_WINDOW + " packets, got "
                    + packets);
        }
    }
}
