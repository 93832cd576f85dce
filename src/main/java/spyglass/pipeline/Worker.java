package spyglass.pipeline;

import spyglass.event.CaptureStats;
import spyglass.event.EventSink;
import spyglass.mysql.MysqlConversationTracker;
import spyglass.mysql.MysqlCounters;
import spyglass.mysql.MysqlOptions;
import spyglass.packet.TcpSegment;
import spyglass.tcp.FlowTable;
import spyglass.tcp.FlowTableOptions;
import spyglass.tcp.TcpCounters;

/**
 * Owns a share of the flows outright: flow table, reassembly and the MySQL conversations of every
 * connection hashed to it. Nothing here is shared with another thread.
 */
public final class Worker {
    private final FlowTable flowTable;
    private final MysqlConversationTracker conversations;

    public Worker(final PipelineOptions options, final EventSink sink) {
        this.conversations = new MysqlConversationTracker(sink, share(options.mysql, options.workers));
        this.flowTable = new FlowTable(conversations, share(options.flowTable, options.workers)
            .serverPorts(options.serverFilter.serverPorts()));
    }

    /**
     * This worker's part of the flow-table bounds: the options bound the whole pipeline, so that
     * more workers never mean more memory. Per-direction bounds stay as they are.
     */
    static FlowTableOptions share(final FlowTableOptions all, final int workers) {
        return new FlowTableOptions()
            .maxFlows(Math.ceilDiv(all.maxFlows(), workers))
            .idleTimeoutNanos(all.idleTimeoutNanos())
            .outOfOrderBytesPerDirection(all.outOfOrderBytesPerDirection())
            .outOfOrderBytesTotal(Math.ceilDiv(all.outOfOrderBytesTotal(), workers))
            .chunkSize(all.chunkSize());
    }

    static MysqlOptions share(final MysqlOptions all, final int workers) {
        final MysqlOptions mine = new MysqlOptions();
        mine.maxStatementBytes = all.maxStatementBytes;
        mine.maxConnections = Math.ceilDiv(all.maxConnections, workers);
        // Shared, not split: one key per capture, so a value gives one token on every worker.
        mine.literalKey = all.literalKey;
        mine.ownEndpoints = all.ownEndpoints;
        mine.identities = all.identities;
        mine.tableNames = all.tableNames;
        return mine;
    }

    /** This worker's MySQL layer, for tests of what each worker was built with. */
    MysqlConversationTracker conversations() {
        return conversations;
    }

    public void onSegment(final TcpSegment segment) {
        flowTable.onSegment(segment);
    }

    public void expireIdle(final long nowNanos) {
        flowTable.expireIdle(nowNanos);
    }

    /** End of capture: every open connection is closed, pending commands reported. */
    public void closeAll(final long nowNanos) {
        flowTable.closeAll(nowNanos);
    }

    /** Adds this worker's counters to {@code stats}. */
    public void addTo(final CaptureStats stats) {
        final TcpCounters tcp = flowTable.counters();
        stats.flowsOpen += flowTable.activeFlows();
        stats.flowsTotal += tcp.flowsOpened();
        stats.flowsEvicted += tcp.flowsEvicted();
        stats.gaps += tcp.gaps();
        stats.gapBytes += tcp.gapBytes();
        stats.outOfOrderSegments += tcp.outOfOrderSegments();
        stats.retransmittedSegments += tcp.retransmittedSegments();
        final MysqlCounters mysql = conversations.counters();
        stats.connections += mysql.connections();
        stats.encryptedConnections += mysql.encryptedConnections();
        stats.encryptedBytes += mysql.encryptedBytes();
        stats.unknownStatements += mysql.unknownPreparedStatements();
        stats.replicaConnections += mysql.replicaConnections();
        stats.ownConnections += mysql.ownConnections();
        stats.schemaShapesUnread += conversations.schemaShapesUnread();
        stats.queries += mysql.queries();
        stats.errors += mysql.errors();
        stats.resyncs += mysql.resyncs();
        stats.truncatedStatements += mysql.truncatedStatements();
        stats.protocolErrors += mysql.protocolErrors();
    }
}
