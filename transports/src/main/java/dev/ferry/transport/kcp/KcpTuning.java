package dev.ferry.transport.kcp;

import dev.ferry.transport.kcp.engine.Congestion;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;

import java.util.Objects;

/** Everything {@code --mode}, {@code --mtu}, the windows and {@code --fec} set for the kcp transport. */
public record KcpTuning(KcpConfig engine, FecSetting fec) {
    /** kcptun's fast3 retransmission settings, paced by the rate controller, no FEC: the command line's defaults. */
    public static final KcpTuning DEFAULT = new KcpTuning(KcpConfig.fast3().withCongestion(Congestion.RATE),
            FecSetting.OFF);

    public KcpTuning {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(fec, "fec");
    }
}
