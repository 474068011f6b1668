package dev.ferry.transport.kcp;

import dev.ferry.transport.kcp.engine.Congestion;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.kcp.engine.KcpEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of {@code --down}: a session's engine sends at the rate its client declares
 * ({@link RateDeclaration}), capped by the server's own {@code --up} if it set one. Both are converted to the
 * engine's wire rate with the server's own mtu ({@link KcpOptions#engineBytesPerSecond}); the conversion is
 * monotonic, so the smaller engine rate is the smaller declared one's. The same rate again changes nothing; each
 * change is logged once.
 *
 * <p>Threading: the session's event loop.
 */
final class RateDeclarationHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RateDeclarationHandler.class);

    private final KcpEngine engine;
    private final KcpOptions options;
    private final long sessionId;
    private long applied;

    RateDeclarationHandler(KcpEngine engine, KcpOptions options, long sessionId) {
        this.engine = engine;
        this.options = options;
        this.sessionId = sessionId;
    }

    /** One RATE body from the client; false, changing nothing, if it is malformed or out of bounds. */
    boolean received(byte[] buf, int off, int len) {
        long bits = RateDeclaration.decode(buf, off, len);
        if (bits < 0) {
            return false;
        }
        long rate = KcpOptions.engineBytesPerSecond(bits, options.engine().mtu());
        KcpConfig own = options.engine();
        boolean capped = own.congestion() == Congestion.DECLARED && own.declaredBytesPerSecond() < rate;
        if (capped) {
            rate = own.declaredBytesPerSecond();
        }
        if (rate != applied && engine.declareRate(rate)) {
            if (capped) {
                LOG.info("kcp session {}: sending at this end's --up, below the {} the frontend declared (--down)",
                        Long.toHexString(sessionId), RateDeclaration.format(bits));
            } else {
                LOG.info("kcp session {}: sending at {} as the frontend declared (--down)",
                        Long.toHexString(sessionId), RateDeclaration.format(bits));
            }
        }
        applied = rate;
        return true;
    }
}
