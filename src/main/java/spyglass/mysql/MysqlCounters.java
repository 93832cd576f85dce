package spyglass.mysql;

/** What the MySQL layer counted. Written by one worker thread only; read by it for stats records. */
public final class MysqlCounters {
    /** Connections tracked (a pooled state was attached). */
    long connections;
    /** Of those, picked up without their start (no SYN seen). */
    long midstreamConnections;
    /** Connections that upgraded to TLS (SSLRequest seen): counted, never parsed. */
    long encryptedConnections;
    /** Bytes of encrypted connections, both ways, from the SSLRequest on. */
    long encryptedBytes;
    /** Connections in the compressed protocol (zlib or zstd): decompressed and read. */
    long compressedConnections;
    /** Flows left untracked because {@link MysqlOptions#maxConnections} states were in use. */
    long untrackedConnections;
    /** Query events emitted. */
    long queries;
    /** Query events with an ERR response, plus failed logins. */
    long errors;
    long loginFailures;
    /** Times a connection was picked up again at a plausible command after RESYNC. */
    long resyncs;
    long truncatedStatements;
    /** Sequence-id mismatches and packets that make no sense where they came. */
    long protocolErrors;
    /** Query events emitted lossy because a gap (or a desync) cut into their request or response. */
    long gapsInCommands;
    /** Commands lost because a gap cut their request packet before its command byte was known. */
    long droppedCommands;
    long unknownCommands;
    /** Server packets that arrived with no command pending: skipped. */
    long orphanServerPackets;
    /** MariaDB progress-report packets (ERR with code 0xFFFF) skipped. */
    long progressReports;
    /** Connections that asked for the binary log: replicas, whose stream is counted, never read. */
    long replicaConnections;
    /** Prepared-statement commands whose COM_STMT_PREPARE was not seen: reported, text unknown. */
    long unknownPreparedStatements;

    /** This capture's own schema connections (the connect attribute's tag): counted, never reported. */
    long ownConnections;

    public long ownConnections() {
        return ownConnections;
    }

    public long replicaConnections() {
        return replicaConnections;
    }

    public long unknownPreparedStatements() {
        return unknownPreparedStatements;
    }

    public long connections() {
        return connections;
    }

    public long midstreamConnections() {
        return midstreamConnections;
    }

    public long encryptedConnections() {
        return encryptedConnections;
    }

    public long encryptedBytes() {
        return encryptedBytes;
    }

    public long compressedConnections() {
        return compressedConnections;
    }

    public long untrackedConnections() {
        return untrackedConnections;
    }

    public long queries() {
        return queries;
    }

    public long errors() {
        return errors;
    }

    public long loginFailures() {
        return loginFailures;
    }

    public long resyncs() {
        return resyncs;
    }

    public long truncatedStatements() {
        return truncatedStatements;
    }

    public long protocolErrors() {
        return protocolErrors;
    }

    public long gapsInCommands() {
        return gapsInCommands;
    }

    public long droppedCommands() {
        return droppedCommands;
    }

    public long unknownCommands() {
        return unknownCommands;
    }

    public long orphanServerPackets() {
        return orphanServerPackets;
    }

    public long progressReports() {
        return progressReports;
    }
}
