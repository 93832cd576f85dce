package spyglass.output;

import spyglass.event.CaptureStats;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;
import spyglass.event.TextField;

/**
 * Encodes the capture file's records (DESIGN.md, "The capture file") as JSON lines, one call per
 * record, field names and order fixed here and nowhere else. Each {@code encode*} method leaves the
 * finished line in {@link #buffer()}[0, {@link #length()}), ending in {@code '\n'}, until the next call.
 *
 * <p>Allocation-free after warm-up; the event objects are read, never kept. Not thread-safe: a
 * worker that encodes straight into the output ring owns one of these.
 */
public final class CaptureRecordEncoder {
    private final JsonLineEncoder json;

    public CaptureRecordEncoder() {
        this(new JsonLineEncoder());
    }

    public CaptureRecordEncoder(final JsonLineEncoder json) {
        this.json = json;
    }

    public JsonLineEncoder json() {
        return json;
    }

    public byte[] buffer() {
        return json.buffer();
    }

    public int length() {
        return json.length();
    }

    /** First line of a capture. Strings here are fine: it is written once. */
    public CaptureRecordEncoder encodeCaptureStart(
        final String version, final String host, final String source, final String filter, final long tsNanos) {
        final JsonLineEncoder j = json;
        j.beginLine();
        j.name("type").string("capture_start");
        j.name("version").string(version);
        j.name("host").string(host);
        j.name("source").string(source);
        j.name("filter").string(filter);
        j.name("ts").timestamp(tsNanos);
        j.endLine();
        return this;
    }

    public CaptureRecordEncoder encodeConnection(final ConnectionInfo c, final long tsNanos) {
        final JsonLineEncoder j = json;
        j.beginLine();
        j.name("type").string("conn");
        j.name("ts").timestamp(tsNanos);
        text(j.name("conn"), c.id);
        text(j.name("client"), c.client);
        text(j.name("server"), c.server);
        j.name("thread_id").numberOrNull(c.threadId);
        text(j.name("server_version"), c.serverVersion);
        text(j.name("user"), c.user);
        text(j.name("db"), c.db);
        j.name("tls").bool(c.tls);
        j.name("compressed").bool(c.compressed);
        j.name("midstream").bool(c.midstream);
        j.endLine();
        return this;
    }

    public CaptureRecordEncoder encodeQuery(final QueryEvent q) {
        final JsonLineEncoder j = json;
        final ConnectionInfo c = q.connection;
        j.beginLine();
        j.name("type").string("query");
        j.name("ts").timestamp(q.timestampNanos);
        if (c != null) {
            text(j.name("conn"), c.id);
            j.name("thread_id").numberOrNull(c.threadId);
            text(j.name("user"), c.user);
            text(j.name("db"), c.db);
        } else {
            j.name("conn").nullValue();
            j.name("thread_id").nullValue();
            j.name("user").nullValue();
            j.name("db").nullValue();
        }
        j.name("cmd").string(q.command);
        j.name("sql");
        if (q.sqlLength < 0) {
            j.nullValue();
        } else {
            j.string(q.sql, 0, Math.min(q.sqlLength, q.sql.capacity()));
        }
        j.name("digest");
        if (q.hasDigest) {
            j.hex16(q.digest);
        } else {
            j.nullValue();
        }
        j.name("latency_us").microsOrNull(q.latencyNanos);
        j.name("ttfb_us").microsOrNull(q.ttfbNanos);
        j.name("transfer_us").microsOrNull(q.transferNanos);
        j.name("think_us").microsOrNull(q.thinkNanos);
        j.name("rows").numberOrNull(q.rows);
        j.name("affected").numberOrNull(q.affectedRows);
        j.name("bytes_in").number(q.bytesIn);
        j.name("bytes_out").number(q.bytesOut);
        j.name("error");
        if (q.errorCode == 0) {
            j.nullValue();
        } else {
            j.beginObject();
            j.name("code").number(q.errorCode);
            j.name("sql_state");
            if (q.sqlStateLength > 0) {
                j.string(q.sqlState, 0, Math.min(q.sqlStateLength, q.sqlState.length));
            } else {
                j.nullValue();
            }
            j.endObject();
        }
        j.name("warnings").number(q.warnings);
        j.name("flags").beginArray();
        if (q.serverStatusKnown) {
            final int s = q.serverStatus;
            // MORE_RESULTS_EXISTS is deliberately left out: the record is the whole command.
            flag(j, s, ServerStatus.IN_TRANS, "in_trans");
            flag(j, s, ServerStatus.NO_GOOD_INDEX_USED, "no_good_index_used");
            flag(j, s, ServerStatus.NO_INDEX_USED, "no_index_used");
            flag(j, s, ServerStatus.QUERY_WAS_SLOW, "slow");
            flag(j, s, ServerStatus.CURSOR_EXISTS, "cursor_exists");
            flag(j, s, ServerStatus.DB_DROPPED, "db_dropped");
        }
        flag(j, q.spyglassFlags, QueryEvent.FLAG_NO_RESPONSE, "no_response");
        flag(j, q.spyglassFlags, QueryEvent.FLAG_RESYNC, "resync");
        j.endArray();
        j.name("params").numberOrNull(q.params);
        j.name("truncated").bool(q.truncated);
        j.name("lossy").bool(q.lossy);
        j.endLine();
        return this;
    }

