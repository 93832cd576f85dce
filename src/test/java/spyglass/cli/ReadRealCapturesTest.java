package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.testing.CaptureFile;
import spyglass.testing.TcpdumpTimeline;

/**
 * {@code spyglass read} on captures recorded from a real MariaDB with real clients
 * (src/test/resources/captures/), checked against the server's own general log and against
 * tcpdump's reading of the same packets.
 */
public class ReadRealCapturesTest {
    private static final Path CAPTURES = Path.of("src/test/resources/captures");

    @TempDir
    Path tmp;

    private CaptureFile read(final String fixture) throws Exception {
        final Path pcap = CAPTURES.resolve(fixture).resolve("capture.pcap");
        final Path out = tmp.resolve(fixture + ".jsonl");
        final int status = Main.run("read", "-q", "-o", out.toString(), "-p", Integer.toString(serverPort(fixture)), pcap.toString());
        assertEquals(0, status, "spyglass read exit status");
        return CaptureFile.read(out);
    }

    /** The fixture's server port, from its SYN-ACK (the recording used a free port). */
    static int serverPort(final String fixture) throws Exception {
        return FixturePorts.serverPort(CAPTURES.resolve(fixture).resolve("capture.pcap"));
    }

    private static List<String> generalLog(final String fixture, final String command) throws Exception {
        final List<String> out = new ArrayList<>();
        for (final String line : Files.readAllLines(CAPTURES.resolve(fixture).resolve("general_log.tsv"), StandardCharsets.UTF_8)) {
            final String[] cols = line.split("\t", 3);
            if (cols.length == 3 && cols[1].equals(command)) {
                out.add(cols[2]);
            }
        }
        return out;
    }

    private static List<String> sqlOf(final List<JsonNode> events) {
        final List<String> out = new ArrayList<>();
        for (final JsonNode e : events) {
            out.add(e.path("sql").asText());
        }
        return out;
    }

