package dev.ferry.transport.sim;

/**
 * Where a {@link SimulatedLink} hands the packets that arrive. The array is exactly the packet and belongs to the sink
 * from then on (the link keeps no reference to it, and a duplicate arrives in an array of its own).
 *
 * <p>A sink may send on any link, this one included, from inside the call; a packet so sent that falls due no later
 * than the {@code nowMillis} being delivered is handed over in the same {@link SimulatedLink#deliverDue} call.
 */
@FunctionalInterface
public interface PacketSink {

    /**
     * @param packet the packet's bytes, owned by the sink
     * @param dueMillis the (simulated) millisecond the packet was due to arrive, never after the {@code nowMillis}
     *     given to {@code deliverDue}
     */
    void deliver(byte[] packet, long dueMillis);
}
