package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * Issue 6's "done when": {@code capture --schema} of a sysbench run against a real MariaDB holds the
 * definitions and statistics of every sbtest table the run touched (and of no table it did not),
 * the server snapshots at the start and the stop, and the user and schema of a connection opened
 * before the capture. Along the way: a table dropped by the traffic before the collector could read
 * it is said once and the capture goes on; the collector's own queries are not in the file; a wrong
 * password leaves the capture running without the schema.
 */
class CaptureSchemaIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Pattern SBTEST = Pattern.compile("\\bsbtest(\\d+)\\b");
    private final Path tmp = ROOT.resolve("target/it/CaptureSchemaIT");

    @Test
    void aSysbenchRunWithItsSchemaAndAConnectionFromBefore() throws Exception {
        Files.createDirectories(tmp);
        final Path out = tmp.resolve("capture.jsonl");
        final Path badOut = tmp.resolve("wrong-password.jsonl");
        Files.deleteIfExists(out);
        Files.deleteIfExists(badOut);
        final List<GeneralLogRow> log;
        final String stderr;
        final String badStderr;
        final long preThread;
        try (MariaDbServer server = MariaDbServer.start()) {
            final Sysbench sysbench = new Sysbench(server).tables(3).tableSize(500).threads(2).events(30)
                .timeout(Duration.ofMinutes(3));
            sysbench.prepare("oltp_read_only");
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("sbtest")); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE untouched (id INT PRIMARY KEY)"); // in sbtest, never named by the traffic
                s.execute("CREATE TABLE spydb.kept (id INT PRIMARY KEY, secret VARCHAR(20) DEFAULT 'dflt-4711')");
                s.execute("CREATE TABLE spydb.doomed (id INT PRIMARY KEY)");
                s.execute("CREATE TABLE spydb.later (id INT PRIMARY KEY)");
            }
            // opened before the capture, so spyglass never sees its login
            try (Connection before = DriverManager.getConnection(server.jdbcUrl("spydb") + "&allowMultiQueries=true");
                 Statement s = before.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    preThread = rs.getLong(1);
                }
                server.truncateGeneralLog();
                try (SpyglassCapture spyglass = SpyglassCapture.start(List.of("env", "MYSQL_PWD=" + MariaDbServer.PASSWORD),
                    "-i", "lo", "-p", Integer.toString(server.port()), "-o", out.toString(), "--schema",
                    "--schema-user", MariaDbServer.USER, "--schema-host", server.host(), "--idle-timeout", "2")) {
                    spyglass.awaitStderr("schema: connected to", Duration.ofSeconds(30));
                    // a name the server's catalog cannot even hold: said, and the collector goes on
                    assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM `t\uD83D\uDE00` WHERE id = 1"));
                    s.executeQuery("SELECT * FROM kept WHERE secret = 'lit-8231'").close();
                    // the same command drops what it named: gone before the collector can read it
                    s.execute("SELECT * FROM doomed WHERE id = 7; DROP TABLE doomed");
                    sysbench.run("oltp_read_only");
                    s.executeQuery("SELECT COUNT(*) FROM kept").close();
                    // the collector's connection idles past --idle-timeout, is let go, and is picked up
                    // again mid-stream when it reads the next table: still its own, not traffic
                    SpyglassCapture.sleep(3_500);
                    s.executeQuery("SELECT COUNT(*) FROM later").close();
                    SpyglassCapture.sleep(1_000); // the collector reads the names it was told
                    spyglass.signal("INT");
                    assertEquals(0, spyglass.waitFor(Duration.ofSeconds(60)), spyglass.stderr());
                    stderr = spyglass.stderr();
                }
                log = server.generalLog();
            }
            // a wrong password: said once, and the capture runs and ends as ever
            try (SpyglassCapture spyglass = SpyglassCapture.start(List.of("env", "MYSQL_PWD=not-the-password"),
                "-i", "lo", "-p", Integer.toString(server.port()), "-o", badOut.toString(), "--schema",
                "--schema-user", MariaDbServer.USER, "--schema-host", server.host(), "--duration", "3")) {
                assertEquals(0, spyglass.waitFor(Duration.ofSeconds(60)), spyglass.stderr());
                badStderr = spyglass.stderr();
            }
        }
        final CaptureFile capture = CaptureFile.read(out);

        // the definitions: every sbtest table the run named, and the tables of the earlier connection
        final Set<String> expected = new TreeSet<>();
        for (final GeneralLogRow row : log) {
            if (row.threadId() == preThread || row.argument().contains("sysbench")
                || !row.argument().contains("PROCESSLIST") && SBTEST.matcher(row.argument()).find()) {
                final Matcher m = SBTEST.matcher(row.argument());
                while (m.find()) {
                    expected.add("sbtest.sbtest" + m.group(1));
                }
            }
        }
        expected.add("spydb.kept");
        expected.add("spydb.later");
        final Set<String> written = capture.ofType("ddl").stream()
            .map(d -> d.path("db").asText() + "." + d.path("table").asText()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, written, "ddl records");
        assertTrue(expected.containsAll(Set.of("sbtest.sbtest1", "sbtest.sbtest2", "sbtest.sbtest3")), expected.toString());
        for (final JsonNode ddl : capture.ofType("ddl")) {
            assertEquals("InnoDB", ddl.path("engine").asText(), ddl.toString());
            assertTrue(ddl.path("sql").asText().startsWith("CREATE TABLE `" + ddl.path("table").asText() + "`"), ddl.toString());
            assertFalse(ddl.path("redacted").asBoolean());
            assertEquals("PRIMARY", ddl.path("indexes").path(0).path("name").asText(), ddl.toString());
            if (ddl.path("db").asText().equals("sbtest")) {
                assertTrue(ddl.path("rows").asLong() > 0 && ddl.path("data_length").asLong() > 0, ddl.toString());
                assertEquals("k_" + ddl.path("table").asText().substring("sbtest".length()),
                    ddl.path("indexes").path(1).path("name").asText(), ddl.toString());
            }
        }

        // the server, at the start and at the stop: the status delta covers the run
        final List<JsonNode> servers = capture.ofType("server");
        assertEquals(List.of("start", "stop"), servers.stream().map(s -> s.path("phase").asText()).toList());
        final long selectsBefore = servers.get(0).path("status").path("Com_select").asLong();
        final long selectsAfter = servers.get(1).path("status").path("Com_select").asLong();
        final long capturedSelects = capture.ofType("query").stream()
            .filter(q -> q.path("sql").asText().startsWith("SELECT")).count();
        assertTrue(selectsAfter - selectsBefore >= capturedSelects, selectsBefore + " -> " + selectsAfter
            + " against " + capturedSelects + " captured");
        assertEquals(servers.get(0).path("variables").path("port").asText(), servers.get(1).path("variables").path("port").asText());
        final List<String> kinds = capture.records().stream().map(r -> r.path("type").asText()).toList();
        assertTrue(kinds.lastIndexOf("server") < kinds.indexOf("capture_end"), "the stop snapshot before the end");

        // the connection from before: mid-stream, yet named by the process list
        final List<JsonNode> pre = capture.ofType("query").stream()
            .filter(q -> q.path("thread_id").asLong(-1) == preThread).toList();
        assertEquals(5, pre.size(), pre.toString()); // the emoji's error too
        for (final JsonNode q : pre) {
            assertEquals("spy", q.path("user").asText(), q.toString());
            assertEquals("spydb", q.path("db").asText(), q.toString());
        }
        final JsonNode preConn = capture.ofType("conn").stream()
            .filter(c -> c.path("conn").asText().equals(pre.get(0).path("conn").asText())).findFirst().orElseThrow();
        assertTrue(preConn.path("midstream").asBoolean(), preConn.toString());
        assertEquals("spy", preConn.path("user").asText(), preConn.toString());

        // its own queries are not traffic
        assertFalse(capture.text().contains("PROCESSLIST") || capture.text().contains("SHOW GLOBAL")
            || capture.text().contains("SHOW CREATE") || capture.text().contains("information_schema"),
            "the collector's own queries are in the file");
        assertEquals(2, capture.only("capture_end").path("own_connections").asLong(), "once at its login, once "
            + "picked up after the idle spell: " + capture.only("capture_end"));

        // the dropped table, said once; nothing else went wrong
        assertEquals(1, stderr.lines().filter(l -> l.contains("not found")).count(), stderr);
        assertTrue(stderr.contains("`spydb`.`doomed`"), stderr);
        assertEquals(1, stderr.lines().filter(l -> l.contains("could not be looked up")).count(), stderr);
        assertFalse(stderr.contains("failed") || stderr.contains("WARNING"), stderr);

        // the string literal only: its digits alone turn up by chance in a timestamp or a digest
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, "lit-8231");

        // the wrong password
        assertEquals(1, badStderr.lines().filter(l -> l.contains("schema: cannot connect")).count(), badStderr);
        assertTrue(badStderr.contains("Access denied") && badStderr.contains("the capture goes on without the schema"), badStderr);
        final CaptureFile bad = CaptureFile.read(badOut);
        assertEquals(List.of(), bad.ofType("ddl"));
        assertEquals(List.of(), bad.ofType("server"));
        bad.only("capture_end");
    }

    /**
     * A server that offers TLS encrypts the collector's own connection (sslMode=PREFERRED): its tag
     * cannot be read off the wire, so the workers know it by the client address its socket
     * factory reported. Nothing of it is in the file; the stats count it.
     */
    @Test
    void anEncryptedSchemaConnectionIsLeftOutToo() throws Exception {
        Files.createDirectories(tmp);
        final Path out = tmp.resolve("tls.jsonl");
        Files.deleteIfExists(out);
        final Path key = tmp.resolve("key.pem");
        final Path cert = tmp.resolve("cert.pem");
        Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=spyglass-test", "-keyout", key.toString(), "-out", cert.toString()), null, Duration.ofMinutes(1))
            .orThrow("openssl req");
        final String stderr;
        final long tlsHandshakes;
        try (MariaDbServer server = MariaDbServer.start(List.of("--ssl-cert=" + cert, "--ssl-key=" + key,
            "--ssl-ca=" + cert))) {
            final long tlsBefore = tlsAccepts(server);
            try (SpyglassCapture spyglass = SpyglassCapture.start(List.of("env", "MYSQL_PWD=" + MariaDbServer.PASSWORD),
                "-i", "lo", "-p", Integer.toString(server.port()), "-o", out.toString(), "--schema",
                "--schema-user", MariaDbServer.USER, "--schema-host", server.host(), "--all-tables", "mysql", "--redact-ddl")) {
                spyglass.awaitStderr("schema: connected to", Duration.ofSeconds(30));
                try (Connection c = DriverManager.getConnection(server.jdbcUrl("spydb")); Statement s = c.createStatement()) {
                    s.executeQuery("SELECT 1").close();
                }
                SpyglassCapture.sleep(1_000);
                spyglass.signal("INT");
                assertEquals(0, spyglass.waitFor(Duration.ofSeconds(60)), spyglass.stderr());
                stderr = spyglass.stderr();
            }
            // the test's client does not use TLS (sslMode=DISABLED): the collector did
            tlsHandshakes = tlsAccepts(server) - tlsBefore;
        }
        assertEquals(1, tlsHandshakes, "the collector's TLS handshakes");
        final CaptureFile capture = CaptureFile.read(out);
        final JsonNode end = capture.only("capture_end");
        assertEquals(1, end.path("own_connections").asLong(), end.toString());
        assertEquals(0, end.path("encrypted_connections").asLong(), "own, so not counted as traffic: " + end);
        assertEquals(List.of(), capture.ofType("conn").stream().filter(c -> c.path("tls").asBoolean()).toList());
        assertEquals(1, capture.ofType("conn").size(), capture.ofType("conn").toString()); // the test's own client
        assertTrue(capture.ofType("ddl").size() > 5, "--all-tables mysql: " + capture.ofType("ddl").size());
        // --redact-ddl: the system tables' DEFAULT 'N' and comments are hidden, and each record says so
        for (final JsonNode ddl : capture.ofType("ddl")) {
            assertTrue(ddl.path("redacted").asBoolean(), ddl.toString());
            assertFalse(ddl.path("sql").asText().contains("DEFAULT '") || ddl.path("sql").asText().contains("COMMENT '"),
                ddl.toString());
        }
        assertTrue(capture.ofType("ddl").stream().anyMatch(d -> d.path("sql").asText().contains("DEFAULT ?")));
        assertEquals(2, capture.ofType("server").size());
        assertFalse(stderr.contains("failed"), stderr);
    }

    /** The server's count of TLS handshakes, read over a connection that makes none (Connector/J, TLS off). */
    private static long tlsAccepts(final MariaDbServer server) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("")); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'")) {
            rs.next();
            return rs.getLong(2);
        }
    }
}
