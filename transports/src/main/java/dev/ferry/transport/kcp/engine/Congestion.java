package dev.ferry.transport.kcp.engine;

/** The congestion controllers a {@link KcpConfig} can select; each engine gets its own instance. */
public enum Congestion {
    /** No congestion window and no pacing: only the send and receive windows limit what flies (kcptun's "nc"). */
    OFF {
        @Override
        CongestionControl create(KcpConfig config, int conv) {
            return CongestionControl.NONE;
        }
    },
    /** KCP's loss-based window: halves on fast retransmit, restarts from one segment on timeout. */
    CLASSIC {
        @Override
        CongestionControl create(KcpConfig config, int conv) {
            return new ClassicCongestionWindow(config.fastResend());
        }
    },
    /** Paced, rate-based, BBR-like: follows the bottleneck's bandwidth; random loss does not slow it. */
    RATE {
        @Override
        CongestionControl create(KcpConfig config, int conv) {
            return new BbrLikeController(config.mtu(), conv);
        }
    },
    /** Paced at {@link KcpConfig#declaredBytesPerSecond()}, retransmissions included, whatever happens. */
    DECLARED {
        @Override
        CongestionControl create(KcpConfig config, int conv) {
            return new DeclaredRateController(config.declaredBytesPerSecond(), config.mtu());
        }
    };

    abstract CongestionControl create(KcpConfig config, int conv);
}