    @Test
    void mariadbCliConversationIsRebuiltExactly() throws Exception {
        final CaptureFile capture = read("mariadb-cli");

        final JsonNode conn = capture.only("conn");
        assertEquals("spy", conn.path("user").asText());
        assertEquals("spydb", conn.path("db").asText());
        assertEquals(5, conn.path("thread_id").asLong());
        assertTrue(conn.path("server_version").asText().matches("10\\.11\\.\\d+-MariaDB.*"), conn.toString());
        assertFalse(conn.path("tls").asBoolean());
        assertFalse(conn.path("compressed").asBoolean());
        assertFalse(conn.path("midstream").asBoolean());

        final List<JsonNode> queries = capture.queries("query");
        assertEquals(generalLog("mariadb-cli", "Query").size(), queries.size());
        assertEquals(List.of(
            "CREATE TABLE items (id INT NOT NULL PRIMARY KEY, code VARCHAR(?) UNIQUE, name VARCHAR(?), note VARCHAR(?), qty INT, price DECIMAL(?,?), bits VARBINARY(?), active BOOLEAN)",
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            "INSERT INTO items VALUES (?, ?, NULL, ?, NULL, NULL, NULL, NULL)",
            "SELECT id, code, name, qty, price FROM items WHERE id IN (?, ?, ?) ORDER BY id",
            "SELECT name, id FROM items WHERE id = ?",
            "SELECT name, id FROM items WHERE id = ?",
            "SELECT id FROM items WHERE id = ?",
            "SELECT id, qty FROM items WHERE note = ?",
            "SELEC id FROM items",
            "INSERT INTO items (id, code, name) VALUES (?, ?, ?)",
            "INSERT INTO items (id, code, name) VALUES (?, ?, ?)",
            "SELECT ?/? AS ratio",
            "SHOW WARNINGS",
            "BEGIN",
            "UPDATE items SET qty = qty + ? WHERE id = ?",
            "UPDATE items SET price = ? WHERE id IN (?, ?)",
            "COMMIT",
            "SELECT DATABASE()",
            "SELECT DATABASE()"), sqlOf(queries));

        // Rows: three, then a row whose first column is '' and one whose first column is NULL, then none.
        assertEquals(3, queries.get(5).path("rows").asLong());
        assertEquals(1, queries.get(6).path("rows").asLong());
        assertEquals(1, queries.get(7).path("rows").asLong());
        assertEquals(0, queries.get(8).path("rows").asLong());
        assertTrue(queries.get(5).path("affected").isNull());
        // Inserts and updates: affected rows from OK.
        assertEquals(1, queries.get(1).path("affected").asLong());
        assertTrue(queries.get(1).path("rows").isNull());
        assertEquals(1, queries.get(16).path("affected").asLong());
        assertEquals(2, queries.get(17).path("affected").asLong());
        // The scan on the non-indexed column.
        assertTrue(flags(queries.get(9)).contains("no_index_used"), queries.get(9).toString());
        assertFalse(flags(queries.get(6)).contains("no_index_used"));
        // Errors: code and state only, never the message (which echoes SECRET-4711).
        assertEquals(1064, queries.get(10).path("error").path("code").asInt());
        assertEquals("42000", queries.get(10).path("error").path("sql_state").asText());
        assertTrue(queries.get(11).path("error").isNull());
        assertEquals(1062, queries.get(12).path("error").path("code").asInt());
        assertEquals("23000", queries.get(12).path("error").path("sql_state").asText());
        // SELECT 1/0 warns; SHOW WARNINGS returns that warning.
        assertEquals(1, queries.get(13).path("warnings").asInt());
        assertEquals(1, queries.get(14).path("rows").asLong());
        // Inside BEGIN ... COMMIT the server says in_trans; after COMMIT it does not.
        assertTrue(flags(queries.get(16)).contains("in_trans"));
        assertTrue(flags(queries.get(17)).contains("in_trans"));
        assertFalse(flags(queries.get(18)).contains("in_trans"));

        // COM_INIT_DB, and the schema follows it.
        final List<JsonNode> initDb = capture.queries("init_db");
        assertEquals(1, initDb.size());
        assertTrue(initDb.get(0).path("sql").isNull());
        assertTrue(initDb.get(0).path("error").isNull());
        assertEquals("spydb", queries.get(19).path("db").asText());
        assertEquals("otherdb", queries.get(20).path("db").asText());

        for (final JsonNode q : capture.ofType("query")) {
            assertEquals("spy", q.path("user").asText());
            assertEquals(5, q.path("thread_id").asLong());
            assertFalse(q.path("lossy").asBoolean());
            assertFalse(q.path("truncated").asBoolean());
        }
        for (final JsonNode q : queries) {
            assertTrue(q.path("digest").asText().matches("[0-9a-f]{16}"), q.toString());
        }
        // Equal statements but for their literals share a digest; different ones do not.
        assertEquals(queries.get(1).path("digest"), queries.get(4).path("digest"));
        assertEquals(queries.get(6).path("digest"), queries.get(7).path("digest"));
        assertFalse(queries.get(6).path("digest").equals(queries.get(8).path("digest")));
        assertEquals("quit", capture.only("conn_close").path("reason").asText());
        assertEquals(queries.size() + 1, capture.only("conn_close").path("queries").asLong());
        assertNoLiteralLeaks(capture, "A-1", "O''Brien", "Brien", "back\\\\slash", "naïve", "café", "😀", "19.99", "SECRET-4711", "4711",
            "empty name", "null name", "2.25", "1.5e3", "0x1F", "X'AB'", "b'101'", "TRUE", "FALSE", "'", "99");
        assertLatenciesMatchTcpdump("mariadb-cli", capture);
    }

