package dev.ferry.transport.kcp;

import dev.ferry.transport.kcp.engine.Congestion;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;

import java.util.Objects;

/**
 * Everything {@code --mode}, {@code --mtu}, the windows, {@code --fec} and {@code --down} set for the kcp transport.
 *
 * @param downBitsPerSecond the rate, in bits per second of whole IP packets, a client asks the server to send to it
 *     at (the frontend's {@code --down}); 0 asks nothing. Ignored by a server.
 */
public record KcpTuning(KcpConfig engine, FecSetting fec, long downBitsPerSecond) {
    /**
     * Send and receive window of the command line: with a loss held open until its repair arrives, a window needs
     * two to three times the bandwidth-delay product; 2048 packets cover 20 Mbit/s at 200 ms with room to spare
     * (bench/README.md, "kcp defaults").
     */
    public static final int DEFAULT_WINDOW = 2048;
    /** Milliseconds acks of full packets may wait for company (bench/README.md, "kcp defaults"). */
    public static final int DEFAULT_ACK_DELAY_MILLIS = 5;
    /**
     * kcptun's fast3 retransmission settings, paced by the rate controller, acks of full packets held up to 5 ms, no
     * FEC: the command line's defaults.
     */
    public static final KcpTuning DEFAULT = new KcpTuning(KcpConfig.fast3().withWindows(DEFAULT_WINDOW,
            DEFAULT_WINDOW).withCongestion(Congestion.RATE).withAckDelay(DEFAULT_ACK_DELAY_MILLIS), FecSetting.OFF);

    public KcpTuning {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(fec, "fec");
        KcpOptions.requireDownRate(downBitsPerSecond);
    }

    /** Tuning that declares no down rate. */
    public KcpTuning(KcpConfig engine, FecSetting fec) {
        this(engine, fec, 0);
    }

    /** The same tuning, asking the server to send at {@code bitsPerSecond} (0: asking nothing). */
    public KcpTuning withDown(long bitsPerSecond) {
        return new KcpTuning(engine, fec, bitsPerSecond);
    }
}
