package dev.ferry.transport.fec;

/**
 * Where a {@link FecEncoder}'s shards go (to be sealed and sent as datagram bodies).
 *
 * <p>The shard is {@code buf[off ..+len)}, header included. {@code buf} belongs to the encoder: the callee reads or
 * copies it before returning, never writes into it, and keeps no reference (the encoder reuses it for the next
 * group and still needs a data shard's bytes to compute parity). The callee must not call back into the encoder.
 */
@FunctionalInterface
public interface ShardSink {
    void shard(byte[] buf, int off, int len);
}
