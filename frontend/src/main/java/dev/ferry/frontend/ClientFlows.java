package dev.ferry.frontend;

import dev.ferry.tunnel.control.SessionSource;
import dev.ferry.tunnel.mux.DatagramFlow;
import dev.ferry.tunnel.mux.DatagramReceiver;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The datagram flows of one UDP entrance, one per client address ({@code -U}, {@code --tproxy}): a client's first
 * datagram opens its flow through the current tunnel, every flow is forgotten after the idle time without a
 * datagram either way or when its tunnel closes (the next datagram opens a new one on the tunnel then up), and
 * datagrams that cannot go (no tunnel, too many clients, tunnel not writable) are dropped and counted, as the
 * network would drop them.
 *
 * <p>Threading: the tunnel's event loop only (the frontend runs one loop).
 */
final class ClientFlows {
    private static final Logger LOG = LoggerFactory.getLogger(ClientFlows.class);
    /** Client addresses (address and port) one entrance serves at once. */
    static final int MAX_CLIENTS = 4096;
    /** Flows one client host may hold at once (one per source port), so one host cannot take every flow. */
    static final int MAX_PER_HOST = 256;

    /** Where a reply for a client goes: it owns {@code payload}. */
    interface Replies {
        void reply(InetSocketAddress client, Destination from, ByteBuf payload);
    }

    private final SessionSource tunnel;
    private final String entrance;
    private final long idleNanos;
    private final LongSupplier nanoTime;
    private final Replies replies;
    private final Map<InetSocketAddress, ClientFlow> flows = new HashMap<>();
    private final Map<java.net.InetAddress, Integer> perHost = new HashMap<>();
    private final OncePerAddress limitLogged = new OncePerAddress();
    private boolean noTunnelLogged;
    private long dropped;

    /** @param entrance names the entrance in log lines */
    ClientFlows(SessionSource tunnel, String entrance, Duration idle, LongSupplier nanoTime, Replies replies) {
        this.tunnel = tunnel;
        this.entrance = entrance;
        this.idleNanos = idle.toNanos();
        this.nanoTime = nanoTime;
        this.replies = replies;
    }

    long idleNanos() {
        return idleNanos;
    }

    /** Clients with a flow right now. */
    int size() {
        return flows.size();
    }

    /** Datagrams from clients dropped since start. */
    long dropped() {
        return dropped;
    }

    /** Counts a datagram the caller dropped itself (a refused client, say). */
    void countDropped() {
        dropped++;
    }

    /** Sends {@code payload} (ownership taken) from {@code client} to {@code to}; false if it was dropped. */
    boolean send(InetSocketAddress client, Destination to, ByteBuf payload) {
        ClientFlow c = flows.get(client);
        if (c == null) {
            c = open(client);
            if (c == null) {
                payload.release();
                dropped++;
                return false;
            }
        }
        c.lastActive = nanoTime.getAsLong();
        if (!c.flow.send(to, payload)) {
            dropped++;
            return false;
        }
        return true;
    }

    private ClientFlow open(InetSocketAddress client) {
        MuxSession session = tunnel.currentSession();
        if (session == null || !session.channel().isActive()) {
            if (!noTunnelLogged) {
                noTunnelLogged = true;
                LOG.info("{}: no tunnel up, dropping datagrams until there is (logged once)", entrance);
            }
            return null;
        }
        if (!session.eventLoop().inEventLoop()) {
            throw new IllegalStateException("a UDP entrance must share the tunnel's event loop");
        }
        noTunnelLogged = false;
        int mine = perHost.getOrDefault(client.getAddress(), 0);
        if (flows.size() >= MAX_CLIENTS || mine >= MAX_PER_HOST) {
            if (limitLogged.first(client.getAddress())) {
                LOG.info("{}: dropping datagrams from {}: {} (logged once per client)", entrance,
                        dev.ferry.tunnel.bridge.AccessLog.format(client), mine >= MAX_PER_HOST
                                ? "it has " + MAX_PER_HOST + " flows open, the most one host may"
                                : MAX_CLIENTS + " clients have flows open, the most one entrance serves");
            }
            return null;
        }
        ClientFlow c = new ClientFlow(client);
        DatagramFlow flow = session.openFlow(c);
        if (flow == null) {
            return null;
        }
        c.flow = flow;
        flows.put(client, c);
        perHost.merge(client.getAddress(), 1, Integer::sum);
        LOG.debug("{}: flow {} for {}", entrance, flow.id(), client);
        return c;
    }

    /** Forgets the flows idle for the idle time. */
    void sweep() {
        long now = nanoTime.getAsLong();
        for (Iterator<ClientFlow> it = flows.values().iterator(); it.hasNext(); ) {
            ClientFlow c = it.next();
            if (now - c.lastActive >= idleNanos) {
                it.remove();
                forget(c.client);
                c.flow.close();
            }
        }
    }

    private void forget(InetSocketAddress client) {
        perHost.computeIfPresent(client.getAddress(), (a, n) -> n == 1 ? null : n - 1);
    }

    void closeAll() {
        for (ClientFlow c : flows.values().toArray(new ClientFlow[0])) {
            c.flow.close();
        }
    }

    /** One client's flow. */
    private final class ClientFlow implements DatagramReceiver {
        private final InetSocketAddress client;
        private DatagramFlow flow;
        private long lastActive;

        ClientFlow(InetSocketAddress client) {
            this.client = client;
            this.lastActive = nanoTime.getAsLong();
        }

        @Override
        public void onDatagram(DatagramFlow f, Destination from, ByteBuf payload) {
            lastActive = nanoTime.getAsLong();
            replies.reply(client, from, payload);
        }

        @Override
        public void onFlowClosed(DatagramFlow f) {
            if (flows.remove(client, this)) {
                forget(client);
            }
        }
    }
}
