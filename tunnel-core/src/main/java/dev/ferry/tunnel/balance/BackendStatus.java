package dev.ferry.tunnel.balance;

import java.net.InetSocketAddress;

/**
 * One backend of a pool as {@code ferry status} shows it.
 *
 * @param state           up (takes new streams), suspect (up, keepalive answers overdue), draining (its tunnels
 *                        take no new streams), or down (no tunnel up: reconnecting)
 * @param tunnelsUp       its tunnels up now, of {@code tunnels}
 * @param medianRttNanos  median keepalive RTT, -1 before the first
 * @param loss            share of keepalive pings unanswered
 * @param backendStreams  streams open at the backend, all frontends together (its last report), -1 before one
 * @param localStreams    streams this frontend has open on it
 * @param reconnects      tunnels brought up again after a loss
 * @param recentFailures  failed attempts and lost tunnels in the last minute
 */
public record BackendStatus(InetSocketAddress address, String state, int tunnelsUp, int tunnels, int weight,
                            long medianRttNanos, double loss, int backendStreams, int localStreams,
                            long bytesSent, long bytesReceived, long reconnects, int recentFailures) {
}
