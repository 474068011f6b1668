package dev.ferry.transport.kcp.engine;

/**
 * A snapshot of one engine's counters, taken by {@link KcpEngine#stats()}.
 *
 * @param packetsSent packets handed to {@link KcpOutput}
 * @param packetsReceived well-formed packets taken by input()
 * @param segmentsSent PUSH transmissions, first ones and retransmissions
 * @param retransmits PUSH retransmissions because a segment's RTO expired
 * @param fastRetransmits PUSH retransmissions because later segments were acked first
 * @param acksSent ACK segments sent
 * @param malformedPackets packets input() refused
 * @param bytesSent payload bytes sent for the first time (retransmissions not counted again)
 * @param bytesReceived payload bytes of new segments accepted (duplicates not counted)
 * @param srttMillis smoothed round-trip time, 0 before the first sample
 * @param rttVarMillis round-trip time variation
 * @param rtoMillis the retransmission timeout a new segment starts with
 * @param congestionWindow segments the congestion controller allows in flight, capped at the send window (equal to
 *     the send window when congestion control is off)
 * @param duplicatedPackets small packets with data sent more than once (every copy counted in packetsSent)
 * @param pacingRate wire bytes per second PUSH segments are paced at; 0 when unpaced
 */
public record KcpStats(long packetsSent, long packetsReceived, long segmentsSent, long retransmits,
                       long fastRetransmits, long acksSent, long malformedPackets, long bytesSent,
                       long bytesReceived, int srttMillis, int rttVarMillis, int rtoMillis, int congestionWindow,
                       long duplicatedPackets, long pacingRate) {
}
