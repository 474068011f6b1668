package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireFormat.CONTROL_GO_AWAY;
import static dev.ferry.tunnel.wire.WireFormat.CONTROL_LOAD_REPORT;
import static dev.ferry.tunnel.wire.WireFormat.CONTROL_SUBTYPE_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.FIN_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.FLAG_FIN;
import static dev.ferry.tunnel.wire.WireFormat.GO_AWAY_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.HEADER_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.LOAD_REPORT_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.MAX_PAYLOAD;
import static dev.ferry.tunnel.wire.WireFormat.OPEN_RESULT_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.PING_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.RESET_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.WINDOW_UPDATE_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Turns {@link Frame}s into bytes (layout in {@link WireFormat}).
 *
 * <p>Ownership: the encoder takes the frame's buffer ({@link Frame.Data#payload()}, {@link Frame.Open#firstBytes()})
 * and either passes it on or releases it, also when the frame is rejected. The handler writes exactly one buffer
 * per frame (the record layer relies on it to keep frames whole within records); for DATA and OPEN with first bytes
 * that buffer is a composite of the header (plus the destination for OPEN) and the frame's own payload buffer, so
 * stream bytes are not copied here.
 *
 * <p>A frame that breaks a wire rule (stream id 0 on a stream frame, empty DATA, a payload over
 * {@link WireFormat#MAX_PAYLOAD}) is a bug of the sender: it is rejected with an {@link IllegalArgumentException}
 * (wrapped in an {@link io.netty.handler.codec.EncoderException} by the handler) and nothing is written.
 *
 * <p>Stateless, hence {@link ChannelHandler.Sharable}.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {

    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        // MessageToMessageEncoder writes whatever is in 'out' even when encode throws, so check before adding.
        ByteBuf tail = checkedTail(frame);
        ByteBuf head;
        try {
            head = ctx.alloc().buffer(HEADER_LENGTH + bodyLength(frame));
        } catch (Throwable t) {
            tail.release();
            throw t;
        }
        writeHead(frame, tail.readableBytes(), head);
        if (tail.isReadable()) {
            // One message per frame, so the record layer can keep frames whole; the payload is not copied.
            out.add(ctx.alloc().compositeBuffer(2).addComponents(true, head, tail));
        } else {
            tail.release();
            out.add(head);
        }
    }

    /**
     * Encodes {@code frame} into one new contiguous buffer from {@code alloc}, which the caller owns. Like the handler
     * this consumes the frame: its payload buffer is released, also when the frame is rejected.
     *
     * @throws IllegalArgumentException if the frame breaks a wire rule
     */
    public static ByteBuf encode(Frame frame, ByteBufAllocator alloc) {
        ByteBuf tail = checkedTail(frame);
        try {
            int tailLength = tail.readableBytes();
            ByteBuf out = alloc.buffer(HEADER_LENGTH + bodyLength(frame) + tailLength);
            writeHead(frame, tailLength, out);
            out.writeBytes(tail, tail.readerIndex(), tailLength);
            return out;
        } finally {
            tail.release();
        }
    }

    /** The frame's stream bytes, sent after the head without copying; an empty buffer for frames without them. */
    private static ByteBuf tail(Frame frame) {
        return switch (frame) {
            case Frame.Open open -> open.firstBytes();
            case Frame.Data data -> data.payload();
            case Frame.Datagram datagram -> datagram.payload();
            default -> Unpooled.EMPTY_BUFFER;
        };
    }

    /** Returns the frame's tail after checking the wire rules; on a violation releases the tail and throws. */
    private static ByteBuf checkedTail(Frame frame) {
        ByteBuf tail = tail(frame);
        String problem = wireProblem(frame, tail.readableBytes());
        if (problem != null) {
            tail.release();
            throw new IllegalArgumentException(frame.type() + " frame: " + problem);
        }
        return tail;
    }

    private static String wireProblem(Frame frame, int tailLength) {
        if (!frame.type().isConnectionLevel() && frame.streamId() == WireFormat.CONNECTION_STREAM_ID) {
            return "stream id must not be 0";
        }
        if (frame instanceof Frame.Data && tailLength < WireFormat.MIN_DATA_LENGTH) {
            return "payload must not be empty";
        }
        int length = bodyLength(frame) + tailLength;
        if (length > MAX_PAYLOAD) {
            return "payload of " + length + " bytes exceeds the maximum of " + MAX_PAYLOAD;
        }
        return null;
    }

    /** Payload bytes written together with the header: everything but the tail. */
    private static int bodyLength(Frame frame) {
        return switch (frame) {
            case Frame.Open open -> DestinationCodec.encodedLength(open.destination());
            case Frame.OpenResult _ -> OPEN_RESULT_LENGTH;
            case Frame.Data _ -> 0;
            case Frame.Datagram datagram -> DestinationCodec.encodedLength(datagram.address());
            case Frame.Fin _ -> FIN_LENGTH;
            case Frame.Reset _ -> RESET_LENGTH;
            case Frame.WindowUpdate _ -> WINDOW_UPDATE_LENGTH;
            case Frame.Ping _, Frame.Pong _ -> PING_LENGTH;
            case Frame.Control control -> CONTROL_SUBTYPE_LENGTH + switch (control.message()) {
                case ControlMessage.LoadReport _ -> LOAD_REPORT_LENGTH;
                case ControlMessage.GoAway _ -> GO_AWAY_LENGTH;
            };
        };
    }

    /** Writes the header and the body, announcing a payload of body plus {@code tailLength} bytes. */
    private static void writeHead(Frame frame, int tailLength, ByteBuf out) {
        int flags = frame instanceof Frame.Open open && open.fin() ? FLAG_FIN : 0;
        out.writeByte(frame.type().code())
                .writeByte(flags)
                .writeInt(frame.streamId())
                .writeShort(bodyLength(frame) + tailLength);
        switch (frame) {
            case Frame.Open open -> DestinationCodec.write(open.destination(), out);
            case Frame.OpenResult result -> out.writeByte(result.status().code());
            case Frame.Data _, Frame.Fin _ -> { }
            case Frame.Reset reset -> out.writeByte(reset.reason().code());
            case Frame.WindowUpdate update -> out.writeInt(update.increment());
            case Frame.Ping ping -> out.writeLong(ping.opaque());
            case Frame.Pong pong -> out.writeLong(pong.opaque());
            case Frame.Control control -> writeControl(control.message(), out);
            case Frame.Datagram datagram -> DestinationCodec.write(datagram.address(), out);
        }
    }

    private static void writeControl(ControlMessage message, ByteBuf out) {
        switch (message) {
            case ControlMessage.LoadReport report -> out.writeByte(CONTROL_LOAD_REPORT)
                    .writeInt(report.activeStreams())
                    .writeShort(report.weight())
                    .writeByte(report.draining() ? 1 : 0);
            case ControlMessage.GoAway goAway -> out.writeByte(CONTROL_GO_AWAY)
                    .writeInt(goAway.lastStreamId());
        }
    }
}
