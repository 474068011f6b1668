package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class KcpWireTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void headerGoldenBytes() {
        byte[] b = new byte[24];
        KcpWire.writeHeader(b, 0, 0x11223344, KcpWire.CMD_PUSH, 0, 0x0100, 0xDEADBEEF, 5, 4, 3);
        assertEquals("44332211" + "51" + "00" + "0001" + "efbeadde" + "05000000" + "04000000" + "03000000",
                HEX.formatHex(b));
    }

    @Test
    void commandCodesMatchTheCOriginal() {
        assertEquals(81, KcpWire.CMD_PUSH);
        assertEquals(82, KcpWire.CMD_ACK);
        assertEquals(83, KcpWire.CMD_WASK);
        assertEquals(84, KcpWire.CMD_WINS);
        assertEquals(24, KcpWire.HEADER_BYTES);
    }

    @Test
    void decodeReadsWhatWasWritten() {
        byte[] b = new byte[30];
        KcpWire.writeHeader(b, 3, -2, KcpWire.CMD_ACK, 7, 65535, -1, 0x80000000, 0x7FFFFFFF, 0);
        assertEquals(-2, KcpWire.readConv(b, 3));
        assertEquals(KcpWire.CMD_ACK, KcpWire.readU8(b, 3 + KcpWire.OFF_CMD));
        assertEquals(7, KcpWire.readU8(b, 3 + KcpWire.OFF_FRG));
        assertEquals(65535, KcpWire.readU16(b, 3 + KcpWire.OFF_WND));
        assertEquals(-1, KcpWire.readInt(b, 3 + KcpWire.OFF_TS));
        assertEquals(0x80000000, KcpWire.readInt(b, 3 + KcpWire.OFF_SN));
        assertEquals(0x7FFFFFFF, KcpWire.readInt(b, 3 + KcpWire.OFF_UNA));
    }

    @Test
    void wndAboveSixteenBitsIsClamped() {
        byte[] b = new byte[24];
        KcpWire.writeHeader(b, 0, 1, KcpWire.CMD_WINS, 0, 70_000, 0, 0, 0, 0);
        assertEquals(65535, KcpWire.readU16(b, KcpWire.OFF_WND));
    }

    @Test
    void engineFirstPushGoldenBytes() {
        PacketRecorder out = new PacketRecorder();
        KcpEngine e = new KcpEngine(0x11223344, KcpConfig.fast3().withWindows(16, 32).withDuplicateBelow(0), out);
        e.send(new byte[] {'a', 'b', 'c'}, 0, 3);
        e.flush(0x1_0000_0005L); // only the clock's low 32 bits travel
        assertEquals(1, out.packets.size());
        assertEquals("44332211" + "51" + "00" + "2000" + "05000000" + "00000000" + "00000000" + "03000000"
                + "616263", HEX.formatHex(out.packets.get(0)));
    }

    @Test
    void smallDataPacketsGoThreeTimesAndFullOnesOnce() {
        PacketRecorder out = new PacketRecorder();
        KcpEngine e = new KcpEngine(1, KcpConfig.fast3(), out);
        e.send(new byte[64], 0, 64);
        e.flush(0);
        assertEquals(3, out.packets.size(), "a 64-byte request is sent three times");
        assertEquals(HEX.formatHex(out.packets.get(0)), HEX.formatHex(out.packets.get(1)));
        assertEquals(HEX.formatHex(out.packets.get(0)), HEX.formatHex(out.packets.get(2)));
        out.packets.clear();
        e.send(new byte[4 * 1326], 0, 4 * 1326);
        e.flush(1);
        assertEquals(4, out.packets.size(), "full packets are sent once");
        assertEquals(1, e.stats().duplicatedPackets());
    }

    @Test
    void engineAckGoldenBytes() {
        PacketRecorder out = new PacketRecorder();
        KcpEngine e = new KcpEngine(7, KcpConfig.fast3().withWindows(16, 32), out);
        byte[] push = WireSegment.encode(WireSegment.push(7, 0, 0, 128, 0x01020304, new byte[] {9, 9}));
        assertEquals(true, e.input(push, 0, push.length, 1000));
        // One ack-only packet: ts echoed, sn 0, una 1, and a window of 31 (one segment waits to be read).
        assertEquals(1, out.packets.size());
        assertEquals("07000000" + "52" + "00" + "1f00" + "04030201" + "00000000" + "01000000" + "00000000",
                HEX.formatHex(out.packets.get(0)));
        byte[] read = new byte[2];
        assertEquals(2, e.receive(read, 0, 2));
        assertArrayEquals(new byte[] {9, 9}, read);
    }

    @Test
    void segmentsArePackedUpToTheMtu() {
        PacketRecorder out = new PacketRecorder();
        KcpConfig config = KcpConfig.fast3().withMtu(100);
        KcpEngine e = new KcpEngine(1, config, out);
        byte[] ackBurst = WireSegment.encode(
                WireSegment.push(1, 0, 0, 128, 0, new byte[0]), WireSegment.push(1, 1, 0, 128, 0, new byte[0]),
                WireSegment.push(1, 2, 0, 128, 0, new byte[0]), WireSegment.push(1, 3, 0, 128, 0, new byte[0]),
                WireSegment.push(1, 4, 0, 128, 0, new byte[0]));
        e.input(ackBurst, 0, ackBurst.length, 0);
        // Five 24-byte acks in 100-byte packets: 4 + 1.
        assertEquals(List.of(96, 24), out.packets.stream().map(p -> p.length).toList());
        assertEquals(List.of(0, 1, 2, 3, 4), out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList());
    }
}
