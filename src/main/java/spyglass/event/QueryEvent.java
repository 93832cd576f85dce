package spyglass.event;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One completed command: the {@code query} record. A single instance per connection tracker is
 * filled in place and handed to the {@link EventSink}; the sink must not retain it.
 *
 * <p>Times are nanoseconds from capture timestamps; the encoder writes them in microseconds.
 * A duration of -1 means unknown (e.g. {@code think} for a connection's first command).
 */
public final class QueryEvent {
    /** Extra flag bits spyglass itself sets, beside the server's status bits. */
    public static final int FLAG_NO_RESPONSE = 0x1;
    public static final int FLAG_RESYNC = 0x2;
    /**
     * A prepared statement whose {@code COM_STMT_PREPARE} was not seen (before the capture, or lost):
     * executed, text unknown.
     */
    public static final int FLAG_UNKNOWN_STATEMENT = 0x4;
    /**
     * A replica's request for the binary log: the server streams it for as long as the connection
     * lives, so the event is written at the request, and the stream is counted, never read.
     */
    public static final int FLAG_REPLICATION = 0x8;

    public static final int DEFAULT_SQL_CAPACITY = 64 * 1024;

    /** Capture time of the request's first packet. */
    public long timestampNanos;
    public ConnectionInfo connection;
    /** The command's name in lower case, e.g. {@code query}, {@code init_db}, {@code ping}. */
    public String command;
    /** Redacted statement text, UTF-8, in {@code sql}[0, sqlLength); sqlLength -1 when there is none. */
    public final UnsafeBuffer sql;
    public int sqlLength = -1;
    public boolean hasDigest;
    public long digest;
    public long latencyNanos = -1;
    public long ttfbNanos = -1;
    public long transferNanos = -1;
    public long thinkNanos = -1;
    /** Rows returned (result sets), or -1 when the response had none. */
    public long rows = -1;
    /**
     * Results in the response (each OK, ERR or result set, counted as it ends): 1 for most commands,
     * one per statement for a multi-statement COM_QUERY, the result sets and the final OK of a CALL;
     * -1 when the response was not seen whole. The record is the whole command: rows, affected rows
     * and warnings are summed over its results, the status is the last one's.
     */
    public int results = -1;
    /** Affected rows from OK, or -1 when the response was not an OK. */
    public long affectedRows = -1;
    public long lastInsertId;
    public long bytesIn;
    public long bytesOut;
    /** ERR code, 0 when none. */
    public int errorCode;
    /** ERR SQL state, 5 ASCII bytes, or length 0 when none was sent. */
    public final byte[] sqlState = new byte[5];
    public int sqlStateLength;
    public int warnings;
    /** SERVER_STATUS_* bits of the final OK/EOF. */
    public int serverStatus;
    public boolean serverStatusKnown;
    /** FLAG_* bits above. */
    public int spyglassFlags;
    /** Parameter count for {@code execute} and {@code bulk_execute}, -1 otherwise or when unknown. */
    public int params = -1;
    public boolean truncated;
    public boolean lossy;

    public QueryEvent() {
        this(DEFAULT_SQL_CAPACITY);
    }

    public QueryEvent(final int sqlCapacity) {
        sql = new UnsafeBuffer(new byte[sqlCapacity]);
    }

    public void reset() {
        timestampNanos = 0;
        connection = null;
        command = null;
        sqlLength = -1;
        hasDigest = false;
        digest = 0;
        latencyNanos = ttfbNanos = transferNanos = thinkNanos = -1;
        rows = -1;
        results = -1;
        affectedRows = -1;
        lastInsertId = 0;
        bytesIn = bytesOut = 0;
        errorCode = 0;
        sqlStateLength = 0;
        warnings = 0;
        serverStatus = 0;
        serverStatusKnown = false;
        spyglassFlags = 0;
        params = -1;
        truncated = false;
        lossy = false;
    }
}
