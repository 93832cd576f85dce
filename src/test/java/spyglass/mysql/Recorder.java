package spyglass.mysql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;
import spyglass.event.TextField;

/** An EventSink that copies every event into comparable values (every field, as text). */
final class Recorder implements EventSink {
    final List<Object> events = new ArrayList<>();

    static String text(final TextField f) {
        return f.isKnown() ? new String(f.bytes(), 0, f.length(), StandardCharsets.UTF_8) : null;
    }

    record Conn(long ts, String id, String client, String server, long threadId, String serverVersion, String user,
                String db, boolean tls, boolean compressed, boolean midstream, long capabilities, long openedNanos) {
    }

    record Close(long ts, String id, CloseReason reason, long queries, long errors, long bytesIn, long bytesOut,
                 long packetsIn, long packetsOut) {
    }

    /** Expected or recorded query event; defaults are those of {@link QueryEvent#reset()}. */
    static final class Q {
        long ts;
        String conn;
        long threadId = -1;
        String user;
        String db;
        String cmd;
        String sql;
        boolean hasDigest;
        long digest;
        long latency = -1;
        long ttfb = -1;
        long transfer = -1;
        long think = -1;
        long rows = -1;
        long affected = -1;
        long lastInsertId;
        long bytesIn;
        long bytesOut;
        int errorCode;
        String sqlState = "";
        int warnings;
        int status;
        boolean statusKnown;
        int flags;
        int params = -1;
        /** Not part of equality (older expectations predate it): checked by its own asserts. */
        int results = -1;
        boolean truncated;
        boolean lossy;

        Q ts(final long v) { ts = v; return this; }
        Q conn(final String v) { conn = v; return this; }
        Q threadId(final long v) { threadId = v; return this; }
        Q user(final String v) { user = v; return this; }
        Q db(final String v) { db = v; return this; }
        Q cmd(final String v) { cmd = v; return this; }
        Q sql(final String v, final long digest) { sql = v; hasDigest = true; this.digest = digest; return this; }
        Q timing(final long latency, final long ttfb, final long transfer) {
            this.latency = latency; this.ttfb = ttfb; this.transfer = transfer; return this;
        }
        Q think(final long v) { think = v; return this; }
        Q rows(final long v) { rows = v; return this; }
        Q affected(final long v) { affected = v; return this; }
        Q lastInsertId(final long v) { lastInsertId = v; return this; }
        Q bytes(final long in, final long out) { bytesIn = in; bytesOut = out; return this; }
        Q error(final int code, final String state) { errorCode = code; sqlState = state; return this; }
        Q warnings(final int v) { warnings = v; return this; }
        Q status(final int v) { status = v; statusKnown = true; return this; }
        Q flags(final int v) { flags = v; return this; }
        Q params(final int v) { params = v; return this; }
        Q truncated(final boolean v) { truncated = v; return this; }
        Q lossy(final boolean v) { lossy = v; return this; }

        static Q of(final QueryEvent e) {
            final Q q = new Q();
            q.ts = e.timestampNanos;
            q.conn = text(e.connection.id);
            q.threadId = e.connection.threadId;
            q.user = text(e.connection.user);
            q.db = text(e.connection.db);
            q.cmd = e.command;
            q.sql = e.sqlLength < 0 ? null : e.sql.getStringWithoutLengthUtf8(0, e.sqlLength);
            q.hasDigest = e.hasDigest;
            q.digest = e.digest;
            q.latency = e.latencyNanos;
            q.ttfb = e.ttfbNanos;
            q.transfer = e.transferNanos;
            q.think = e.thinkNanos;
            q.rows = e.rows;
            q.affected = e.affectedRows;
            q.lastInsertId = e.lastInsertId;
            q.bytesIn = e.bytesIn;
            q.bytesOut = e.bytesOut;
            q.errorCode = e.errorCode;
            q.sqlState = new String(e.sqlState, 0, e.sqlStateLength, StandardCharsets.US_ASCII);
            q.warnings = e.warnings;
            q.status = e.serverStatus;
            q.statusKnown = e.serverStatusKnown;
            q.flags = e.spyglassFlags;
            q.params = e.params;
            q.results = e.results;
            q.truncated = e.truncated;
            q.lossy = e.lossy;
            return q;
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof Q && o.toString().equals(toString());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }

        @Override
        public String toString() {
            return "Q[ts=" + ts + ", conn=" + conn + ", threadId=" + threadId + ", user=" + user + ", db=" + db
                + ", cmd=" + cmd + ", sql=" + sql + ", hasDigest=" + hasDigest + ", digest=" + digest
                + ", latency=" + latency + ", ttfb=" + ttfb + ", transfer=" + transfer + ", think=" + think
                + ", rows=" + rows + ", affected=" + affected + ", lastInsertId=" + lastInsertId
                + ", bytesIn=" + bytesIn + ", bytesOut=" + bytesOut + ", errorCode=" + errorCode
                + ", sqlState=" + sqlState + ", warnings=" + warnings + ", status=" + status
                + ", statusKnown=" + statusKnown + ", flags=" + flags + ", params=" + params
                + ", truncated=" + truncated + ", lossy=" + lossy + "]";
        }
    }

    @Override
    public void onConnection(final ConnectionInfo c, final long timestampNanos) {
        events.add(new Conn(timestampNanos, text(c.id), text(c.client), text(c.server), c.threadId,
            text(c.serverVersion), text(c.user), text(c.db), c.tls, c.compressed, c.midstream, c.capabilities,
            c.openedNanos));
        connectAttributes.add("program_name=" + text(c.programName) + " _client_name=" + text(c.clientName)
            + " _client_version=" + text(c.clientVersion) + " hidden=" + c.hiddenAttributes);
    }

    /** The query events among {@code events}, in order. */
    static List<Q> queries(final List<Object> events) {
        final List<Q> out = new ArrayList<>();
        for (final Object e : events) {
            if (e instanceof Q q) {
                out.add(q);
            }
        }
        return out;
    }

    /** Per conn event, the connect attributes it carried, as one line. */
    final List<String> connectAttributes = new ArrayList<>();

    @Override
    public void onQuery(final QueryEvent query) {
        events.add(Q.of(query));
    }

    @Override
    public void onConnectionClose(final ConnectionInfo c, final CloseReason reason, final long timestampNanos) {
        events.add(new Close(timestampNanos, text(c.id), reason, c.queries, c.errors, c.bytesIn, c.bytesOut,
            c.packetsIn, c.packetsOut));
    }
}
