package dev.ferry.tunnel.wire;

import java.util.Objects;

/**
 * One frame of the tunnel. Frames with a payload ({@link Open}, {@link Data}) hold a {@link io.netty.buffer.ByteBuf}:
 * whoever holds the frame owns that buffer and must release it (or pass the frame on). The records themselves are
 * not reference counted, so Netty's codecs never release them: {@link FrameEncoder} releases (or forwards) the
 * buffer of every frame written to it, and {@link FrameDecoder} hands each decoded buffer to the next handler.
 * Record equality compares those buffers by their readable content ({@link io.netty.buffer.ByteBuf#equals}).
 *
 * <p>Constructors check only what a frame is regardless of the wire (non-null parts, value ranges); the wire rules
 * (stream id zero or not, payload sizes) are checked by {@link FrameEncoder} and {@link FrameDecoder}.
 */
public sealed interface Frame
        permits Frame.Open, Frame.OpenResult, Frame.Data, Frame.Fin, Frame.Reset, Frame.WindowUpdate,
                Frame.Ping, Frame.Pong, Frame.Control, Frame.Datagram {

    FrameType type();

    /** The stream this frame belongs to; 0 for connection-level frames. */
    int streamId();

    /**
     * Opens stream {@code streamId} towards {@code destination}. {@code firstBytes} (possibly empty, never null) is the
     * start of the stream's payload, sent with the open so a request costs no extra round trip; it counts against the
     * stream's send window like DATA. {@code fin} means the opener already half-closed after {@code firstBytes}.
     */
    record Open(int streamId, Destination destination, io.netty.buffer.ByteBuf firstBytes, boolean fin) implements Frame {
        public Open {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(firstBytes, "firstBytes (use Unpooled.EMPTY_BUFFER for none)");
        }

        public FrameType type() { return FrameType.OPEN; }
    }

    record OpenResult(int streamId, OpenStatus status) implements Frame {
        public OpenResult {
            Objects.requireNonNull(status, "status");
        }

        public FrameType type() { return FrameType.OPEN_RESULT; }
    }

    /** Stream payload; {@code payload} is never empty. */
    record Data(int streamId, io.netty.buffer.ByteBuf payload) implements Frame {
        public Data {
            Objects.requireNonNull(payload, "payload");
        }

        public FrameType type() { return FrameType.DATA; }
    }

    record Fin(int streamId) implements Frame {
        public FrameType type() { return FrameType.FIN; }
    }

    record Reset(int streamId, ResetReason reason) implements Frame {
        public Reset {
            Objects.requireNonNull(reason, "reason");
        }

        public FrameType type() { return FrameType.RESET; }
    }

    /** Grants {@code increment} (1 .. 2^31-1) more bytes of send window on the stream. */
    record WindowUpdate(int streamId, int increment) implements Frame {
        public WindowUpdate {
            if (increment < WireFormat.MIN_WINDOW_INCREMENT) {
                throw new IllegalArgumentException("window increment must be 1 .. 2^31-1: " + increment);
            }
        }

        public FrameType type() { return FrameType.WINDOW_UPDATE; }
    }

    /** Stream id is always 0 on the wire. */
    record Ping(long opaque) implements Frame {
        public FrameType type() { return FrameType.PING; }
        public int streamId() { return 0; }
    }

    record Pong(long opaque) implements Frame {
        public FrameType type() { return FrameType.PONG; }
        public int streamId() { return 0; }
    }

    /**
     * One datagram of UDP flow {@code flowId} (carried in the stream id field; flows have ids of their own).
     * {@code address} is where the datagram goes (frontend to backend) or where it came from (backend to frontend);
     * {@code payload} may be empty, as a UDP datagram may.
     */
    record Datagram(int flowId, Destination address, io.netty.buffer.ByteBuf payload) implements Frame {
        public Datagram {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(payload, "payload");
        }

        public FrameType type() { return FrameType.DATAGRAM; }
        public int streamId() { return flowId; }
    }

    record Control(ControlMessage message) implements Frame {
        public Control {
            Objects.requireNonNull(message, "message");
        }

        public FrameType type() { return FrameType.CONTROL; }
        public int streamId() { return 0; }
    }
}
