package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the harness: a private server, tcpdump, the real CLI, sysbench, the general log. */
class MariaDbHarnessIT {

    private static MariaDbServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void cliTrafficIsRecordedAndLogged() throws IOException {
        server.truncateGeneralLog();
        Path pcap = tmp.resolve("cli.pcap");
        ProcessResult result;
        try (PacketRecorder recorder = PacketRecorder.start(pcap, server.port())) {
            result = new MariaDbClient(server).option("--batch").execute("SELECT 'harness' AS probe");
        }
        result.orThrow("mariadb CLI");
        assertEquals("probe\nharness\n", result.stdout());

        byte[] bytes = Files.readAllBytes(pcap);
        assertTrue(bytes.length > 24, "pcap holds packets, size " + bytes.length);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b23c4d, buf.getInt(0), "nanosecond pcap magic");
        assertEquals(1, buf.getInt(20), "link type Ethernet on lo");
        // Handshake (3) + greeting, auth, OK, query, result, quit + FIN exchange: well over 10.
        int packets = countRecords(buf);
        assertTrue(packets >= 10, "packets recorded: " + packets);

        List<GeneralLogRow> log = server.generalLog();
        assertEquals(3, log.size(), "one connection's Connect, Query, Quit: " + log);
        long thread = log.get(0).threadId();
        assertEquals(new GeneralLogRow(thread, "Connect", "spy@127.0.0.1 on spydb using TCP/IP"), log.get(0));
        assertEquals(new GeneralLogRow(thread, "Query", "SELECT 'harness' AS probe"), log.get(1));
        assertEquals(new GeneralLogRow(thread, "Quit", ""), log.get(2));
        assertEquals(log, server.generalLog(thread));
        assertEquals(List.of(), server.generalLog(thread + 1000));
    }

    @Test
    void generalLogKeepsArgumentsByteExact() {
        server.truncateGeneralLog();
        // BMP only: the server writes characters beyond it into the log as \xF0\x9F... text.
        String sql = "SELECT 'tab\there', 'naïve café ✓', 'back\\\\slash', 'new\nline'";
        new MariaDbClient(server).execute(sql).orThrow("mariadb CLI");
        List<GeneralLogRow> log = server.generalLog();
        assertEquals(sql, log.get(1).argument());
        server.truncateGeneralLog();
        assertEquals(List.of(), server.generalLog());
    }

    @Test
    void connectorJReachesTheServer() throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(MariaDbServer.DATABASE));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT DATABASE(), CURRENT_USER()")) {
            assertTrue(rs.next());
            assertEquals("spydb", rs.getString(1));
            assertEquals("spy@%", rs.getString(2));
        }
    }

    @Test
    void sysbenchRunsWithTheTextProtocol() {
        new Sysbench(server).tables(1).tableSize(100).prepare("oltp_point_select");
        server.truncateGeneralLog();
        String out = new Sysbench(server).tables(1).tableSize(100).events(5).run("oltp_point_select");
        assertTrue(out.contains("total number of events:              5"), out);
        List<GeneralLogRow> log = server.generalLog();
        long points = log.stream()
                .filter(r -> r.commandType().equals("Query") && r.argument().startsWith("SELECT c FROM sbtest1 WHERE id="))
                .count();
        assertEquals(5, points, "text-protocol point selects in " + log);
        assertTrue(log.stream().noneMatch(r -> r.commandType().equals("Execute")), "no prepared statements");
        new Sysbench(server).tables(1).cleanup("oltp_point_select");
    }

    @Test
    void serverStopsByPidAndLeavesNothingBehind() {
        MariaDbServer second = MariaDbServer.start();
        Path dir = second.directory();
        long pid = second.pid();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(second.version().isEmpty());
        second.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "mariadbd stopped");
        assertFalse(Files.exists(dir), "temp dir deleted");
        assertTrue(server.version().contains("MariaDB"), "the other server is untouched");
    }

    private static int countRecords(ByteBuffer buf) {
        int count = 0;
        int pos = 24;
        while (pos + 16 <= buf.limit()) {
            int captured = buf.getInt(pos + 8);
            pos += 16 + captured;
            count++;
        }
        assertEquals(buf.limit(), pos, "pcap ends on a record boundary");
        return count;
    }
}
