package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireFormat.CONNECTION_STREAM_ID;
import static dev.ferry.tunnel.wire.WireFormat.CONTROL_GO_AWAY;
import static dev.ferry.tunnel.wire.WireFormat.CONTROL_LOAD_REPORT;
import static dev.ferry.tunnel.wire.WireFormat.CONTROL_SUBTYPE_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.FIN_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.FLAG_FIN;
import static dev.ferry.tunnel.wire.WireFormat.FLAGS_OFFSET;
import static dev.ferry.tunnel.wire.WireFormat.GO_AWAY_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.HEADER_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.LENGTH_OFFSET;
import static dev.ferry.tunnel.wire.WireFormat.LOAD_REPORT_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.MAX_PAYLOAD;
import static dev.ferry.tunnel.wire.WireFormat.MIN_DATA_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.MIN_WINDOW_INCREMENT;
import static dev.ferry.tunnel.wire.WireFormat.OPEN_RESULT_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.PING_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.RESET_LENGTH;
import static dev.ferry.tunnel.wire.WireFormat.STREAM_ID_OFFSET;
import static dev.ferry.tunnel.wire.WireFormat.TYPE_OFFSET;
import static dev.ferry.tunnel.wire.WireFormat.WINDOW_UPDATE_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Turns bytes into {@link Frame}s (layout in {@link WireFormat}).
 *
 * <p>Ownership: DATA payloads and OPEN first bytes are retained slices of the received bytes (no copy); the handler
 * that receives the frame owns them and must release them. A slice keeps the whole received buffer alive until it is
 * released, so consumers should not hold on to payloads longer than it takes to write them out.
 *
 * <p>A header is checked as soon as its 8 bytes arrive, before waiting for the payload, so a bad length or type fails
 * at once and the decoder never buffers more than one header plus {@link WireFormat#MAX_PAYLOAD} bytes of a frame.
 * The first {@link ProtocolException} (which Netty wraps in a {@link io.netty.handler.codec.DecoderException}) ends
 * decoding: the tunnel is broken, so every later byte is discarded without any attempt to find a frame boundary.
 *
 * <p>Not sharable: one instance per channel, used on its event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Frame frame = decodeOne(in);
            if (frame != null) {
                out.add(frame);
            }
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * Decodes the next frame from the readable bytes of {@code in}, skipping CONTROL frames of unknown subtype.
     *
     * @return the frame, whose buffers (if any) are retained slices of {@code in} the caller must release; or
     *         {@code null} when {@code in} does not hold a whole frame yet, with the reader index at the start of
     *         that partial frame
     * @throws ProtocolException if the bytes break the protocol; the reader index is then unspecified
     */
    public static Frame decodeOne(ByteBuf in) {
        while (in.readableBytes() >= HEADER_LENGTH) {
            int start = in.readerIndex();
            int typeCode = in.getUnsignedByte(start + TYPE_OFFSET);
            int flags = in.getUnsignedByte(start + FLAGS_OFFSET);
            int streamId = in.getInt(start + STREAM_ID_OFFSET);
            int length = in.getUnsignedShort(start + LENGTH_OFFSET);
            FrameType type = checkHeader(typeCode, streamId, length);
            if (in.readableBytes() < HEADER_LENGTH + length) {
                return null;
            }
            in.skipBytes(HEADER_LENGTH);
            Frame frame = decodePayload(type, flags, streamId, length, in);
            if (frame != null) {
                return frame;
            }
        }
        return null;
    }

    /** Checks everything the header alone tells; returns the frame type. */
    private static FrameType checkHeader(int typeCode, int streamId, int length) {
        FrameType type = FrameType.fromCode(typeCode);
        if (type == null) {
            throw new ProtocolException(String.format("unknown frame type 0x%02x", typeCode));
        }
        if (length > MAX_PAYLOAD) {
            throw new ProtocolException(type + " frame: length " + length + " exceeds the maximum of " + MAX_PAYLOAD);
        }
        if (type.isConnectionLevel() && streamId != CONNECTION_STREAM_ID) {
            throw new ProtocolException(type + " frame: stream id must be 0, got " + Integer.toUnsignedString(streamId));
        }
        if (!type.isConnectionLevel() && streamId == CONNECTION_STREAM_ID) {
            throw new ProtocolException(type + " frame: stream id must not be 0");
        }
        switch (type) {
            case OPEN -> { } // the destination parser reports a short payload, naming the part that is missing
            case OPEN_RESULT -> exactly(type, length, OPEN_RESULT_LENGTH);
            case DATA -> {
                if (length < MIN_DATA_LENGTH) {
                    throw new ProtocolException("DATA frame: payload must not be empty");
                }
            }
            case FIN -> exactly(type, length, FIN_LENGTH);
            case RESET -> exactly(type, length, RESET_LENGTH);
            case WINDOW_UPDATE -> exactly(type, length, WINDOW_UPDATE_LENGTH);
            case PING, PONG -> exactly(type, length, PING_LENGTH);
            case DATAGRAM -> { } // the address parser reports a short payload
            case CONTROL -> {
                if (length < CONTROL_SUBTYPE_LENGTH) {
                    throw new ProtocolException("CONTROL frame: payload must hold at least the subtype byte, got 0");
                }
            }
        }
        return type;
    }

    private static void exactly(FrameType type, int length, int expected) {
        if (length != expected) {
            throw new ProtocolException(
                    type + " frame: payload must be exactly " + expected + " bytes, got " + length);
        }
    }

    /**
     * Reads exactly {@code length} payload bytes (already known to be readable and checked against the header rules)
     * and returns the frame, or {@code null} for a frame that is skipped. Slices are taken last, so a
     * {@link ProtocolException} never leaves a retained slice behind.
     */
    private static Frame decodePayload(FrameType type, int flags, int streamId, int length, ByteBuf in) {
        return switch (type) {
            case OPEN -> decodeOpen(flags, streamId, length, in);
            case OPEN_RESULT -> new Frame.OpenResult(streamId, OpenStatus.fromCode(in.readUnsignedByte()));
            case DATA -> new Frame.Data(streamId, in.readRetainedSlice(length));
            case FIN -> new Frame.Fin(streamId);
            case RESET -> new Frame.Reset(streamId, ResetReason.fromCode(in.readUnsignedByte()));
            case WINDOW_UPDATE -> {
                int increment = in.readInt();
                if (increment < MIN_WINDOW_INCREMENT) { // 0, or 2^31 and above read as a negative int
                    throw new ProtocolException("WINDOW_UPDATE frame: increment must be 1 .. 2^31-1, got "
                            + Integer.toUnsignedString(increment));
                }
                yield new Frame.WindowUpdate(streamId, increment);
            }
            case PING -> new Frame.Ping(in.readLong());
            case PONG -> new Frame.Pong(in.readLong());
            case CONTROL -> decodeControl(length, in);
            case DATAGRAM -> decodeDatagram(streamId, length, in);
        };
    }

    private static Frame decodeOpen(int flags, int streamId, int length, ByteBuf in) {
        // Parse from a view bounded by the payload, so a truncated destination cannot read into the next frame.
        ByteBuf payload = in.slice(in.readerIndex(), length);
        Destination destination = DestinationCodec.read(payload);
        in.skipBytes(payload.readerIndex());
        int firstLength = payload.readableBytes();
        ByteBuf firstBytes = firstLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(firstLength);
        return new Frame.Open(streamId, destination, firstBytes, (flags & FLAG_FIN) != 0);
    }

    private static Frame decodeDatagram(int flowId, int length, ByteBuf in) {
        ByteBuf payload = in.slice(in.readerIndex(), length);
        Destination address = DestinationCodec.read(payload, FrameType.DATAGRAM);
        in.skipBytes(payload.readerIndex());
        int datagramLength = payload.readableBytes();
        ByteBuf datagram = datagramLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(datagramLength);
        return new Frame.Datagram(flowId, address, datagram);
    }

    private static Frame decodeControl(int length, ByteBuf in) {
        int subtype = in.readUnsignedByte();
        int bodyLength = length - CONTROL_SUBTYPE_LENGTH;
        switch (subtype) {
            case CONTROL_LOAD_REPORT -> {
                controlBody("LOAD_REPORT", bodyLength, LOAD_REPORT_LENGTH);
                int activeStreams = in.readInt();
                int weight = in.readUnsignedShort();
                int draining = in.readUnsignedByte();
                if (activeStreams < 0) {
                    throw new ProtocolException("CONTROL frame: LOAD_REPORT active streams must be below 2^31, got "
                            + Integer.toUnsignedString(activeStreams));
                }
                if (draining > 1) {
                    throw new ProtocolException("CONTROL frame: LOAD_REPORT draining must be 0 or 1, got " + draining);
                }
                return new Frame.Control(new ControlMessage.LoadReport(activeStreams, weight, draining == 1));
            }
            case CONTROL_GO_AWAY -> {
                controlBody("GO_AWAY", bodyLength, GO_AWAY_LENGTH);
                return new Frame.Control(new ControlMessage.GoAway(in.readInt()));
            }
            default -> {
                // Newer peers may send subtypes we do not know; they must be safe to ignore.
                in.skipBytes(bodyLength);
                return null;
            }
        }
    }

    private static void controlBody(String subtype, int bodyLength, int expected) {
        if (bodyLength != expected) {
            throw new ProtocolException("CONTROL frame: " + subtype + " body must be exactly " + expected
                    + " bytes, got " + bodyLength);
        }
    }
}
