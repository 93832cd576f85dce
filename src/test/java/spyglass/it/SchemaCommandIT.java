package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spyglass.testing.CaptureFile;

/**
 * {@code spyglass schema} against a real MariaDB: every table and view of a schema, odd names
 * included, written with the server's own SHOW CREATE text and its sizes; the password from
 * {@code MYSQL_PWD} or an option file, never the command line; a wrong password, and a user who may
 * see nothing, each told once and clearly.
 */
class SchemaCommandIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private final Path tmp = ROOT.resolve("target/it/SchemaCommandIT");

    private static final List<String> TABLES = List.of(
        "CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(64) NOT NULL DEFAULT 'n/a', total DECIMAL(10,2),"
            + " KEY by_customer (customer)) COMMENT 'the orders'",
        "CREATE TABLE `odd``name` (`select` INT, `from` VARCHAR(3))",
        "CREATE TABLE `naïve_名前` (id INT)",
        "CREATE TABLE events (id INT NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at))"
            + " PARTITION BY RANGE (YEAR(at)) (PARTITION p2024 VALUES LESS THAN (2025), PARTITION pmax VALUES LESS THAN MAXVALUE)",
        "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100");

    private List<String> spyglassSchema(final MariaDbServer server, final String password, final String... args) {
        final List<String> cmd = new ArrayList<>(List.of("env", "-u", "MYSQL_PWD"));
        if (password != null) {
            cmd.add("MYSQL_PWD=" + password);
        }
        cmd.addAll(List.of(ROOT.resolve("scripts/spyglass").toString(), "schema", "-H", server.host(), "-P",
            Integer.toString(server.port())));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void everyTableAndViewWithTheServersOwnDefinition() throws Exception {
        Files.createDirectories(tmp);
        try (MariaDbServer server = MariaDbServer.start()) {
            final Map<String, String> expected = new HashMap<>();
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(MariaDbServer.DATABASE)); Statement s = c.createStatement()) {
                for (final String ddl : TABLES) {
                    s.execute(ddl);
                }
                s.execute("INSERT INTO orders VALUES (1, 'alice', 150.00), (2, 'bob', 20.00)");
                s.execute("ANALYZE TABLE orders");
                s.execute("CREATE USER nosee@'%' IDENTIFIED BY 'nosee-pass'");
                try (ResultSet rs = s.executeQuery("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'spydb'")) {
                    while (rs.next()) {
                        expected.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            // read as spyglass reads them: with no default schema, a view's text is qualified
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(""))) {
                for (final Map.Entry<String, String> e : expected.entrySet()) {
                    final boolean view = "VIEW".equals(e.getValue());
                    try (Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SHOW CREATE " + (view ? "VIEW" : "TABLE") + " `spydb`.`"
                             + e.getKey().replace("`", "``") + "`")) {
                        rs.next();
                        e.setValue(rs.getString(2));
                    }
                }
            }
            assertEquals(5, expected.size(), expected.toString());

            // MYSQL_PWD
            final Path out = tmp.resolve("schema.jsonl");
            final ProcessResult ok = Tools.run(spyglassSchema(server, MariaDbServer.PASSWORD, "-u", MariaDbServer.USER,
                "--all-tables", MariaDbServer.DATABASE, "-o", out.toString()), null, Duration.ofMinutes(2));
            assertEquals(0, ok.exitCode(), ok.stderr());
            assertTrue(ok.stderr().contains("5 definitions of 1 schema"), ok.stderr());
            assertFalse(ok.stderr().contains(MariaDbServer.PASSWORD), ok.stderr());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
            final CaptureFile file = CaptureFile.read(out);
            final JsonNode serverRecord = file.only("server");
            assertEquals("start", serverRecord.path("phase").asText());
            assertTrue(serverRecord.path("variables").path("version").asText().contains("MariaDB"), serverRecord.toString());
            assertTrue(serverRecord.path("status").has("Questions"), serverRecord.toString());
            final Map<String, String> written = new HashMap<>();
            for (final JsonNode ddl : file.ofType("ddl")) {
                assertEquals(MariaDbServer.DATABASE, ddl.path("db").asText());
                written.put(ddl.path("table").asText(), ddl.path("sql").asText());
                if (ddl.path("table").asText().equals("orders")) {
                    assertEquals("table", ddl.path("kind").asText());
                    assertEquals("InnoDB", ddl.path("engine").asText());
                    assertTrue(ddl.path("data_length").asLong() > 0, ddl.toString());
                    // ANALYZE TABLE ran above: two orders, two customers
                    assertEquals("[{\"name\":\"PRIMARY\",\"columns\":[\"id\"],\"unique\":true,\"cardinality\":2},"
                        + "{\"name\":\"by_customer\",\"columns\":[\"customer\"],\"unique\":false,\"cardinality\":2}]",
                        ddl.path("indexes").toString());
                }
                if (ddl.path("table").asText().equals("big_orders")) {
                    assertEquals("view", ddl.path("kind").asText());
                    assertTrue(ddl.path("rows").isNull(), ddl.toString());
                }
            }
            assertEquals(expected, written);
            // what --redact-ddl must hide is there without it
            final String plainText = Files.readString(out);
            assertTrue(plainText.contains("n/a") && plainText.contains("the orders") && plainText.contains("2025"));

            final Path redactedOut = tmp.resolve("schema-redacted.jsonl");
            final ProcessResult redacted = Tools.run(spyglassSchema(server, MariaDbServer.PASSWORD, "-u",
                MariaDbServer.USER, "--all-tables", MariaDbServer.DATABASE, "--redact-ddl", "-o", redactedOut.toString()),
                null, Duration.ofMinutes(2));
            assertEquals(0, redacted.exitCode(), redacted.stderr());
            // the definitions' text only: a timestamp's digits may hold 2025 by chance
            final StringBuilder redactedText = new StringBuilder();
            CaptureFile.read(redactedOut).ofType("ddl").forEach(d -> redactedText.append(d.path("sql").asText()).append('\n'));
            for (final String value : new String[] {"n/a", "the orders", "2025", "> 100"}) {
                assertFalse(redactedText.indexOf(value) >= 0, value + " in " + redactedText);
            }
            for (final JsonNode ddl : CaptureFile.read(redactedOut).ofType("ddl")) {
                assertTrue(ddl.path("redacted").asBoolean(), ddl.toString());
                if (ddl.path("table").asText().equals("orders")) {
                    assertTrue(ddl.path("sql").asText().contains("`customer` varchar(64) NOT NULL DEFAULT ?"), ddl.toString());
                }
            }

            // tables by name: one there, one not (said once), an odd name in backquotes
            final Path named = tmp.resolve("named.jsonl");
            final ProcessResult byName = Tools.run(spyglassSchema(server, MariaDbServer.PASSWORD, "-u", MariaDbServer.USER,
                "--tables", "spydb.orders,spydb.no_such_table,`spydb`.`odd``name`", "-o", named.toString()), null,
                Duration.ofMinutes(2));
            assertEquals(1, byName.exitCode(), byName.stderr());
            assertTrue(byName.stderr().contains("table `spydb`.`no_such_table` not found"), byName.stderr());
            assertTrue(byName.stderr().contains("2 definitions of 3 tables named"), byName.stderr());
            final List<String> namedTables = new ArrayList<>();
            CaptureFile.read(named).ofType("ddl").forEach(d -> namedTables.add(d.path("table").asText()));
            assertEquals(List.of("orders", "odd`name"), namedTables);

            // the same from an option file, password and user in its [client] group
            final Path cnf = tmp.resolve("my.cnf");
            Files.writeString(cnf, "# spyglass test\n[client]\nuser = " + MariaDbServer.USER + "\npassword = \""
                + MariaDbServer.PASSWORD + "\"\n[mysqld]\nport = 1\n");
            final ProcessResult fromFile = Tools.run(spyglassSchema(server, null, "--defaults-file", cnf.toString(),
                "--all-tables", MariaDbServer.DATABASE, "-o", tmp.resolve("schema2.jsonl").toString()), null, Duration.ofMinutes(2));
            assertEquals(0, fromFile.exitCode(), fromFile.stderr());
            assertEquals(5, CaptureFile.read(tmp.resolve("schema2.jsonl")).ofType("ddl").size());

            // through the Unix socket, from the command line and from the option file: the port given is
            // closed, so only the socket can answer
            final List<String> viaSocket = new ArrayList<>(List.of("env", "MYSQL_PWD=" + MariaDbServer.PASSWORD,
                ROOT.resolve("scripts/spyglass").toString(), "schema", "-P", "1", "-S", server.socket().toString(),
                "-u", MariaDbServer.USER, "--all-tables", MariaDbServer.DATABASE, "-o", tmp.resolve("socket.jsonl").toString()));
            final ProcessResult socket = Tools.run(viaSocket, null, Duration.ofMinutes(2));
            assertEquals(0, socket.exitCode(), socket.stderr());
            assertTrue(socket.stderr().contains("localhost via " + server.socket()), socket.stderr());
            assertEquals(5, CaptureFile.read(tmp.resolve("socket.jsonl")).ofType("ddl").size());
            final Path socketCnf = tmp.resolve("socket.cnf");
            Files.writeString(socketCnf, "[client]\nuser=" + MariaDbServer.USER + "\npassword=" + MariaDbServer.PASSWORD
                + "\nport=1\nsocket=" + server.socket() + "\n");
            final ProcessResult socketFromFile = Tools.run(List.of("env", "-u", "MYSQL_PWD",
                ROOT.resolve("scripts/spyglass").toString(), "schema", "--defaults-file", socketCnf.toString(),
                "--tables", "spydb.orders", "-o", tmp.resolve("socket2.jsonl").toString()), null, Duration.ofMinutes(2));
            assertEquals(0, socketFromFile.exitCode(), socketFromFile.stderr());
            assertEquals(1, CaptureFile.read(tmp.resolve("socket2.jsonl")).ofType("ddl").size());

            // no server where the options point: one line that says why
            final ProcessResult noSocket = Tools.run(List.of("env", "MYSQL_PWD=x", ROOT.resolve("scripts/spyglass").toString(),
                "schema", "-S", tmp.resolve("no.sock").toString(), "-u", "app", "--all-tables", "shop"), null,
                Duration.ofMinutes(2));
            assertEquals(2, noSocket.exitCode(), noSocket.stderr());
            assertEquals(List.of("spyglass: cannot connect to app@localhost via " + tmp.resolve("no.sock")
                + ": Communications link failure: cannot connect to the Unix socket " + tmp.resolve("no.sock")
                + ": No such file or directory"), spyglassLines(noSocket.stderr()));
            final ProcessResult closedPort = Tools.run(List.of("env", "MYSQL_PWD=x", ROOT.resolve("scripts/spyglass").toString(),
                "schema", "-H", "127.0.0.1", "-P", "1", "-u", "app", "--all-tables", "shop"), null, Duration.ofMinutes(2));
            assertEquals(2, closedPort.exitCode(), closedPort.stderr());
            assertEquals(1, spyglassLines(closedPort.stderr()).size(), closedPort.stderr());
            assertTrue(closedPort.stderr().contains("Connection refused"), closedPort.stderr());

            // a wrong password: one clear line, no file of records
            final ProcessResult wrong = Tools.run(spyglassSchema(server, "not-the-password", "-u", MariaDbServer.USER,
                "--all-tables", MariaDbServer.DATABASE, "-o", tmp.resolve("wrong.jsonl").toString()), null, Duration.ofMinutes(2));
            assertEquals(2, wrong.exitCode(), wrong.stderr());
            assertTrue(wrong.stderr().contains("cannot connect to " + MariaDbServer.USER + "@"), wrong.stderr());
            assertTrue(wrong.stderr().contains("Access denied"), wrong.stderr());
            assertFalse(wrong.stderr().contains("not-the-password"), wrong.stderr());

            // a user who may see nothing: told once, exit 1
            final ProcessResult blind = Tools.run(spyglassSchema(server, "nosee-pass", "-u", "nosee",
                "--all-tables", MariaDbServer.DATABASE, "-o", tmp.resolve("blind.jsonl").toString()), null, Duration.ofMinutes(2));
            assertEquals(1, blind.exitCode(), blind.stderr());
            assertTrue(blind.stderr().contains("no tables this user can see"), blind.stderr());

            // no password anywhere and no terminal: the way to give one is named
            final ProcessResult none = Tools.run(spyglassSchema(server, null, "-u", MariaDbServer.USER,
                "--all-tables", MariaDbServer.DATABASE), null, Duration.ofMinutes(2));
            assertEquals(2, none.exitCode(), none.stderr());
            assertTrue(none.stderr().contains("set MYSQL_PWD"), none.stderr());
        }
    }

    /** The lines spyglass wrote (a JVM may add its own warnings on other lines). */
    private static List<String> spyglassLines(final String stderr) {
        return stderr.lines().filter(l -> l.startsWith("spyglass:")).toList();
    }
}
