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
    /** {@link #putCommand}'s last command and its encoding, with slack to be copied by whole longs. */
    private String cachedCommand;
    private final byte[] cachedCommandBytes = new byte[128];
    private int cachedCommandLength;

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

    /**
     * First line of a capture. Strings here are fine: it is written once. {@code redact} is the
     * literal redaction mode, {@code plain} or {@code keyed}: whoever reads the file must know
     * whether what follows a {@code ?} is a token.
     */
    public CaptureRecordEncoder encodeCaptureStart(
        final String version, final String host, final String source, final String filter, final long tsNanos,
        final String redact) {
        final JsonLineEncoder j = json;
        j.beginLine();
        j.name("type").string("capture_start");
        j.name("version").string(version);
        j.name("host").string(host);
        j.name("source").string(source);
        j.name("filter").string(filter);
        j.name("ts").timestamp(tsNanos);
        j.name("redact").string(redact);
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
        if (c.hiddenAttributes >= 0) {
            j.name("connect_attrs").beginObject();
            if (c.programName.isKnown()) {
                text(j.name("program_name"), c.programName);
            }
            if (c.clientName.isKnown()) {
                text(j.name("_client_name"), c.clientName);
            }
            if (c.clientVersion.isKnown()) {
                text(j.name("_client_version"), c.clientVersion);
            }
            j.name("hidden").number(c.hiddenAttributes);
            j.endObject();
        }
        j.endLine();
        return this;
    }

    // The constant parts of a query record, between its values, in order.
    private static final Piece QUERY_START = Piece.of("{\"type\":\"query\",\"ts\":");
    private static final Piece CONN = Piece.of(",\"conn\":");
    private static final Piece THREAD_ID = Piece.of(",\"thread_id\":");
    private static final Piece USER = Piece.of(",\"user\":");
    private static final Piece DB = Piece.of(",\"db\":");
    private static final Piece NO_CONNECTION = Piece.of(",\"conn\":null,\"thread_id\":null,\"user\":null,\"db\":null");
    private static final Piece CMD = Piece.of(",\"cmd\":");
    private static final Piece SQL = Piece.of(",\"sql\":");
    private static final Piece DIGEST = Piece.of(",\"digest\":");
    private static final Piece LATENCY = Piece.of(",\"latency_us\":");
    private static final Piece TTFB = Piece.of(",\"ttfb_us\":");
    private static final Piece TRANSFER = Piece.of(",\"transfer_us\":");
    private static final Piece THINK = Piece.of(",\"think_us\":");
    private static final Piece ROWS = Piece.of(",\"rows\":");
    private static final Piece RESULTS = Piece.of(",\"results\":");
    private static final Piece AFFECTED = Piece.of(",\"affected\":");
    private static final Piece BYTES_IN = Piece.of(",\"bytes_in\":");
    private static final Piece BYTES_OUT = Piece.of(",\"bytes_out\":");
    private static final Piece NO_ERROR_WARNINGS = Piece.of(",\"error\":null,\"warnings\":");
    private static final Piece ERROR_CODE = Piece.of(",\"error\":{\"code\":");
    private static final Piece SQL_STATE = Piece.of(",\"sql_state\":");
    private static final Piece WARNINGS = Piece.of(",\"warnings\":");
    private static final Piece FLAGS = Piece.of(",\"flags\":[");
    private static final Piece IN_TRANS = Piece.of("\"in_trans\"");
    private static final Piece NO_GOOD_INDEX_USED = Piece.of("\"no_good_index_used\"");
    private static final Piece NO_INDEX_USED = Piece.of("\"no_index_used\"");
    private static final Piece SLOW = Piece.of("\"slow\"");
    private static final Piece CURSOR_EXISTS = Piece.of("\"cursor_exists\"");
    private static final Piece DB_DROPPED = Piece.of("\"db_dropped\"");
    private static final Piece NO_RESPONSE = Piece.of("\"no_response\"");
    private static final Piece RESYNC = Piece.of("\"resync\"");
    private static final Piece UNKNOWN_STATEMENT = Piece.of("\"unknown_statement\"");
    private static final Piece REPLICATION = Piece.of("\"replication\"");
    private static final Piece PARAMS = Piece.of("],\"params\":");
    /** The server status bits and spyglass flags that have a name in "flags". */
    private static final int FLAGGED_STATUS = ServerStatus.IN_TRANS | ServerStatus.NO_GOOD_INDEX_USED
        | ServerStatus.NO_INDEX_USED | ServerStatus.QUERY_WAS_SLOW | ServerStatus.CURSOR_EXISTS | ServerStatus.DB_DROPPED;
    private static final int FLAGGED_SPYGLASS = QueryEvent.FLAG_NO_RESPONSE | QueryEvent.FLAG_RESYNC
        | QueryEvent.FLAG_UNKNOWN_STATEMENT | QueryEvent.FLAG_REPLICATION;
    private static final Piece NO_FLAGS_PARAMS = Piece.of(",\"flags\":[],\"params\":");
    /** The ends of the line by truncated and lossy. */
    private static final Piece END_CLEAN = Piece.of(",\"truncated\":false,\"lossy\":false}\n");
    private static final Piece END_LOSSY = Piece.of(",\"truncated\":false,\"lossy\":true}\n");
    private static final Piece END_TRUNCATED = Piece.of(",\"truncated\":true,\"lossy\":false}\n");
    private static final Piece END_TRUNCATED_LOSSY = Piece.of(",\"truncated\":true,\"lossy\":true}\n");

    /**
     * Room for a query record whatever its numbers and flags: under 700 bytes of constants, numbers
     * and flags (checked by {@code QueryFastPathTest.fixedPartOfTheLongestQueryLineFits}), plus
     * the strings.
     */
    static final int QUERY_FIXED_MAX = 1024;

    /**
     * Written straight into the line's array with the encoder's raw layer: the constant parts are
     * precomputed longs, room for the worst case is made once, and the output is byte for byte what
     * writing it field by field with the encoder's public methods gives (checked by
     * {@code QueryFastPathTest} against exactly that).
     */
    public CaptureRecordEncoder encodeQuery(final QueryEvent q) {
        final JsonLineEncoder j = json;
        final ConnectionInfo c = q.connection;
        final String command = q.command;
        final int sqlLength = q.sqlLength < 0 ? -1 : Math.min(q.sqlLength, q.sql.capacity());
        final int sqlStateLength = Math.min(q.sqlStateLength, q.sqlState.length);
        long max = QUERY_FIXED_MAX + JsonLineEncoder.SLACK;
        if (c != null) {
            max += JsonLineEncoder.escapedBound(c.id.length()) + JsonLineEncoder.escapedBound(c.user.length())
                + JsonLineEncoder.escapedBound(c.db.length());
        }
        if (command != null) {
            max += JsonLineEncoder.escapedBound(command.length());
        }
        if (sqlLength > 0) {
            max += JsonLineEncoder.escapedBound(sqlLength);
        }
        if (sqlStateLength > 0) {
            max += JsonLineEncoder.escapedBound(sqlStateLength);
        }
        // The SQL's bytes: resolved before the line starts, an off-heap copy uses the scratch array.
        byte[] sqlArray = null;
        int sqlOffset = 0;
        if (sqlLength >= 0) {
            q.sql.boundsCheck(0, sqlLength);
            sqlArray = q.sql.byteArray();
            if (sqlArray != null) {
                sqlOffset = q.sql.wrapAdjustment();
            } else {
                sqlArray = j.offHeapCopy(q.sql, 0, sqlLength);
            }
        }

        // In three parts: in one method, the JIT's inlining budget ran out before the small writers
        // at its end were inlined, and the calls left cost more than these two.
        final byte[] b = j.startRaw(max);
        int p = queryHead(b, q, c, sqlArray, sqlOffset, sqlLength);
        p = queryNumbers(b, p, q);
        p = queryTail(b, p, q, sqlStateLength);
        j.finishRaw(p);
        return this;
    }

    /** From the start of a query line to its "sql" value. */
    private int queryHead(final byte[] b, final QueryEvent q, final ConnectionInfo c,
                          final byte[] sqlArray, final int sqlOffset, final int sqlLength) {
        int p = put(b, 0, QUERY_START);
        p = json.putTimestamp(b, p, q.timestampNanos);
        if (c != null) {
            p = text(b, put(b, p, CONN), c.id);
            p = JsonLineEncoder.putLongOrNull(b, put(b, p, THREAD_ID), c.threadId);
            p = text(b, put(b, p, USER), c.user);
            p = text(b, put(b, p, DB), c.db);
        } else {
            p = put(b, p, NO_CONNECTION);
        }
        p = putCommand(b, p, q.command);
        return sqlArray == null ? JsonLineEncoder.putNull(b, p) : JsonLineEncoder.putUtf8(b, p, sqlArray, sqlOffset, sqlLength);
    }

    /** From "digest" to the "bytes_out" value. */
    private static int queryNumbers(final byte[] b, int p, final QueryEvent q) {
        p = put(b, p, DIGEST);
        p = q.hasDigest ? JsonLineEncoder.putHex16(b, p, q.digest) : JsonLineEncoder.putNull(b, p);
        p = JsonLineEncoder.putMicrosOrNull(b, put(b, p, LATENCY), q.latencyNanos);
        p = JsonLineEncoder.putMicrosOrNull(b, put(b, p, TTFB), q.ttfbNanos);
        p = JsonLineEncoder.putMicrosOrNull(b, put(b, p, TRANSFER), q.transferNanos);
        p = JsonLineEncoder.putMicrosOrNull(b, put(b, p, THINK), q.thinkNanos);
        p = JsonLineEncoder.putLongOrNull(b, put(b, p, ROWS), q.rows);
        p = JsonLineEncoder.putLongOrNull(b, put(b, p, RESULTS), q.results);
        p = JsonLineEncoder.putLongOrNull(b, put(b, p, AFFECTED), q.affectedRows);
        p = JsonLineEncoder.putLong(b, put(b, p, BYTES_IN), q.bytesIn);
        return JsonLineEncoder.putLong(b, put(b, p, BYTES_OUT), q.bytesOut);
    }

    /** From "error" to the end of the line. */
    private static int queryTail(final byte[] b, int p, final QueryEvent q, final int sqlStateLength) {
        p = q.errorCode == 0 ? put(b, p, NO_ERROR_WARNINGS) : putError(b, p, q, sqlStateLength);
        p = JsonLineEncoder.putLong(b, p, q.warnings);
        // MORE_RESULTS_EXISTS is deliberately left out: the record is the whole command.
        final int status = q.serverStatusKnown ? q.serverStatus & FLAGGED_STATUS : 0;
        final int spyglassFlags = q.spyglassFlags & FLAGGED_SPYGLASS;
        p = (status | spyglassFlags) == 0 ? put(b, p, NO_FLAGS_PARAMS) : putFlags(b, p, status, spyglassFlags);
        p = JsonLineEncoder.putLongOrNull(b, p, q.params);
        if (q.truncated) {
            return put(b, p, q.lossy ? END_TRUNCATED_LOSSY : END_TRUNCATED);
        }
        return put(b, p, q.lossy ? END_LOSSY : END_CLEAN);
    }

    /** {@code ,"error":{...},"warnings":} */
    private static int putError(final byte[] b, int p, final QueryEvent q, final int sqlStateLength) {
        p = JsonLineEncoder.putLong(b, put(b, p, ERROR_CODE), q.errorCode);
        p = put(b, p, SQL_STATE);
        p = sqlStateLength > 0
            ? JsonLineEncoder.putUtf8(b, p, q.sqlState, 0, sqlStateLength)
            : JsonLineEncoder.putNull(b, p);
        b[p++] = '}';
        return put(b, p, WARNINGS);
    }

    /** {@code ,"flags":[...],"params":} with at least one flag. */
    private static int putFlags(final byte[] b, int p, final int status, final int spyglassFlags) {
        p = put(b, p, FLAGS);
        final int flagsStart = p;
        p = flag(b, p, flagsStart, status, ServerStatus.IN_TRANS, IN_TRANS);
        p = flag(b, p, flagsStart, status, ServerStatus.NO_GOOD_INDEX_USED, NO_GOOD_INDEX_USED);
        p = flag(b, p, flagsStart, status, ServerStatus.NO_INDEX_USED, NO_INDEX_USED);
        p = flag(b, p, flagsStart, status, ServerStatus.QUERY_WAS_SLOW, SLOW);
        p = flag(b, p, flagsStart, status, ServerStatus.CURSOR_EXISTS, CURSOR_EXISTS);
        p = flag(b, p, flagsStart, status, ServerStatus.DB_DROPPED, DB_DROPPED);
        p = flag(b, p, flagsStart, spyglassFlags, QueryEvent.FLAG_NO_RESPONSE, NO_RESPONSE);
        p = flag(b, p, flagsStart, spyglassFlags, QueryEvent.FLAG_RESYNC, RESYNC);
        p = flag(b, p, flagsStart, spyglassFlags, QueryEvent.FLAG_UNKNOWN_STATEMENT, UNKNOWN_STATEMENT);
        p = flag(b, p, flagsStart, spyglassFlags, QueryEvent.FLAG_REPLICATION, REPLICATION);
        return put(b, p, PARAMS);
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
        j.name("encrypted_bytes").number(s.encryptedBytes);
        j.name("queries").number(s.queries);
        j.name("errors").number(s.errors);
        j.name("truncated_statements").number(s.truncatedStatements);
        j.name("unknown_statements").number(s.unknownStatements);
        j.name("replica_connections").number(s.replicaConnections);
        j.name("own_connections").number(s.ownConnections);
        j.name("schema_shapes_unread").number(s.schemaShapesUnread);
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

    /**
     * {@code ,"cmd":COMMAND,"sql":}. The command is one of a few constants, so the last one is kept
     * encoded with the names around it and copied 8 bytes at a time while it is the same object.
     */
    private int putCommand(final byte[] b, final int p, final String command) {
        if (command != cachedCommand || cachedCommandLength == 0) {
            final int bound = CMD.length() + (command == null ? 4 : (int) JsonLineEncoder.escapedBound(command.length()))
                + SQL.length() + JsonLineEncoder.SLACK;
            if (bound > cachedCommandBytes.length) {
                // Not a constant worth keeping: written in place, the cache left as it was.
                int q = put(b, p, CMD);
                q = JsonLineEncoder.putString(b, q, command);
                return put(b, q, SQL);
            }
            int q = put(cachedCommandBytes, 0, CMD);
            q = command == null ? JsonLineEncoder.putNull(cachedCommandBytes, q) : JsonLineEncoder.putString(cachedCommandBytes, q, command);
            cachedCommandLength = put(cachedCommandBytes, q, SQL);
            cachedCommand = command;
        }
        final byte[] cached = cachedCommandBytes;
        final int n = cachedCommandLength;
        for (int k = 0; k < n; k += 8) {
            JsonLineEncoder.putLongAt(b, p + k, JsonLineEncoder.longAt(cached, k));
        }
        return p + n;
    }

    /** A known string field (raw layer), or null. */
    private static int text(final byte[] b, final int p, final TextField field) {
        return field.isKnown() ? JsonLineEncoder.putUtf8(b, p, field.bytes(), 0, field.length()) : JsonLineEncoder.putNull(b, p);
    }

    /** A flag's quoted name when its bit is set, after a comma unless it is the first in the array. */
    private static int flag(final byte[] b, int p, final int arrayStart, final int bits, final int bit, final Piece name) {
        if ((bits & bit) == 0) {
            return p;
        }
        if (p != arrayStart) {
            b[p++] = ',';
        }
        return put(b, p, name);
    }

    /** A constant part, by whole longs: may store up to 7 bytes beyond the position it returns. */
    private static int put(final byte[] b, final int p, final Piece piece) {
        final int n = piece.length();
        JsonLineEncoder.putLongAt(b, p, piece.w0());
        if (n > 8) {
            JsonLineEncoder.putLongAt(b, p + 8, piece.w1());
            if (n > 16) {
                JsonLineEncoder.putLongAt(b, p + 16, piece.w2());
                if (n > 24) {
                    JsonLineEncoder.putLongAt(b, p + 24, piece.w3());
                    if (n > 32) {
                        JsonLineEncoder.putLongAt(b, p + 32, piece.w4());
                        if (n > 40) {
                            JsonLineEncoder.putLongAt(b, p + 40, piece.w5());
                            if (n > 48) {
                                JsonLineEncoder.putLongAt(b, p + 48, piece.w6());
                            }
                        }
                    }
                }
            }
        }
        return p + n;
    }

    /** A constant part of a line: printable ASCII, padded to whole longs to be copied 8 bytes at a time. */
    private record Piece(int length, long w0, long w1, long w2, long w3, long w4, long w5, long w6) {
        // A record: the JIT trusts its final fields, so a static final Piece's words are constants in the code.
        static Piece of(final String ascii) {
            if (ascii.length() > 56) {
                throw new IllegalArgumentException(ascii);
            }
            final byte[] b = java.util.Arrays.copyOf(JsonLineEncoder.ascii(ascii), 56);
            return new Piece(ascii.length(), JsonLineEncoder.longAt(b, 0), JsonLineEncoder.longAt(b, 8),
                JsonLineEncoder.longAt(b, 16), JsonLineEncoder.longAt(b, 24), JsonLineEncoder.longAt(b, 32),
                JsonLineEncoder.longAt(b, 40), JsonLineEncoder.longAt(b, 48));
        }
    }
}
