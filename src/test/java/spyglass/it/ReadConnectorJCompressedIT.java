package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * Issue 5's second "done when": a mysql-connector-j application with the compressed protocol
 * ({@code useCompression=true}), server-side prepared statements and batches, against a real
 * MariaDB, recorded with tcpdump. Every statement of the server's general log has its event, in
 * order; the batch's executions carry their prepared text; no bound value is in the file.
 */
class ReadConnectorJCompressedIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final int ROWS = 60;

    /** Kept after the run (under target/) so a failure can be read with spyglass and tcpdump. */
    private final Path tmp = ROOT.resolve("target/it/ReadConnectorJCompressedIT");

    @Test
    void aCompressedApplicationWithPreparedBatchesIsReportedStatementForStatement() throws Exception {
        Files.createDirectories(tmp);
        final Path pcap = tmp.resolve("connector-j-compressed.pcap");
        final List<GeneralLogRow> log;
        final int port;
        final List<String> secrets = new ArrayList<>();
        try (MariaDbServer server = MariaDbServer.start()) {
            port = server.port();
            final String plain = server.jdbcUrl(MariaDbServer.DATABASE);
            try (Connection c = DriverManager.getConnection(plain); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(64), card VARCHAR(32), total DECIMAL(10,2))");
            }
            server.truncateGeneralLog();
            final String url = plain.replace("useServerPrepStmts=false", "useServerPrepStmts=true")
                + "&useCompression=true&cachePrepStmts=true";
            final PacketRecorder recorder = PacketRecorder.start(pcap, port);
            try (recorder; Connection c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO orders (id, customer, card, total) VALUES (?, ?, ?, ?)")) {
                    for (int i = 1; i <= ROWS; i++) {
                        final String customer = "customer-secret-" + (1000 + i);
                        final String card = "4111-2222-3333-" + (5000 + i);
                        secrets.add(customer);
                        secrets.add(card);
                        insert.setInt(1, i);
                        insert.setString(2, customer);
                        insert.setString(3, card);
                        insert.setBigDecimal(4, new java.math.BigDecimal((7000 + i) + ".25"));
                        insert.addBatch();
                    }
                    final int[] counts = insert.executeBatch();
                    assertEquals(ROWS, counts.length);
                }
                c.commit();
                try (PreparedStatement select = c.prepareStatement("SELECT customer, total FROM orders WHERE id BETWEEN ? AND ?")) {
                    select.setInt(1, 10);
                    select.setInt(2, 19);
                    try (ResultSet rs = select.executeQuery()) {
                        int n = 0;
                        while (rs.next()) {
                            n++;
                        }
                        assertEquals(10, n);
                    }
                }
                try (Statement s = c.createStatement()) {
                    // a long text statement: several compressed packets' worth, compressed well
                    final StringBuilder in = new StringBuilder("SELECT COUNT(*) FROM orders WHERE customer IN (");
                    for (int i = 0; i < 400; i++) {
                        in.append(i == 0 ? "" : ", ").append("'customer-secret-").append(1000 + i).append('\'');
                    }
                    try (ResultSet rs = s.executeQuery(in.append(')').toString())) {
                        assertTrue(rs.next());
                        assertEquals(ROWS, rs.getInt(1));
                    }
                    s.executeUpdate("UPDATE orders SET total = total + 1 WHERE card = '4111-2222-3333-5001'");
                }
                c.commit();
            }
            assertEquals(0, recorder.kernelDrops(), "tcpdump lost packets: " + recorder.stderr());
            log = server.generalLog();
        }
        final CaptureFile capture = SpyglassRead.read(pcap, port, tmp.resolve("events.jsonl"));

        final JsonNode conn = capture.only("conn");
        assertTrue(conn.path("compressed").asBoolean(), conn.toString());
        final Map<Long, List<String>> expected = LoggedStatements.commandsByThread(log);
        assertEquals(1, expected.size(), "one connection in the general log: " + expected.keySet());
        assertEquals(expected, LoggedStatements.commandsByThread(capture));
        final List<JsonNode> executions = capture.queries("execute");
        assertTrue(executions.size() >= ROWS + 1, "the batch ran as executions: " + executions.size());
        for (final JsonNode q : executions) {
            assertFalse(q.path("flags").toString().contains("unknown_statement"), q.toString());
            assertFalse(q.path("lossy").asBoolean(), q.toString());
        }
        assertEquals(4, executions.get(0).path("params").asInt(), executions.get(0).toString());
        assertEquals(0, capture.only("capture_end").path("protocol_errors").asLong());
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, secrets.toArray(new String[0]));
    }

    /** The {@code mariadb} CLI with {@code --compress}: its zlib traffic reads as the general log does. */
    @Test
    void theMariadbCliCompressingIsReportedStatementForStatement() throws Exception {
        Files.createDirectories(tmp);
        final Path pcap = tmp.resolve("mariadb-compress.pcap");
        final List<GeneralLogRow> log;
        final int port;
        try (MariaDbServer server = MariaDbServer.start()) {
            port = server.port();
            server.truncateGeneralLog();
            final PacketRecorder recorder = PacketRecorder.start(pcap, port);
            try (recorder) {
                final StringBuilder script = new StringBuilder(
                    "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT);\n");
                for (int i = 0; i < 20; i++) {
                    // long repetitive values: compressed well, and several compressed packets' worth
                    script.append("INSERT INTO notes VALUES (").append(i).append(", '")
                        .append(("cli-compressed-secret-" + i + " ").repeat(200)).append("');\n");
                }
                script.append("SELECT id, body FROM notes WHERE id < 15 ORDER BY id;\n");
                final ProcessResult cli = new MariaDbClient(server).option("--compress").script(script.toString());
                assertEquals(0, cli.exitCode(), cli.stderr());
            }
            assertEquals(0, recorder.kernelDrops(), "tcpdump lost packets: " + recorder.stderr());
            log = server.generalLog();
        }
        final CaptureFile capture = SpyglassRead.read(pcap, port, tmp.resolve("mariadb-compress.jsonl"));
        assertTrue(capture.only("conn").path("compressed").asBoolean());
        assertEquals(LoggedStatements.commandsByThread(log), LoggedStatements.commandsByThread(capture));
        final JsonNode select = capture.queries("query").stream()
            .filter(q -> q.path("sql").asText().startsWith("SELECT id, body")).findFirst().orElseThrow();
        assertEquals(15, select.path("rows").asInt(), select.toString());
        assertEquals(0, capture.only("capture_end").path("protocol_errors").asLong());
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, "cli-compressed-secret");
    }
}
