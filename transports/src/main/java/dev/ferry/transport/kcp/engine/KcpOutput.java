package dev.ferry.transport.kcp.engine;

/**
 * Where a {@link KcpEngine}'s packets go.
 *
 * <p>The engine reuses {@code packet} as soon as the call returns: the callee copies or seals the first
 * {@code length} bytes before returning. The callee must not call back into the same engine (the engine is not
 * re-entrant and refuses such a call with {@link IllegalStateException}); queue the packet and deliver it later.
 */
@FunctionalInterface
public interface KcpOutput {
    void output(byte[] packet, int length);
}
