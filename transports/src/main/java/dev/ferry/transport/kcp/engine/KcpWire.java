package dev.ferry.transport.kcp.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The segment layout of the original C KCP, all fields little-endian. A packet is one or more segments back to back.
 *
 * <pre>
 *  0               4       5       6               8
 *  +---------------+-------+-------+---------------+
 *  |     conv      |  cmd  |  frg  |      wnd      |
 *  +---------------+-------+-------+---------------+
 *  8               12              16              20              24
 *  +---------------+---------------+---------------+---------------+
 *  |      ts       |      sn       |      una      |      len      |
 *  +---------------+---------------+---------------+---------------+
 *  |  len bytes of payload (PUSH only)  ...
 * </pre>
 *
 * <ul>
 *   <li>conv: conversation id, both ends agree on it; a packet for another conv is not ours.</li>
 *   <li>cmd: {@link #CMD_PUSH} data, {@link #CMD_ACK} selective ack, {@link #CMD_WASK} window probe,
 *       {@link #CMD_WINS} window tell.</li>
 *   <li>frg: fragments left in a message (message mode); ferry runs stream mode and always writes 0.</li>
 *   <li>wnd: the sender's free receive window, in segments.</li>
 *   <li>ts: the sender's clock (low 32 bits of milliseconds); an ACK echoes the ts of the segment it acks.</li>
 *   <li>sn: sequence number of a PUSH, or the sn an ACK acknowledges.</li>
 *   <li>una: every sn below this was received by the sender of this segment.</li>
 *   <li>len: payload length.</li>
 * </ul>
 * sn, una and ts wrap around: compare them by the sign of their 32-bit difference, never with {@code <}.
 */
public final class KcpWire {
    public static final int HEADER_BYTES = 24;

    public static final int CMD_PUSH = 81;
    public static final int CMD_ACK = 82;
    public static final int CMD_WASK = 83;
    public static final int CMD_WINS = 84;

    static final int OFF_CONV = 0;
    static final int OFF_CMD = 4;
    static final int OFF_FRG = 5;
    static final int OFF_WND = 6;
    static final int OFF_TS = 8;
    static final int OFF_SN = 12;
    static final int OFF_UNA = 16;
    static final int OFF_LEN = 20;

    /** The largest value of the 16-bit wnd field. */
    static final int MAX_WND = 0xFFFF;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private KcpWire() {
    }

    /** The conv of the segment starting at {@code off}; a transport demultiplexing sessions may use it. */
    public static int readConv(byte[] packet, int off) {
        return readInt(packet, off + OFF_CONV);
    }

    static int readInt(byte[] b, int off) {
        return (int) INT_LE.get(b, off);
    }

    static int readU16(byte[] b, int off) {
        return (short) SHORT_LE.get(b, off) & 0xFFFF;
    }

    static int readU8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    /** Writes one 24-byte header at {@code off}; the caller guarantees the room. */
    static void writeHeader(byte[] b, int off, int conv, int cmd, int frg, int wnd, int ts, int sn, int una, int len) {
        INT_LE.set(b, off + OFF_CONV, conv);
        b[off + OFF_CMD] = (byte) cmd;
        b[off + OFF_FRG] = (byte) frg;
        SHORT_LE.set(b, off + OFF_WND, (short) Math.min(wnd, MAX_WND));
        INT_LE.set(b, off + OFF_TS, ts);
        INT_LE.set(b, off + OFF_SN, sn);
        INT_LE.set(b, off + OFF_UNA, una);
        INT_LE.set(b, off + OFF_LEN, len);
    }
}
