package dev.ferry.transport.udp;

import dev.ferry.transport.fec.FecFormat;

/**
 * What {@code --fec} asks of a sender: off ({@code 0,0}), a fixed Reed-Solomon shape ({@code DATA,PARITY}), or
 * {@code auto}, which sizes parity from the loss the peer reports. Receivers decode whatever shape arrives, whatever
 * their own setting.
 */
public record FecSetting(int dataShards, int parityShards, boolean auto) {
    public static final FecSetting OFF = new FecSetting(0, 0, false);
    public static final FecSetting AUTO = new FecSetting(0, 0, true);

    public FecSetting {
        if (!auto && (dataShards < 0 || parityShards < 0 || (dataShards == 0) != (parityShards == 0)
                || dataShards + parityShards > FecFormat.MAX_GROUP_SHARDS)) {
            throw new IllegalArgumentException("expected DATA,PARITY with both 0 (off) or both at least 1 and at "
                    + "most " + FecFormat.MAX_GROUP_SHARDS + " shards in all, got " + dataShards + "," + parityShards);
        }
    }

    /** {@code auto}, {@code 0,0} or {@code DATA,PARITY} such as {@code 10,3}. */
    public static FecSetting parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("auto")) {
            return AUTO;
        }
        int comma = t.indexOf(',');
        if (comma < 0) {
            throw new IllegalArgumentException("expected DATA,PARITY (like 10,3), 0,0 or auto, got '" + text + "'");
        }
        try {
            return new FecSetting(Integer.parseInt(t.substring(0, comma).strip()),
                    Integer.parseInt(t.substring(comma + 1).strip()), false);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected DATA,PARITY (like 10,3), 0,0 or auto, got '" + text + "'");
        }
    }

    public boolean isOff() {
        return !auto && dataShards == 0;
    }

    @Override
    public String toString() {
        return auto ? "auto" : dataShards + "," + parityShards;
    }
}
