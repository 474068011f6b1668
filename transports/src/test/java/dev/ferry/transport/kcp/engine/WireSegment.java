package dev.ferry.transport.kcp.engine;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One decoded segment, for tests. Encodes and decodes the C KCP layout byte by byte on its own (independently of
 * {@link KcpWire}), so tests check the engine against the format rather than against itself.
 */
record WireSegment(int conv, int cmd, int frg, int wnd, int ts, int sn, int una, byte[] payload) {

    static WireSegment push(int conv, int sn, int una, int wnd, int ts, byte[] payload) {
        return new WireSegment(conv, KcpWire.CMD_PUSH, 0, wnd, ts, sn, una, payload);
    }

    static WireSegment control(int conv, int cmd, int sn, int una, int wnd, int ts) {
        return new WireSegment(conv, cmd, 0, wnd, ts, sn, una, new byte[0]);
    }

    static List<WireSegment> decode(byte[] p, int off, int len) {
        List<WireSegment> out = new ArrayList<>();
        int pos = off;
        int end = off + len;
        while (pos < end) {
            if (end - pos < 24) {
                throw new AssertionError("truncated segment at " + (pos - off) + " of " + len);
            }
            int n = le32(p, pos + 20);
            byte[] payload = Arrays.copyOfRange(p, pos + 24, pos + 24 + n);
            out.add(new WireSegment(le32(p, pos), p[pos + 4] & 0xFF, p[pos + 5] & 0xFF,
                    (p[pos + 6] & 0xFF) | (p[pos + 7] & 0xFF) << 8, le32(p, pos + 8), le32(p, pos + 12),
                    le32(p, pos + 16), payload));
            pos += 24 + n;
        }
        return out;
    }

    static byte[] encode(WireSegment... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (WireSegment s : segments) {
            s.writeTo(out, s.payload.length);
        }
        return out.toByteArray();
    }

    /** Writes the header with an arbitrary len field (for malformed packets) followed by the payload. */
    void writeTo(ByteArrayOutputStream out, int lenField) {
        putLe32(out, conv);
        out.write(cmd);
        out.write(frg);
        out.write(wnd & 0xFF);
        out.write(wnd >>> 8 & 0xFF);
        putLe32(out, ts);
        putLe32(out, sn);
        putLe32(out, una);
        putLe32(out, lenField);
        out.writeBytes(payload);
    }

    int len() {
        return payload.length;
    }

    private static int le32(byte[] p, int i) {
        return (p[i] & 0xFF) | (p[i + 1] & 0xFF) << 8 | (p[i + 2] & 0xFF) << 16 | (p[i + 3] & 0xFF) << 24;
    }

    private static void putLe32(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write(v >>> 8 & 0xFF);
        out.write(v >>> 16 & 0xFF);
        out.write(v >>> 24 & 0xFF);
    }

    @Override
    public String toString() {
        return "Seg[cmd=" + cmd + " sn=" + sn + " una=" + una + " wnd=" + wnd + " ts=" + ts + " len=" + len() + "]";
    }
}
