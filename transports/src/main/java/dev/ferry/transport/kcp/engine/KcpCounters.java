package dev.ferry.transport.kcp.engine;

/** The engine's running counters; plain fields because one thread owns an engine. See {@link KcpStats}. */
final class KcpCounters {
    long packetsSent;
    long packetsReceived;
    long segmentsSent;
    long retransmits;
    long fastRetransmits;
    long acksSent;
    long malformedPackets;
    long bytesSent;
    long bytesReceived;
    long duplicatedPackets;
}
