package spyglass.event;

/**
 * Counter snapshot for {@code stats} and {@code capture_end} records. Plain fields: the pipeline
 * copies its live counters in, the encoder reads them out.
 */
public final class CaptureStats {
    public long packets;
    public long bytes;
    public long tcpSegments;
    public long malformed;
    public long nonTcp;
    public long kernelDrops;
    public long ringDrops;
    public long flowsOpen;
    public long flowsTotal;
    public long flowsEvicted;
    public long gaps;
    public long gapBytes;
    public long outOfOrderSegments;
    public long retransmittedSegments;
    public long resyncs;
    public long connections;
    public long encryptedConnections;
    /** Bytes of TLS connections, both ways: counted, never decoded. */
    public long encryptedBytes;
    public long queries;
    public long errors;
    public long truncatedStatements;
    /** Prepared-statement commands whose preparation was not seen: reported with their text unknown. */
    public long unknownStatements;
    /** Replicas' connections (a binary-log request seen): their stream is counted, never read. */
    public long replicaConnections;
    /** spyglass's own schema connections: left out of the records. */
    public long ownConnections;
    /** Statement shapes whose tables were not read for the schema collector: the per-worker bound was reached. */
    public long schemaShapesUnread;
    public long protocolErrors;

    public void reset() {
        copyFrom(ZERO);
    }

    private static final CaptureStats ZERO = new CaptureStats();

    public void copyFrom(final CaptureStats other) {
        packets = other.packets;
        bytes = other.bytes;
        tcpSegments = other.tcpSegments;
        malformed = other.malformed;
        nonTcp = other.nonTcp;
        kernelDrops = other.kernelDrops;
        ringDrops = other.ringDrops;
        flowsOpen = other.flowsOpen;
        flowsTotal = other.flowsTotal;
        flowsEvicted = other.flowsEvicted;
        gaps = other.gaps;
        gapBytes = other.gapBytes;
        outOfOrderSegments = other.outOfOrderSegments;
        retransmittedSegments = other.retransmittedSegments;
        resyncs = other.resyncs;
        connections = other.connections;
        encryptedConnections = other.encryptedConnections;
        encryptedBytes = other.encryptedBytes;
        queries = other.queries;
        errors = other.errors;
        truncatedStatements = other.truncatedStatements;
        unknownStatements = other.unknownStatements;
        replicaConnections = other.replicaConnections;
        ownConnections = other.ownConnections;
        schemaShapesUnread = other.schemaShapesUnread;
        protocolErrors = other.protocolErrors;
    }
}
