package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.OpenStatus;
import dev.ferry.tunnel.wire.ResetReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mux alone, frames in and out of an EmbeddedChannel. */
class MuxSessionTest {
    private static final int WINDOW = 256 * 1024;
    private static final Destination DEST = Destination.parse("10.0.0.1", 80);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel(MuxSession mux) {
        EmbeddedChannel ch = new EmbeddedChannel(mux);
        channels.add(ch);
        return ch;
    }

    private static List<Frame> drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        List<Frame> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            out.add((Frame) o);
        }
        return out;
    }

    private static void releaseAll(List<Frame> frames) {
        for (Frame f : frames) {
            if (f instanceof Frame.Data d) {
                d.payload().release();
            } else if (f instanceof Frame.Open o) {
                o.firstBytes().release();
            }
        }
    }

    @Test
    void aSmallRequestIsNotQueuedBehindABulkTransfer() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        Recorder bulkH = new Recorder();
        MuxStream bulk = mux.open(DEST, Unpooled.EMPTY_BUFFER, false, bulkH);
        MuxStream small = mux.open(DEST, Unpooled.EMPTY_BUFFER, false, new Recorder());
        releaseAll(drain(ch)); // the two OPENs
        // The tunnel is backed up while the bulk sender queues megabytes and then the small request arrives.
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        bulk.write(Unpooled.wrappedBuffer(new byte[4 << 20])); // far more than one window
        small.write(Unpooled.wrappedBuffer(new byte[100]));
        assertEquals(List.of(), drain(ch), "nothing is sent while the tunnel is not writable");
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        List<Frame> frames = drain(ch);
        int dataBeforeSmall = 0;
        for (Frame f : frames) {
            if (f instanceof Frame.Data d && d.streamId() == small.id()) {
                break;
            }
            if (f instanceof Frame.Data) {
                dataBeforeSmall++;
            }
        }
        assertTrue(dataBeforeSmall <= 1, dataBeforeSmall + " bulk frames went before the small request");
        long bulkBytes = frames.stream().filter(f -> f instanceof Frame.Data d && d.streamId() == bulk.id())
                .mapToLong(f -> ((Frame.Data) f).payload().readableBytes()).sum();
        assertEquals(WINDOW, bulkBytes, "bulk stops at the peer's window");
        assertFalse(bulk.isWritable(), "the bulk writer is told to pause");
        assertEquals(1, bulkH.writabilityChanges);
        releaseAll(frames);

        mux.channelRead(null, new Frame.WindowUpdate(bulk.id(), 64 * 1024));
        List<Frame> more = drain(ch);
        long moreBytes = more.stream().mapToLong(f -> ((Frame.Data) f).payload().readableBytes()).sum();
        assertEquals(64 * 1024, moreBytes, "a window update releases exactly its increment");
        releaseAll(more);
    }

    @Test
    void firstBytesAndFinGoWithTheOpen() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        mux.open(DEST, Unpooled.copiedBuffer("GET / HTTP/1.0\r\n\r\n".getBytes()), true, new Recorder());
        List<Frame> frames = drain(ch);
        assertEquals(1, frames.size(), "one frame: " + frames);
        Frame.Open open = assertInstanceOf(Frame.Open.class, frames.get(0));
        assertEquals(18, open.firstBytes().readableBytes());
        assertTrue(open.fin());
        releaseAll(frames);
    }

    @Test
    void serverHoldsEarlyDataUntilAcceptedThenDeliversInOrder() {
        List<MuxStream> opened = new ArrayList<>();
        MuxSession mux = MuxSession.server(WINDOW, WINDOW, opened::add, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        ch.writeInbound(new Frame.Open(1, DEST, Unpooled.copiedBuffer(new byte[]{1}), false));
        ch.writeInbound(new Frame.Data(1, Unpooled.copiedBuffer(new byte[]{2, 3})));
        ch.writeInbound(new Frame.Fin(1));
        assertEquals(1, opened.size());
        Recorder r = new Recorder();
        opened.get(0).accept(r);
        assertEquals(List.of(1, 2, 3), r.bytes);
        assertTrue(r.fin);
        List<Frame> frames = drain(ch);
        assertEquals(new Frame.OpenResult(1, OpenStatus.OK), frames.get(0));
    }

    @Test
    void dataBeyondTheWindowResetsTheStream() {
        List<MuxStream> opened = new ArrayList<>();
        MuxSession mux = MuxSession.server(16 * 1024, WINDOW, opened::add, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        ch.writeInbound(new Frame.Open(1, DEST, Unpooled.EMPTY_BUFFER, false));
        Recorder r = new Recorder();
        opened.get(0).accept(r);
        ch.writeInbound(new Frame.Data(1, Unpooled.wrappedBuffer(new byte[16 * 1024])));
        ch.writeInbound(new Frame.Data(1, Unpooled.wrappedBuffer(new byte[1])));
        List<Frame> frames = drain(ch);
        assertTrue(frames.contains(new Frame.Reset(1, ResetReason.PROTOCOL_ERROR)), "frames: " + frames);
        assertEquals(ResetReason.PROTOCOL_ERROR, r.reset);
        assertEquals(0, mux.streamCount());
    }

    @Test
    void consumingGrantsWindowBack() {
        List<MuxStream> opened = new ArrayList<>();
        MuxSession mux = MuxSession.server(WINDOW, WINDOW, opened::add, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        ch.writeInbound(new Frame.Open(1, DEST, Unpooled.EMPTY_BUFFER, false));
        Recorder r = new Recorder();
        opened.get(0).accept(r);
        drain(ch);
        ch.writeInbound(new Frame.Data(1, Unpooled.wrappedBuffer(new byte[WINDOW / 2])));
        assertEquals(WINDOW / 2, mux.bufferedBytes(), "received and not yet consumed");
        opened.get(0).consumed(WINDOW / 2);
        assertEquals(0, mux.bufferedBytes());
        List<Frame> frames = drain(ch);
        assertEquals(List.of(new Frame.WindowUpdate(1, WINDOW / 2)), frames);
    }

    @Test
    void tunnelLossResetsEveryStream() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        mux.open(DEST, Unpooled.EMPTY_BUFFER, false, a).write(Unpooled.wrappedBuffer(new byte[10]));
        mux.open(DEST, Unpooled.EMPTY_BUFFER, false, b);
        ch.close();
        assertEquals(ResetReason.SHUTDOWN, a.reset);
        assertEquals(ResetReason.SHUTDOWN, b.reset);
        assertEquals(0, mux.streamCount());
        assertFalse(mux.acceptsNewStreams());
    }

    @Test
    void goAwayStopsNewStreams() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        assertNotNull(mux.open(DEST, Unpooled.EMPTY_BUFFER, false, new Recorder()));
        ch.writeInbound(new Frame.Control(new dev.ferry.tunnel.wire.ControlMessage.GoAway(1)));
        assertFalse(mux.acceptsNewStreams());
        assertEquals(null, mux.open(DEST, Unpooled.EMPTY_BUFFER, false, new Recorder()));
        releaseAll(drain(ch));
    }

    @Test
    void runningOutOfStreamIdsRetiresTheTunnelWithoutBreakingIt() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        mux.useStreamIdsUpTo(MuxSession.MAX_STREAM_ID - 2);
        MuxStream last = mux.open(DEST, Unpooled.EMPTY_BUFFER, false, new Recorder());
        assertEquals(Integer.MAX_VALUE - 2, last.id());
        assertNotNull(mux.open(DEST, Unpooled.EMPTY_BUFFER, false, new Recorder()), "the very last id");
        assertFalse(mux.acceptsNewStreams(), "ids exhausted: the frontend must open a new tunnel");
        assertEquals(null, mux.open(DEST, Unpooled.EMPTY_BUFFER, false, new Recorder()));
        last.reset(ResetReason.CONNECTION_RESET);
        ch.writeInbound(new Frame.Data(last.id(), Unpooled.wrappedBuffer(new byte[]{1}))); // crossed our RESET
        assertTrue(ch.isOpen(), "a late frame for an ended stream is no protocol error, even at the last ids");
        releaseAll(drain(ch));
    }

    @Test
    void backendRefusesStreamsBeyondItsCap() {
        List<MuxStream> opened = new ArrayList<>();
        MuxSession mux = MuxSession.server(WINDOW, WINDOW, opened::add, SessionListener.NONE, 2);
        EmbeddedChannel ch = channel(mux);
        for (int id = 1; id <= 5; id += 2) {
            ch.writeInbound(new Frame.Open(id, DEST, Unpooled.EMPTY_BUFFER, false));
        }
        assertEquals(2, opened.size());
        assertEquals(List.of(new Frame.OpenResult(5, OpenStatus.FAILED)), drain(ch));
        assertTrue(ch.isOpen(), "the tunnel and its other streams go on");
    }

    @Test
    void earlyDataIsCopiedOutOfItsRecord() {
        List<MuxStream> opened = new ArrayList<>();
        MuxSession mux = MuxSession.server(WINDOW, WINDOW, opened::add, SessionListener.NONE);
        EmbeddedChannel ch = channel(mux);
        ByteBuf record = Unpooled.buffer(16 * 1024).writeZero(16 * 1024);
        ch.writeInbound(new Frame.Open(1, DEST, Unpooled.EMPTY_BUFFER, false));
        ch.writeInbound(new Frame.Data(1, record.retainedSlice(0, 1)));
        record.release();
        assertEquals(0, record.refCnt(), "held early data must not pin the whole record");
        opened.get(0).accept(new Recorder());
        releaseAll(drain(ch));
    }

    private static final class Recorder implements StreamHandler {
        final List<Integer> bytes = new ArrayList<>();
        boolean fin;
        ResetReason reset;
        int writabilityChanges;

        @Override
        public void onData(ByteBuf data) {
            while (data.isReadable()) {
                bytes.add((int) data.readByte());
            }
            data.release();
        }

        @Override
        public void onFin() {
            fin = true;
        }

        @Override
        public void onReset(ResetReason reason, boolean byPeer) {
            reset = reason;
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            writabilityChanges++;
        }
    }
}