    /**
     * {@code duration_us} is from {@link ConnectionInfo#openedNanos} to {@code tsNanos}, never
     * negative (a clock step backwards in a capture file must not produce nonsense).
     */
    public CaptureRecordEncoder encodeConnectionClose(final ConnectionInfo c, final CloseReason reason, final long tsNanos) {
        final JsonLineEncoder j = json;
        j.beginLine();
        j.name("type").string("conn_close");
        j.name("ts").timestamp(tsNanos);
        text(j.name("conn"), c.id);
        j.name("reason").string(reason == null ? null : reason.jsonName());
        j.name("duration_us").number(Math.max(0L, tsNanos - c.openedNanos) / 1000);
        j.name("queries").number(c.queries);
        j.name("errors").number(c.errors);
        j.name("bytes_in").number(c.bytesIn);
        j.name("bytes_out").number(c.bytesOut);
        j.name("packets_in").number(c.packetsIn);
        j.name("packets_out").number(c.packetsOut);
        j.endLine();
        return this;
    }

    public CaptureRecordEncoder encodeStats(final CaptureStats s, final long tsNanos) {
        return counters("stats", s, tsNanos);
    }

    public CaptureRecordEncoder encodeCaptureEnd(final CaptureStats s, final long tsNanos) {
        return counters("capture_end", s, tsNanos);
    }

    private CaptureRecordEncoder counters(final String type, final CaptureStats s, final long tsNanos) {
        final JsonLineEncoder j = json;
        j.beginLine();
        j.name("type").string(type);
        j.name("ts").timestamp(tsNanos);
        j.name("packets").number(s.packets);
        j.name("bytes").number(s.bytes);
        j.name("tcp_segments").number(s.tcpSegments);
        j.name("malformed").number(s.malformed);
        j.name("non_tcp").number(s.nonTcp);
        j.name("kernel_drops").number(s.kernelDrops);
        j.name("ring_drops").number(s.ringDrops);
        j.name("flows_open").number(s.flowsOpen);
        j.name("flows_total").number(s.flowsTotal);
        j.name("flows_evicted").number(s.flowsEvicted);
        j.name("gaps").number(s.gaps);
        j.name("gap_bytes").number(s.gapBytes);
        j.name("out_of_order_segments").number(s.outOfOrderSegments);
        j.name("retransmitted_segments").number(s.retransmittedSegments);
        j.name("resyncs").number(s.resyncs);
        j.name("connections").number(s.connections);
        j.name("encrypted_connections").number(s.encryptedConnections);
        j.name("queries").number(s.queries);
        j.name("errors").number(s.errors);
        j.name("truncated_statements").number(s.truncatedStatements);
        j.name("protocol_errors").number(s.protocolErrors);
        j.endLine();
        return this;
    }

    private static void text(final JsonLineEncoder j, final TextField field) {
        if (field.isKnown()) {
            j.string(field.bytes(), 0, field.length());
        } else {
            j.nullValue();
        }
    }

    private static void flag(final JsonLineEncoder j, final int bits, final int bit, final String name) {
        if ((bits & bit) != 0) {
            j.string(name);
        }
    }
}
