package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.Frame;
import io.netty.util.collection.IntObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;

/**
 * The UDP flows of one session. The frontend numbers its flows 1, 2, 3 ...; the backend creates a flow for the first
 * datagram of an id it does not know, through its {@link FlowAcceptor}, up to a limit of flows at once. A datagram
 * for a flow that cannot be had is dropped and counted, never an error of the tunnel: datagrams may cross a flow's
 * idle timeout.
 */
final class FlowTable {
    private static final Logger LOG = LoggerFactory.getLogger(FlowTable.class);

    private final MuxSession session;
    private final FlowAcceptor acceptor;
    private final int maxFlows;
    private final IntObjectHashMap<DatagramFlow> flows = new IntObjectHashMap<>();
    private long nextId = 1;
    private long dropped;
    private boolean overLimitLogged;

    /** {@code acceptor} null: flows are opened here only (the frontend). */
    FlowTable(MuxSession session, FlowAcceptor acceptor, int maxFlows) {
        this.session = session;
        this.acceptor = acceptor;
        this.maxFlows = maxFlows;
    }

    MuxSession session() {
        return session;
    }

    int size() {
        return flows.size();
    }

    /** Datagrams that arrived for no flow (unknown, refused, over the limit). */
    long dropped() {
        return dropped;
    }

    DatagramFlow open(DatagramReceiver receiver) {
        if (nextId > Integer.MAX_VALUE || flows.size() >= maxFlows) {
            return null;
        }
        DatagramFlow flow = new DatagramFlow(this, (int) nextId++);
        flow.receiver(receiver);
        flows.put(flow.id(), flow);
        return flow;
    }

    void onDatagram(Frame.Datagram d) {
        DatagramFlow flow = flows.get(d.flowId());
        if (flow == null) {
            flow = accept(d.flowId());
        }
        if (flow == null) {
            dropped++;
            d.payload().release();
            return;
        }
        flow.deliver(d.address(), d.payload());
    }

    private DatagramFlow accept(int id) {
        if (acceptor == null) {
            return null; // a reply that crossed our idle timeout
        }
        if (flows.size() >= maxFlows) {
            if (!overLimitLogged) {
                overLimitLogged = true;
                LOG.warn("tunnel {}: dropping datagrams of new UDP flows: {} flows already open (logged once)",
                        session.remoteAddress(), maxFlows);
            }
            return null;
        }
        DatagramFlow flow = new DatagramFlow(this, id);
        DatagramReceiver receiver = acceptor.onNewFlow(flow);
        if (receiver == null) {
            return null;
        }
        flow.receiver(receiver);
        flows.put(id, flow);
        return flow;
    }

    void remove(DatagramFlow flow) {
        if (flows.get(flow.id()) == flow) {
            flows.remove(flow.id());
        }
        flow.closed();
    }

    void closeAll() {
        for (DatagramFlow flow : new ArrayList<>(flows.values())) {
            remove(flow);
        }
    }
}
