package dev.ferry.transport.fec;

/**
 * The shape of a FEC group: {@code dataShards} data shards protected by {@code parityShards} parity shards
 * ({@code --fec DATA,PARITY}). Zero parity is a valid shape (framed, but nothing to recover with); turning FEC off
 * altogether ({@code 0,0}) is the owner's business and has no shape.
 *
 * @throws IllegalArgumentException unless {@code 1 <= dataShards}, {@code 0 <= parityShards} and the sum is at most
 *     {@link FecFormat#MAX_GROUP_SHARDS}
 */
public record FecShape(int dataShards, int parityShards) {
    public FecShape {
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > FecFormat.MAX_GROUP_SHARDS) {
            throw new IllegalArgumentException("fec shape needs 1 <= data, 0 <= parity, data + parity <= "
                    + FecFormat.MAX_GROUP_SHARDS + "; got " + dataShards + "," + parityShards);
        }
    }

    public int totalShards() {
        return dataShards + parityShards;
    }

    @Override
    public String toString() {
        return dataShards + "," + parityShards;
    }
}
