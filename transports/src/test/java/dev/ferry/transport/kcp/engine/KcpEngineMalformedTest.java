package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed packets are refused whole: false, counted, no output, no other state change. */
class KcpEngineMalformedTest {
    private static final int CONV = 0x0BADF00D;
    private static final KcpConfig CONFIG = KcpConfig.fast3().withMtu(100).withWindows(8, 8);

    private final PacketRecorder out = new PacketRecorder();

    /** An engine with data in flight, a segment buffered out of order and one readable. */
    private KcpEngine busyEngine() {
        KcpEngine e = new KcpEngine(CONV, CONFIG, out);
        e.send(new byte[3 * CONFIG.mss()], 0, 3 * CONFIG.mss());
        e.flush(0);
        byte[] p = WireSegment.encode(WireSegment.push(CONV, 0, 0, 8, 0, new byte[] {1}),
                WireSegment.push(CONV, 2, 0, 8, 0, new byte[] {3}));
        assertTrue(e.input(p, 0, p.length, 1));
        out.clear();
        return e;
    }

    private static byte[] withLenField(WireSegment s, int lenField) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        s.writeTo(b, lenField);
        return b.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static Map<String, byte[]> malformedPackets() {
        byte[] ack = WireSegment.encode(WireSegment.control(CONV, KcpWire.CMD_ACK, 1, 1, 8, 0));
        byte[] push = WireSegment.encode(WireSegment.push(CONV, 1, 3, 8, 0, new byte[] {2}));
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("empty", new byte[0]);
        m.put("23 bytes", Arrays.copyOf(ack, 23));
        m.put("trailing partial header", concat(push, new byte[10]));
        m.put("wrong conv", WireSegment.encode(WireSegment.control(CONV + 1, KcpWire.CMD_ACK, 1, 1, 8, 0)));
        m.put("wrong conv in second segment", concat(push,
                WireSegment.encode(WireSegment.control(CONV ^ 1, KcpWire.CMD_WINS, 0, 0, 8, 0))));
        for (int cmd : new int[] {0, 80, 85, 255}) {
            m.put("cmd " + cmd, WireSegment.encode(new WireSegment(CONV, cmd, 0, 8, 0, 1, 3, new byte[0])));
        }
        m.put("len past end", withLenField(WireSegment.push(CONV, 1, 3, 8, 0, new byte[5]), 6));
        m.put("len past end after a good segment",
                concat(push, withLenField(WireSegment.push(CONV, 3, 3, 8, 0, new byte[5]), 50)));
        m.put("len above mss", WireSegment.encode(WireSegment.push(CONV, 1, 3, 8, 0, new byte[CONFIG.mss() + 1])));
        m.put("negative len", withLenField(WireSegment.push(CONV, 1, 3, 8, 0, new byte[0]), -1));
        m.put("payload on an ack", WireSegment.encode(new WireSegment(CONV, KcpWire.CMD_ACK, 0, 8, 0, 1, 3,
                new byte[] {1, 2})));
        return m;
    }

    /** Everything observable except the malformed-packet counter. */
    private static String state(KcpEngine e) {
        KcpStats s = e.stats();
        KcpStats withoutMalformed = new KcpStats(s.packetsSent(), s.packetsReceived(), s.segmentsSent(),
                s.retransmits(), s.fastRetransmits(), s.acksSent(), 0, s.bytesSent(), s.bytesReceived(),
                s.srttMillis(), s.rttVarMillis(), s.rtoMillis(), s.congestionWindow(), s.duplicatedPackets(),
                s.pacingRate());
        return withoutMalformed + " readable=" + e.readable() + " waiting=" + e.waitingSegments() + " capacity="
                + e.sendCapacity() + " next=" + e.nextUpdate(5) + " dead=" + e.isDead();
    }

    @Test
    void malformedPacketsAreRefusedWhole() {
        KcpEngine e = busyEngine();
        String before = state(e);
        long refused = 0;
        for (Map.Entry<String, byte[]> c : malformedPackets().entrySet()) {
            byte[] p = c.getValue();
            assertFalse(e.input(p, 0, p.length, 5), c.getKey());
            assertEquals(++refused, e.stats().malformedPackets(), c.getKey());
            assertEquals(before, state(e), c.getKey());
            assertTrue(out.packets.isEmpty(), c.getKey() + " caused output");
        }
        // The engine still works: sn 1 fills the gap, acks of our sns 0..2 clear the flight.
        byte[] good = WireSegment.encode(WireSegment.push(CONV, 1, 3, 8, 5, new byte[] {2}));
        byte[] framed = concat(new byte[7], good, new byte[3]);
        assertTrue(e.input(framed, 7, good.length, 5));
        assertEquals(3, e.readable());
        assertEquals(0, e.waitingSegments());
    }

    @Test
    void randomGarbageNeverThrows() {
        long seed = 0x5EED_0001L;
        SplittableRandom random = new SplittableRandom(seed);
        KcpEngine e = busyEngine();
        byte[] p = new byte[CONFIG.mtu()];
        for (int i = 0; i < 20_000; i++) {
            int n = random.nextInt(p.length + 1);
            random.nextBytes(p);
            if (random.nextBoolean() && n >= 24) {
                // A plausible header so validation goes deeper than the conv.
                KcpWire.writeHeader(p, 0, CONV, 81 + random.nextInt(4), 0, random.nextInt(65536),
                        random.nextInt(), random.nextInt(-4, 12), random.nextInt(-4, 12), random.nextInt(-2, n));
            }
            try {
                e.input(p, 0, n, 5 + i);
                e.update(5 + i);
            } catch (RuntimeException ex) {
                throw new AssertionError("seed " + seed + " iteration " + i, ex);
            }
        }
        assertTrue(e.waitingSegments() <= 2 * CONFIG.sendWindow(), "seed " + seed);
    }
}
