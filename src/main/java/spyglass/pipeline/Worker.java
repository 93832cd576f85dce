package spyglass.pipeline;

import spyglass.event.CaptureStats;
import spyglass.event.EventSink;
import spyglass.mysql.MysqlConversationTracker;
import spyglass.mysql.MysqlCounters;
import spyglass.packet.TcpSegment;
import spyglass.tcp.FlowTable;
import spyglass.tcp.TcpCounters;

/**
 * Owns a share of the flows outright: flow table, reassembly and the MySQL conversations of every
 * connection hashed to it. Nothing here is shared with another thread.
 */
public final class Worker {
    private final FlowTable flowTable;
    private final MysqlConversationTracker conversations;

    public Worker(final PipelineOptions options, final EventSink sink) {
        options.flowTable.serverPorts(options.serverFilter.serverPorts());
        this.conversations = new MysqlConversationTracker(sink, options.mysql);
        this.flowTable = new FlowTable(conversations, options.flowTable);
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
        stats.queries += mysql.queries();
        stats.errors += mysql.errors();
        stats.resyncs += mysql.resyncs();
        stats.truncatedStatements += mysql.truncatedStatements();
        stats.protocolErrors += mysql.protocolErrors();
    }
}
