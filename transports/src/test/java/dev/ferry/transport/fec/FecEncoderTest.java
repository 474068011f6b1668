package dev.ferry.transport.fec;

import dev.ferry.transport.fec.FecTestSupport.Shards;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ferry.transport.fec.FecTestSupport.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FecEncoderTest {
    private final Shards out = new Shards();

    private static List<String> hex(List<byte[]> shards) {
        return shards.stream().map(HEX::formatHex).toList();
    }

    /** Golden bytes, computed independently of the code (see ReedSolomonTest for the matrix). */
    @Test
    void goldenGroup() {
        FecEncoder enc = new FecEncoder(new FecShape(2, 1), 100, 0x01020304);
        enc.onData(HEX.parseHex("6162"), 0, 2, out);
        assertEquals(List.of("01020304000201" + "6162"), hex(out.list), "a data shard leaves at once");
        enc.onData(HEX.parseHex("ff63ff"), 1, 1, out);
        assertEquals(List.of(
                "01020304000201" + "6162",
                "01020304010201" + "63",
                "01020304020201" + "00f59f31"), hex(out.list));
        assertEquals(0x01020305, enc.group());
        assertEquals(0, enc.pendingDataShards());
    }

    @Test
    void closeGroupSendsParityOverWhatItHasAndSaysSo() {
        FecEncoder enc = new FecEncoder(new FecShape(10, 2), 100, 7);
        enc.onData(HEX.parseHex("aa55"), 0, 2, out);
        enc.closeGroup(out);
        assertEquals(List.of(
                "00000007000a02" + "aa55",
                "00000007010102" + "0002aa55",
                "00000007020102" + "000155a4"), hex(out.list), "data says planned k=10, parity says k'=1");
        out.list.clear();
        enc.closeGroup(out);
        assertEquals(List.of(), hex(out.list), "no open group, nothing to close");
        assertEquals(8, enc.group());
    }

    @Test
    void parityIsAsLongAsTheLongestVectorOfItsGroup() {
        FecEncoder enc = new FecEncoder(new FecShape(3, 2), 1400, 0);
        enc.onData(new byte[0], 0, 0, out);
        enc.onData(new byte[1400], 0, 1400, out);
        enc.onData(new byte[5], 0, 5, out);
        assertEquals(List.of(7, 7 + 1400, 7 + 5, 7 + 2 + 1400, 7 + 2 + 1400),
                out.list.stream().map(b -> b.length).toList());
        assertEquals(FecFormat.parityShardLength(1400), out.list.get(4).length);
    }

    @Test
    void reshapeAppliesFromTheNextGroup() {
        FecEncoder enc = new FecEncoder(new FecShape(2, 1), 10, 0);
        enc.onData(new byte[1], 0, 1, out);
        enc.reshape(new FecShape(1, 3));
        assertEquals(new FecShape(2, 1), enc.shape(), "the open group keeps its shape");
        enc.onData(new byte[1], 0, 1, out);
        assertEquals(3, out.list.size());
        assertEquals(new FecShape(1, 3), enc.shape());
        enc.onData(new byte[1], 0, 1, out);
        assertEquals(List.of(
                "00000000000201" + "00",
                "00000000010201" + "00",
                "00000000020201" + HEX.formatHex(out.list.get(2), 7, 10),
                "00000001000103" + "00",
                "00000001010103" + "000100",
                "00000001020103" + HEX.formatHex(out.list.get(5), 7, 10),
                "00000001030103" + HEX.formatHex(out.list.get(6), 7, 10)), hex(out.list));
    }

    @Test
    void zeroParityFramesDataAndSendsNoParity() {
        FecEncoder enc = new FecEncoder(new FecShape(2, 0), 10, 0);
        enc.onData(new byte[] {9}, 0, 1, out);
        enc.onData(new byte[] {8}, 0, 1, out);
        enc.onData(new byte[] {7}, 0, 1, out);
        enc.closeGroup(out);
        assertEquals(List.of("00000000000200" + "09", "00000000010200" + "08", "00000001000200" + "07"),
                hex(out.list));
        assertEquals(2, enc.group());
    }

    @Test
    void groupNumbersWrap() {
        FecEncoder enc = new FecEncoder(new FecShape(1, 1), 10, -1);
        enc.onData(new byte[] {1}, 0, 1, out);
        enc.onData(new byte[] {2}, 0, 1, out);
        assertEquals("ffffffff", HEX.formatHex(out.list.get(0), 0, 4));
        assertEquals("00000000", HEX.formatHex(out.list.get(2), 0, 4));
    }

    @Test
    void refusesBadArgumentsAndReentry() {
        assertThrows(IllegalArgumentException.class, () -> new FecEncoder(new FecShape(1, 1), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FecEncoder(new FecShape(1, 1), 65536, 0));
        assertThrows(IllegalArgumentException.class, () -> new FecShape(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FecShape(100, 29));
        FecEncoder enc = new FecEncoder(new FecShape(2, 1), 10, 0);
        assertThrows(IllegalArgumentException.class, () -> enc.onData(new byte[11], 0, 11, out));
        assertThrows(IndexOutOfBoundsException.class, () -> enc.onData(new byte[4], 2, 3, out));
        ShardSink reentrant = (buf, off, len) -> enc.closeGroup(out);
        assertThrows(IllegalStateException.class, () -> enc.onData(new byte[1], 0, 1, reentrant));
        enc.closeGroup(out);
        assertEquals(1, enc.group(), "the refused call left the encoder usable");
    }
}