    @Test
    void connectorJWithDeprecateEofIsRebuilt() throws Exception {
        final CaptureFile capture = read("connector-j");
        // the driver names itself at login; its other connect attributes (pid, host, OS) stay hidden
        final JsonNode attrs = capture.only("conn").path("connect_attrs");
        assertEquals("MySQL Connector/J", attrs.path("_client_name").asText(), attrs.toString());
        assertEquals(3, attrs.path("hidden").asInt(), attrs.toString());
        final JsonNode conn = capture.only("conn");
        assertEquals("spy", conn.path("user").asText());
        assertEquals("spydb", conn.path("db").asText());

        final List<JsonNode> queries = capture.queries("query");
        final List<String> logged = generalLog("connector-j", "Query");
        assertEquals(logged.size(), queries.size());
        // Connector/J's own comment body (driver version, revision) goes; the statement stays.
        assertTrue(queries.get(0).path("sql").asText().startsWith("/* */SELECT  @@session.auto_increment_increment AS "),
            queries.get(0).toString());
        assertFalse(capture.text().contains("Revision"));
        int errors = 0;
        for (final JsonNode q : queries) {
            if (!q.path("error").isNull()) {
                errors++;
            }
        }
        assertEquals(2, errors);
        assertEquals(1062, queries.get(logged.size() - 2).path("error").path("code").asInt());
        assertEquals(1146, queries.get(logged.size() - 1).path("error").path("code").asInt());
        assertEquals("42S02", queries.get(logged.size() - 1).path("error").path("sql_state").asText());
        // SELECT ... WHERE id = 2 returns one row, id = 99 none, the LIKE two: with CLIENT_DEPRECATE_EOF.
        assertEquals(1, queries.get(7).path("rows").asLong());
        assertEquals(0, queries.get(8).path("rows").asLong());
        assertEquals(2, queries.get(9).path("rows").asLong());
        assertEquals(2, queries.get(10).path("affected").asLong());
        assertNoLiteralLeaks(capture, "alice@example.com", "bob o''neil", "neil", "carol", "ünïcode", "250.50", "12.75", "100.00", "mallory");
        assertLatenciesMatchTcpdump("connector-j", capture);
    }

    @Test
    void sysbenchReadWriteGivesOneEventPerLoggedStatement() throws Exception {
        final CaptureFile capture = read("sysbench-rw");
        final List<String> logged = generalLog("sysbench-rw", "Query");
        final List<JsonNode> queries = capture.queries("query");
        assertEquals(logged.size(), queries.size());
        // An independent redaction of sysbench's simple statements: quoted strings and numbers.
        for (int i = 0; i < logged.size(); i++) {
            final String expected = logged.get(i)
                .replaceAll("'[^']*'", "?")
                .replaceAll("(?<![A-Za-z_0-9])\\d+(?![A-Za-z_0-9])", "?");
            assertEquals(expected, queries.get(i).path("sql").asText(), "statement " + i);
        }
        for (final JsonNode q : queries) {
            assertTrue(q.path("error").isNull());
            assertFalse(q.path("lossy").asBoolean());
        }
        // Every literal of the workload: the c/pad strings and every id.
        final List<String> literals = new ArrayList<>();
        for (final String stmt : logged) {
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']+)'").matcher(stmt);
            while (m.find()) {
                literals.add(m.group(1));
            }
        }
        assertFalse(literals.isEmpty());
        assertNoLiteralLeaks(capture, literals.toArray(new String[0]));
        for (final JsonNode q : queries) {
            assertFalse(q.path("sql").asText().matches(".*(?<![A-Za-z_])\\d.*"), "a digit outside an identifier: " + q);
        }
        assertLatenciesMatchTcpdump("sysbench-rw", capture);
    }

