package dev.ferry.frontend;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies a {@link ClientAccess} to accepted connections: {@link #admit} says whether one may stay and counts it;
 * every admitted connection is {@link #release}d when it closes. Thread-safe.
 */
final class ClientGate {
    private final ClientAccess access;
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private int total;

    ClientGate(ClientAccess access) {
        this.access = access;
    }

    /** Null if the connection from {@code client} is admitted (and counted), else why it is refused. */
    synchronized String admit(InetSocketAddress client) {
        if (!access.addresses().permits(client)) {
            return "client address not allowed (--allow-client/--deny-client)";
        }
        if (access.maxConnections() > 0 && total >= access.maxConnections()) {
            return "at --max-connections " + access.maxConnections();
        }
        int mine = perClient.getOrDefault(client.getAddress(), 0);
        if (access.maxPerClient() > 0 && mine >= access.maxPerClient()) {
            return "at --max-connections-per-client " + access.maxPerClient();
        }
        total++;
        perClient.put(client.getAddress(), mine + 1);
        return null;
    }

    synchronized void release(InetSocketAddress client) {
        total--;
        perClient.computeIfPresent(client.getAddress(), (a, n) -> n == 1 ? null : n - 1);
    }
}
