package dev.ferry.tunnel.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the wire tests: hex, buffers from a {@link TrackingAllocator}, channels, releasing frames. */
final class WireTestKit {

    private WireTestKit() {}

    /** Hex as written in the tests: spaces, line breaks and '|' separate fields and are dropped. */
    static String compact(String hex) {
        return hex.replaceAll("[\\s|]", "");
    }

    static String hex(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    static ByteBuf fromHex(ByteBufAllocator alloc, String hex) {
        byte[] bytes = ByteBufUtil.decodeHexDump(compact(hex));
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    static ByteBuf ascii(ByteBufAllocator alloc, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    static ByteBuf bytes(ByteBufAllocator alloc, byte[] bytes) {
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    /** The frame's buffer, or an empty one for frames without. */
    static ByteBuf payloadOf(Frame frame) {
        return switch (frame) {
            case Frame.Open open -> open.firstBytes();
            case Frame.Data data -> data.payload();
            case Frame.Datagram datagram -> datagram.payload();
            default -> Unpooled.EMPTY_BUFFER;
        };
    }

    static void release(Frame frame) {
        payloadOf(frame).release();
    }

    static void releaseAll(List<? extends Frame> frames) {
        frames.forEach(WireTestKit::release);
    }

    static EmbeddedChannel channel(ByteBufAllocator alloc, ChannelHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        channel.config().setAllocator(alloc);
        return channel;
    }

    /** Copies every buffer the channel wrote into one new buffer, releasing them. */
    static ByteBuf drainOutbound(EmbeddedChannel channel, ByteBufAllocator alloc) {
        ByteBuf all = alloc.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    /** The buffers the channel wrote, in order; the caller releases them. */
    static List<ByteBuf> outboundBuffers(EmbeddedChannel channel) {
        List<ByteBuf> buffers = new ArrayList<>();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            buffers.add(b);
        }
        return buffers;
    }

    /** The frames the channel decoded so far; the caller releases them. */
    static List<Frame> drainInbound(EmbeddedChannel channel) {
        List<Frame> frames = new ArrayList<>();
        for (Frame f; (f = channel.readInbound()) != null; ) {
            frames.add(f);
        }
        return frames;
    }

    /** {@code length} bytes 0, 1, 2, ... wrapping at 256. */
    static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /**
     * One frame of every type and every destination kind, with fresh buffers from {@code alloc}. Calling it twice
     * gives equal lists, one to send and one to compare against.
     */
    static List<Frame> sampleFrames(ByteBufAllocator alloc) {
        return List.of(
                new Frame.Open(1, Destination.parse("10.0.0.1", 443), Unpooled.EMPTY_BUFFER, false),
                new Frame.Open(3, Destination.parse("2001:db8::1", 80), ascii(alloc, "GET / HTTP/1.1\r\n"), true),
                new Frame.Open(5, Destination.domain("example.com", 8080), ascii(alloc, "hi"), false),
                new Frame.OpenResult(1, OpenStatus.OK),
                new Frame.OpenResult(3, OpenStatus.DENIED),
                new Frame.Data(1, ascii(alloc, "hello")),
                new Frame.Data(5, bytes(alloc, pattern(300))),
                new Frame.WindowUpdate(1, 65536),
                new Frame.WindowUpdate(0x80000001, Integer.MAX_VALUE),
                new Frame.Fin(1),
                new Frame.Reset(3, ResetReason.IDLE_TIMEOUT),
                new Frame.Ping(0x0102030405060708L),
                new Frame.Pong(-1L),
                new Frame.Control(new ControlMessage.LoadReport(12, 100, false)),
                new Frame.Control(new ControlMessage.LoadReport(Integer.MAX_VALUE, 65535, true)),
                new Frame.Control(new ControlMessage.GoAway(41)));
    }
}
