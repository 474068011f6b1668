package dev.ferry.frontend;

import dev.ferry.tunnel.control.ActiveCount;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies a {@link ClientAccess} to accepted connections: {@link #admit} says whether one may stay and counts it, in
 * the frontend's count of open connections (the one a drain waits on) and per client address; every admitted
 * connection is {@link #release}d when it closes. Thread-safe.
 */
final class ClientGate {
    private final ClientAccess access;
    private final ActiveCount connections;
    private final Map<InetAddress, Integer> perClient = new HashMap<>();

    ClientGate(ClientAccess access, ActiveCount connections) {
        this.access = access;
        this.connections = connections;
    }

    /** Null if the connection from {@code client} is admitted (and counted), else why it is refused. */
    synchronized String admit(InetSocketAddress client) {
        if (!access.addresses().permits(client)) {
            return "client address not allowed (--allow-client/--deny-client)";
        }
        if (access.maxConnections() > 0 && connections.get() >= access.maxConnections()) {
            return "at --max-connections " + access.maxConnections();
        }
        int mine = perClient.getOrDefault(client.getAddress(), 0);
        if (access.maxPerClient() > 0 && mine >= access.maxPerClient()) {
            return "at --max-connections-per-client " + access.maxPerClient();
        }
        connections.increment();
        perClient.put(client.getAddress(), mine + 1);
        return null;
    }

    synchronized void release(InetSocketAddress client) {
        connections.decrement();
        perClient.computeIfPresent(client.getAddress(), (a, n) -> n == 1 ? null : n - 1);
    }
}
