package dev.ferry.tunnel.wire;

/** Control-plane messages carried in {@link Frame.Control} frames on stream 0. */
public sealed interface ControlMessage permits ControlMessage.LoadReport, ControlMessage.GoAway {

    /**
     * The backend's load, sent at a regular interval: streams open now, its capacity weight and whether it is
     * draining. Frontends use it to choose where new streams go.
     */
    record LoadReport(int activeStreams, int weight, boolean draining) implements ControlMessage {
        public LoadReport {
            if (activeStreams < 0) {
                throw new IllegalArgumentException("active streams must not be negative: " + activeStreams);
            }
            if (weight < 0 || weight > WireFormat.MAX_WEIGHT) {
                throw new IllegalArgumentException("weight must be 0 .. 65535: " + weight);
            }
        }
    }

    /**
     * The sender is draining: the receiver must open no new streams on this tunnel. Streams already open finish
     * normally. {@code lastStreamId} is the highest stream id the sender accepted.
     */
    record GoAway(int lastStreamId) implements ControlMessage {}
}
