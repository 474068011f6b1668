package dev.ferry.tunnel.mux;

/**
 * The backend's decision on each new UDP flow, asked when the first datagram of an unknown flow id arrives. Called on
 * the session's event loop.
 */
@FunctionalInterface
public interface FlowAcceptor {
    /** Returns who takes the flow's datagrams, or null to drop this datagram (the next one asks again). */
    DatagramReceiver onNewFlow(DatagramFlow flow);
}
