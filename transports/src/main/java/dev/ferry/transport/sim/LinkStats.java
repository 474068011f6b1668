package dev.ferry.transport.sim;

/**
 * A snapshot of one {@link SimulatedLink}'s counters. Once nothing is in flight,
 * {@code packetsDelivered == packetsOffered - packetsLost - packetsQueueDropped + packetsDuplicated} (and the same for
 * bytes).
 *
 * @param packetsOffered packets given to {@code send}
 * @param bytesOffered their bytes
 * @param packetsDelivered packets handed to a sink, duplicates included
 * @param bytesDelivered their bytes
 * @param packetsLost packets dropped by random or burst loss
 * @param bytesLost their bytes
 * @param packetsQueueDropped packets dropped because the bottleneck queue was full
 * @param bytesQueueDropped their bytes
 * @param packetsDuplicated extra copies made
 * @param packetsReordered packets held back so that later ones overtook them
 */
public record LinkStats(long packetsOffered, long bytesOffered, long packetsDelivered, long bytesDelivered,
                        long packetsLost, long bytesLost, long packetsQueueDropped, long bytesQueueDropped,
                        long packetsDuplicated, long packetsReordered) {

    /** Share of offered packets dropped by loss or by the queue; 0 when nothing was offered. */
    public double dropRate() {
        return packetsOffered == 0 ? 0 : (double) (packetsLost + packetsQueueDropped) / packetsOffered;
    }

    @Override
    public String toString() {
        return "LinkStats[offered " + packetsOffered + " pkt/" + bytesOffered + " B, delivered " + packetsDelivered
                + " pkt/" + bytesDelivered + " B, lost " + packetsLost + " pkt/" + bytesLost + " B, queue-dropped "
                + packetsQueueDropped + " pkt/" + bytesQueueDropped + " B, duplicated " + packetsDuplicated
                + ", reordered " + packetsReordered + "]";
    }
}
