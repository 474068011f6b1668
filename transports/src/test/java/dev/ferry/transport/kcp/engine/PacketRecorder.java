package dev.ferry.transport.kcp.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link KcpOutput} that keeps a copy of every packet, for tests that inspect what an engine sent. */
final class PacketRecorder implements KcpOutput {
    final List<byte[]> packets = new ArrayList<>();

    @Override
    public void output(byte[] packet, int length) {
        packets.add(Arrays.copyOf(packet, length));
    }

    List<WireSegment> segments() {
        List<WireSegment> out = new ArrayList<>();
        for (byte[] p : packets) {
            out.addAll(WireSegment.decode(p, 0, p.length));
        }
        return out;
    }

    List<WireSegment> segments(int cmd) {
        return segments().stream().filter(s -> s.cmd() == cmd).toList();
    }

    void clear() {
        packets.clear();
    }
}
