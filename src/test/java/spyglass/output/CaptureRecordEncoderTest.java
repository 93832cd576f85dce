package spyglass.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import spyglass.event.CaptureStats;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;
import spyglass.event.TextField;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureRecordEncoderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** 2026-11-23T22:26:45.123456789Z */
    static final long TS = Instant.parse("2026-11-23T22:26:45.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;
    static final String TS_TEXT = "2026-11-23T22:26:45.123456Z";

    private final CaptureRecordEncoder enc = new CaptureRecordEncoder();

    static void set(final TextField field, final String value) {
        final byte[] b = value.getBytes(StandardCharsets.UTF_8);
        field.set(b, 0, b.length);
    }

    static ConnectionInfo connection() {
        final ConnectionInfo c = new ConnectionInfo();
        set(c.id, "10.0.0.1:50000>10.0.0.2:3306");
        set(c.client, "10.0.0.1:50000");
        set(c.server, "10.0.0.2:3306");
        c.threadId = 42;
        set(c.serverVersion, "11.4.2-MariaDB");
        set(c.user, "app\"user");
        set(c.db, "shop");
        c.tls = false;
        c.compressed = true;
        c.midstream = false;
        return c;
    }

    static QueryEvent query(final ConnectionInfo c) {
        final QueryEvent q = new QueryEvent(256);
        q.timestampNanos = TS;
        q.connection = c;
        q.command = "query";
        final byte[] sql = "select * from t where id = ?\n".getBytes(StandardCharsets.UTF_8);
        q.sql.putBytes(0, sql);
        q.sqlLength = sql.length;
        q.hasDigest = true;
        q.digest = 0x00A1B2C3D4E5F607L;
        q.latencyNanos = 1_234_999;
        q.ttfbNanos = 1_000_000;
        q.transferNanos = 234_000;
        q.thinkNanos = 999;
        q.rows = 3;
        q.affectedRows = -1;
        q.bytesIn = 33;
        q.bytesOut = 4096;
        q.warnings = 2;
        q.serverStatus = ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT | ServerStatus.NO_INDEX_USED
            | ServerStatus.MORE_RESULTS_EXISTS | ServerStatus.QUERY_WAS_SLOW;
        q.serverStatusKnown = true;
        q.params = -1;
        return q;
    }

    private JsonNode parse() throws Exception {
        final int n = enc.length();
        final byte[] line = enc.buffer();
        assertEquals('\n', line[n - 1]);
        for (int i = 0; i < n - 1; i++) {
            assertTrue(line[i] != '\n', "single line");
        }
        return MAPPER.readTree(line, 0, n);
    }

    private static List<String> names(final JsonNode node) {
        final List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void captureStart() throws Exception {
        enc.encodeCaptureStart("0.1.0", "db-host-1", "eth0", "tcp port 3306", TS, "plain");
        final JsonNode n = parse();
        assertEquals(List.of("type", "version", "host", "source", "filter", "ts", "redact"), names(n));
        assertEquals("capture_start", n.get("type").textValue());
        assertEquals("0.1.0", n.get("version").textValue());
        assertEquals("db-host-1", n.get("host").textValue());
        assertEquals("eth0", n.get("source").textValue());
        assertEquals("tcp port 3306", n.get("filter").textValue());
        assertEquals(TS_TEXT, n.get("ts").textValue());
        assertEquals("plain", n.get("redact").textValue());
        enc.encodeCaptureStart("0.1.0", "h", "capture.pcap", null, 0, "keyed");
        assertTrue(parse().get("filter").isNull());
        assertEquals("1970-01-01T00:00:00.000000Z", parse().get("ts").textValue());
        assertEquals("{\"type\":\"capture_start\",\"version\":\"0.1.0\",\"host\":\"h\",\"source\":\"capture.pcap\","
            + "\"filter\":null,\"ts\":\"1970-01-01T00:00:00.000000Z\",\"redact\":\"keyed\"}\n",
            new String(enc.buffer(), 0, enc.length(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void connWithEverythingKnown() throws Exception {
        enc.encodeConnection(connection(), TS);
        final JsonNode n = parse();
        assertEquals(List.of("type", "ts", "conn", "client", "server", "thread_id", "server_version", "user", "db",
            "tls", "compressed", "midstream"), names(n));
        assertEquals("conn", n.get("type").textValue());
        assertEquals(TS_TEXT, n.get("ts").textValue());
        assertEquals("10.0.0.1:50000>10.0.0.2:3306", n.get("conn").textValue());
        assertEquals("10.0.0.1:50000", n.get("client").textValue());
        assertEquals("10.0.0.2:3306", n.get("server").textValue());
        assertEquals(42, n.get("thread_id").longValue());
        assertEquals("11.4.2-MariaDB", n.get("server_version").textValue());
        assertEquals("app\"user", n.get("user").textValue());
        assertEquals("shop", n.get("db").textValue());
        assertFalse(n.get("tls").booleanValue());
        assertTrue(n.get("compressed").booleanValue());
        assertFalse(n.get("midstream").booleanValue());
        assertTrue(n.get("tls").isBoolean());
    }

    @Test
    void connPickedUpMidstreamHasNulls() throws Exception {
        final ConnectionInfo c = new ConnectionInfo();
        set(c.id, "[2001:db8::1]:1>[2001:db8::2]:3306");
        set(c.client, "[2001:db8::1]:1");
        set(c.server, "[2001:db8::2]:3306");
        c.db.setEmpty();
        c.midstream = true;
        c.tls = true;
        enc.encodeConnection(c, -1);
        final JsonNode n = parse();
        assertEquals("1969-12-31T23:59:59.999999Z", n.get("ts").textValue());
        assertTrue(n.get("thread_id").isNull());
        assertTrue(n.get("server_version").isNull());
        assertTrue(n.get("user").isNull());
        assertEquals("", n.get("db").textValue(), "known and empty is not null");
        assertTrue(n.get("tls").booleanValue());
        assertTrue(n.get("midstream").booleanValue());
        assertFalse(n.get("compressed").booleanValue());
        c.id.clear();
        enc.encodeConnection(c, 0);
        assertTrue(parse().get("conn").isNull());
    }

    @Test
    void queryWithEverythingKnown() throws Exception {
        enc.encodeQuery(query(connection()));
        final JsonNode n = parse();
        assertEquals(List.of("type", "ts", "conn", "thread_id", "user", "db", "cmd", "sql", "digest", "latency_us",
            "ttfb_us", "transfer_us", "think_us", "rows", "results", "affected", "bytes_in", "bytes_out", "error", "warnings",
            "flags", "params", "truncated", "lossy"), names(n));
        assertEquals("query", n.get("type").textValue());
        assertEquals(TS_TEXT, n.get("ts").textValue());
        assertEquals("10.0.0.1:50000>10.0.0.2:3306", n.get("conn").textValue());
        assertEquals(42, n.get("thread_id").longValue());
        assertEquals("app\"user", n.get("user").textValue());
        assertEquals("shop", n.get("db").textValue());
        assertEquals("query", n.get("cmd").textValue());
        assertEquals("select * from t where id = ?\n", n.get("sql").textValue());
        assertEquals("00a1b2c3d4e5f607", n.get("digest").textValue());
        assertEquals(1234, n.get("latency_us").longValue());
        assertEquals(1000, n.get("ttfb_us").longValue());
        assertEquals(234, n.get("transfer_us").longValue());
        assertEquals(0, n.get("think_us").longValue());
        assertTrue(n.get("think_us").isIntegralNumber());
        assertEquals(3, n.get("rows").longValue());
        assertTrue(n.get("affected").isNull());
        assertEquals(33, n.get("bytes_in").longValue());
        assertEquals(4096, n.get("bytes_out").longValue());
        assertTrue(n.get("error").isNull());
        assertEquals(2, n.get("warnings").longValue());
        assertEquals("[\"in_trans\",\"no_index_used\",\"slow\"]", n.get("flags").toString());
        assertTrue(n.get("params").isNull());
        assertFalse(n.get("truncated").booleanValue());
        assertFalse(n.get("lossy").booleanValue());
    }

    @Test
    void queryWithNothingKnownAndAnError() throws Exception {
        final ConnectionInfo c = new ConnectionInfo();
        set(c.id, "c");
        final QueryEvent q = new QueryEvent(16);
        q.timestampNanos = TS;
        q.connection = c;
        q.command = "execute";
        q.errorCode = 1062;
        System.arraycopy("23000".getBytes(StandardCharsets.US_ASCII), 0, q.sqlState, 0, 5);
        q.sqlStateLength = 5;
        q.params = 4;
        q.truncated = true;
        q.lossy = true;
        q.spyglassFlags = QueryEvent.FLAG_NO_RESPONSE | QueryEvent.FLAG_RESYNC;
        q.serverStatus = ServerStatus.IN_TRANS; // not known: ignored
        q.affectedRows = 0;
        enc.encodeQuery(q);
        final JsonNode n = parse();
        assertEquals("c", n.get("conn").textValue());
        assertTrue(n.get("thread_id").isNull());
        assertTrue(n.get("user").isNull());
        assertTrue(n.get("db").isNull());
        assertEquals("execute", n.get("cmd").textValue());
        assertTrue(n.get("sql").isNull());
        assertTrue(n.get("digest").isNull());
        for (final String f : new String[] {"latency_us", "ttfb_us", "transfer_us", "think_us", "rows"}) {
            assertTrue(n.get(f).isNull(), f);
        }
        assertEquals(0, n.get("affected").longValue());
        assertTrue(n.get("affected").isNumber());
        assertEquals(0, n.get("bytes_in").longValue());
        assertEquals(0, n.get("bytes_out").longValue());
        assertEquals("{\"code\":1062,\"sql_state\":\"23000\"}", n.get("error").toString());
        assertEquals("[\"no_response\",\"resync\"]", n.get("flags").toString());
        assertEquals(4, n.get("params").longValue());
        assertTrue(n.get("truncated").booleanValue());
        assertTrue(n.get("lossy").booleanValue());

        q.sqlStateLength = 0;
        q.spyglassFlags = 0;
        q.sqlLength = 0;
        enc.encodeQuery(q);
        final JsonNode m = parse();
        assertEquals("{\"code\":1062,\"sql_state\":null}", m.get("error").toString());
        assertEquals("[]", m.get("flags").toString());
        assertEquals("", m.get("sql").textValue());
    }

    @Test
    void everyFlagHasItsName() throws Exception {
        final QueryEvent q = query(connection());
        q.serverStatus = 0xFFFF;
        q.spyglassFlags = 0xFF;
        enc.encodeQuery(q);
        assertEquals("[\"in_trans\",\"no_good_index_used\",\"no_index_used\",\"slow\",\"cursor_exists\",\"db_dropped\","
            + "\"no_response\",\"resync\",\"unknown_statement\",\"replication\"]", parse().get("flags").toString());
        q.serverStatus = ServerStatus.MORE_RESULTS_EXISTS | ServerStatus.AUTOCOMMIT;
        q.spyglassFlags = 0;
        enc.encodeQuery(q);
        assertEquals("[]", parse().get("flags").toString());
    }

    @Test
    void queryWithoutConnectionAndWithInvalidUtf8Sql() throws Exception {
        final QueryEvent q = new QueryEvent(8);
        q.command = null;
        q.sql.putByte(0, (byte) 's');
        q.sql.putByte(1, (byte) 0xC3);
        q.sqlLength = 2;
        enc.encodeQuery(q);
        final JsonNode n = parse();
        assertTrue(n.get("conn").isNull());
        assertTrue(n.get("thread_id").isNull());
        assertTrue(n.get("cmd").isNull());
        assertEquals("s\uFFFD", n.get("sql").textValue());
    }

    @Test
    void connClose() throws Exception {
        final ConnectionInfo c = connection();
        c.openedNanos = TS - 2_500_000_999L;
        c.queries = 10;
        c.errors = 1;
        c.bytesIn = 1000;
        c.bytesOut = 20_000;
        c.packetsIn = 12;
        c.packetsOut = 30;
        enc.encodeConnectionClose(c, CloseReason.END_OF_CAPTURE, TS);
        final JsonNode n = parse();
        assertEquals(List.of("type", "ts", "conn", "reason", "duration_us", "queries", "errors", "bytes_in",
            "bytes_out", "packets_in", "packets_out"), names(n));
        assertEquals("conn_close", n.get("type").textValue());
        assertEquals(TS_TEXT, n.get("ts").textValue());
        assertEquals("10.0.0.1:50000>10.0.0.2:3306", n.get("conn").textValue());
        assertEquals("end_of_capture", n.get("reason").textValue());
        assertEquals(2_500_000, n.get("duration_us").longValue());
        assertEquals(10, n.get("queries").longValue());
        assertEquals(1, n.get("errors").longValue());
        assertEquals(1000, n.get("bytes_in").longValue());
        assertEquals(20_000, n.get("bytes_out").longValue());
        assertEquals(12, n.get("packets_in").longValue());
        assertEquals(30, n.get("packets_out").longValue());

        c.openedNanos = TS + 5;
        enc.encodeConnectionClose(c, CloseReason.RST, TS);
        assertEquals(0, parse().get("duration_us").longValue(), "never negative");
        assertEquals("rst", parse().get("reason").textValue());
    }

    @Test
    void statsAndCaptureEndCarryEveryCounter() throws Exception {
        final CaptureStats s = new CaptureStats();
        final java.lang.reflect.Field[] fields = CaptureStats.class.getFields();
        long v = 1;
        for (final java.lang.reflect.Field f : fields) {
            f.setLong(s, v);
            v = v * 31 + 7;
        }
        s.protocolErrors = Long.MAX_VALUE;
        final List<String> expected = List.of("type", "ts", "packets", "bytes", "tcp_segments", "malformed", "non_tcp",
            "kernel_drops", "ring_drops", "flows_open", "flows_total", "flows_evicted", "gaps", "gap_bytes",
            "out_of_order_segments", "retransmitted_segments", "resyncs", "connections", "encrypted_connections",
            "encrypted_bytes", "queries", "errors", "truncated_statements", "unknown_statements", "replica_connections", "own_connections", "schema_shapes_unread",
            "protocol_errors");
        assertEquals(fields.length + 2, expected.size(), "every CaptureStats field is written");
        for (final String type : new String[] {"stats", "capture_end"}) {
            if (type.equals("stats")) {
                enc.encodeStats(s, TS);
            } else {
                enc.encodeCaptureEnd(s, TS);
            }
            final JsonNode n = parse();
            assertEquals(expected, names(n));
            assertEquals(type, n.get("type").textValue());
            assertEquals(TS_TEXT, n.get("ts").textValue());
            for (final java.lang.reflect.Field f : fields) {
                assertEquals(f.getLong(s), n.get(snake(f.getName())).longValue(), f.getName());
            }
        }
    }

    private static String snake(final String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }
}