    @Test
    void tlsConnectionIsMarkedEncryptedAndOnlyCounted() throws Exception {
        final CaptureFile capture = read("tls");
        final JsonNode conn = capture.only("conn");
        assertTrue(conn.path("tls").asBoolean());
        assertEquals(5, conn.path("thread_id").asLong());
        assertTrue(capture.ofType("query").isEmpty());
        assertEquals(1, capture.only("capture_end").path("encrypted_connections").asLong());
        assertNoLiteralLeaks(capture, "TLS-SECRET", "Ssl_version");
        // What the capture could not see, by tcpdump's count: every TCP payload byte but the
        // greeting (the server's first) and the 36-byte SSLRequest (the client's first).
        Assumptions.assumeTrue(TcpdumpTimeline.available(), "tcpdump is not installed (scripts/test installs it)");
        final Process tcpdump = new ProcessBuilder("tcpdump", "-r", CAPTURES.resolve("tls/capture.pcap").toString(), "-nn", "-q")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String listing = new String(tcpdump.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, tcpdump.waitFor());
        long total = 0;
        long greeting = -1;
        boolean sslRequestSeen = false;
        final String server = "." + conn.path("server").asText().replaceAll(".*:", "") + " > ";
        for (final String line : listing.lines().toList()) {
            final long n = Long.parseLong(line.substring(line.lastIndexOf("tcp ") + 4).trim());
            if (n == 0) {
                continue;
            }
            if (line.contains(server) && greeting < 0) {
                greeting = n;
            } else if (!line.contains(server) && !sslRequestSeen) {
                assertTrue(n >= 36, "the SSLRequest leads the client's first segment: " + line);
                sslRequestSeen = true;
                total += n - 36;
            } else {
                total += n;
            }
        }
        assertTrue(total > 1000, "a TLS handshake and a query's worth: " + total);
        assertEquals(total, capture.only("capture_end").path("encrypted_bytes").asLong());
    }

    private static List<String> flags(final JsonNode q) {
        final List<String> out = new ArrayList<>();
        q.path("flags").forEach(f -> out.add(f.asText()));
        return out;
    }

    /** No literal text appears anywhere in the capture file: the file a user would upload. */
    public static void assertNoLiteralLeaks(final CaptureFile capture, final String... literals) {
        // Look only at what came from the wire: statements. Field names and fixed values are ours.
        final StringBuilder sql = new StringBuilder();
        for (final JsonNode q : capture.ofType("query")) {
            sql.append(q.path("sql").asText()).append('\n');
        }
        for (final String literal : literals) {
            assertFalse(sql.toString().contains(literal), "literal leaked into sql: " + literal);
            if (literal.length() >= 4) {
                assertFalse(capture.text().contains(literal), "literal leaked into the capture file: " + literal);
            }
        }
    }

    /**
     * Every event's timing, checked against tcpdump's timestamps of the same packets: the event's
     * ts is its request's first packet, latency and ttfb end on the response's last and first.
     */
    static void assertLatenciesMatchTcpdump(final String fixture, final CaptureFile capture) throws Exception {
        final Path pcap = CAPTURES.resolve(fixture).resolve("capture.pcap");
        assertLatenciesMatchTcpdump(pcap, serverPort(fixture), capture);
    }

    public static void assertLatenciesMatchTcpdump(final Path pcap, final int serverPort, final CaptureFile capture) throws Exception {
        Assumptions.assumeTrue(TcpdumpTimeline.available(), "tcpdump is not installed (scripts/test installs it)");
        final TcpdumpTimeline timeline = TcpdumpTimeline.of(pcap, serverPort);
        int checked = 0;
        for (final JsonNode q : capture.ofType("query")) {
            final long ts = CaptureFile.micros(q);
            final String conn = q.path("conn").asText();
            final int clientPort = Integer.parseInt(conn.substring(conn.indexOf(':') + 1, conn.indexOf('>')));
            final int request = timeline.clientPacketAt(ts, clientPort);
            assertTrue(request >= 0, "no client packet at the event's ts: " + q);
            final long[] exchange = timeline.exchange(request);
            assertNotNull(exchange, "no response in the capture for " + q);
            final long latency = q.path("latency_us").asLong();
            final long ttfb = q.path("ttfb_us").asLong();
            final long transfer = q.path("transfer_us").asLong();
            assertTrue(Math.abs(exchange[2] - exchange[0] - latency) <= 1, "latency " + latency + " vs tcpdump " + (exchange[2] - exchange[0]) + ": " + q);
            assertTrue(Math.abs(exchange[1] - exchange[0] - ttfb) <= 1, "ttfb " + ttfb + " vs tcpdump " + (exchange[1] - exchange[0]) + ": " + q);
            assertTrue(Math.abs(exchange[2] - exchange[1] - transfer) <= 1, "transfer: " + q);
            checked++;
        }
        assertTrue(checked > 0);
    }
}
