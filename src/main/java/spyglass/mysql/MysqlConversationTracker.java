package spyglass.mysql;

import org.agrona.DirectBuffer;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;
import spyglass.redact.SqlRedactor;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.TcpFlow;
import spyglass.tcp.TcpFlowListener;

/**
 * The MySQL layer of one worker: receives the reassembled byte streams of every flow the worker owns
 * and turns them into {@code conn}, {@code query} and {@code conn_close} events.
 *
 * <p>Per-connection state comes from a pool that grows on demand up to
 * {@link MysqlOptions#maxConnections} and is reused after each close, so once warmed up no connection,
 * packet or query allocates. Single-threaded, like the worker that owns it.
 */
public final class MysqlConversationTracker implements TcpFlowListener {
    final EventSink sink;
    final MysqlCounters counters = new MysqlCounters();
    final int maxStatementBytes;
    /** The one event every connection fills in turn; sinks must not retain it. */
    final QueryEvent event;
    final SqlRedactor redactor = new SqlRedactor();
    final PayloadReader reader = new PayloadReader();
    /** The prepared statements of this worker's connections. */
    final PreparedStatements prepared = new PreparedStatements();
    /** Where this capture's own schema connections come from; null when there are none. */
    final OwnEndpoints ownEndpoints;
    /** Who the connections open before the capture are; null when nobody asks the server. */
    final ConnectionIdentities identities;
    /** Tables named by the statements, for the schema collector; null when nobody wants them. */
    final TableSightings tableSightings;
    /** Names each opened connection once, so a pooled state never inherits another's statements. */
    long connectionSerials;

    private final int maxConnections;
    /** The key the redactor was given, or null for plain redaction. */
    private final LiteralKey literalKey;
    private MysqlConnection[] free = new MysqlConnection[16];
    private int freeCount;
    private int live;

    public MysqlConversationTracker(final EventSink sink, final MysqlOptions options) {
        this.sink = sink;
        this.maxStatementBytes = Math.max(16, Math.min(options.maxStatementBytes, 64 << 20));
        this.maxConnections = Math.max(1, options.maxConnections);
        this.event = new QueryEvent(maxStatementBytes);
        this.literalKey = options.literalKey;
        this.identities = options.identities;
        this.ownEndpoints = options.ownEndpoints;
        this.tableSightings = options.tableNames == null ? null : new TableSightings(options.tableNames);
        if (literalKey != null) {
            literalKey.applyTo(redactor);
        }
    }

    /** The key of keyed redaction this tracker's redactor holds, or null when it redacts plainly. */
    public LiteralKey literalKey() {
        return literalKey;
    }

    /** Whether this tracker's redactor is in keyed mode. */
    public boolean redactsKeyed() {
        return redactor.keyed();
    }

    /** Statement shapes whose tables were not read because the bound of shapes remembered was reached. */
    public long schemaShapesUnread() {
        return tableSightings == null ? 0 : tableSightings.shapesNotRead();
    }

    public MysqlCounters counters() {
        return counters;
    }

    /** Connections currently tracked. */
    public int liveConnections() {
        return live;
    }

    @Override
    public void onFlowOpen(final TcpFlow flow, final boolean handshakeSeen, final long timestampNanos) {
        final MysqlConnection connection = acquire();
        if (connection == null) {
            counters.untrackedConnections++;
            flow.attach(null);
            return;
        }
        counters.connections++;
        if (!handshakeSeen) {
            counters.midstreamConnections++;
        }
        connection.open(flow, handshakeSeen, timestampNanos);
        flow.attach(connection);
    }

    @Override
    public void onData(final TcpFlow flow, final boolean fromClient, final DirectBuffer buffer, final int offset,
                       final int length, final long timestampNanos) {
        if (flow.attachment() instanceof MysqlConnection connection) {
            connection.onData(fromClient, buffer, offset, length, timestampNanos);
        }
    }

    @Override
    public void onGap(final TcpFlow flow, final boolean fromClient, final long missingBytes, final long timestampNanos) {
        if (flow.attachment() instanceof MysqlConnection connection) {
            connection.onGap(fromClient, timestampNanos);
        }
    }

    @Override
    public void onFlowClose(final TcpFlow flow, final FlowCloseReason reason, final long timestampNanos) {
        if (flow.attachment() instanceof MysqlConnection connection) {
            flow.attach(null);
            connection.onClose(reason, timestampNanos);
            release(connection);
        }
    }

    private MysqlConnection acquire() {
        if (freeCount > 0) {
            final MysqlConnection connection = free[--freeCount];
            free[freeCount] = null;
            live++;
            return connection;
        }
        if (live >= maxConnections) {
            return null;
        }
        live++;
        return new MysqlConnection(this); // warm-up only: released states are reused
    }

    private void release(final MysqlConnection connection) {
        live--;
        if (freeCount == free.length) {
            final MysqlConnection[] bigger = new MysqlConnection[Math.min(maxConnections, free.length * 2) + 1];
            System.arraycopy(free, 0, bigger, 0, freeCount);
            free = bigger;
        }
        free[freeCount++] = connection;
    }
}
