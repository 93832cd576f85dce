package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the live-capture stage: real clients in one namespace reach a private MariaDB in another,
 * the server logs what they sent, and every packet crosses the capture interface in the root
 * namespace exactly once (the same packets, no more, no fewer, as the server's own interface sees).
 * After the lab closes, nothing of it is left.
 */
class LiveLabIT {

    private static final String FILTER = "tcp port " + LiveLab.PORT;

    private static LiveLab lab;
    private static String ipForwardBefore;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startLab() throws IOException {
        ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"));
        lab = LiveLab.start(true);
    }

    @AfterAll
    static void closeLabAndCheckNothingIsLeft() throws IOException {
        if (lab == null) {
            return;
        }
        long serverPid = lab.server().pid();
        Path serverDir = lab.server().directory();
        String id = lab.id();
        String hostAddress = lab.hostAddress();
        lab.close();
        lab.close(); // idempotent
        assertFalse(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false), "mariadbd stopped");
        assertFalse(Files.exists(serverDir), "server directory deleted");
        String namespaces = NetNs.ipOrThrow("netns", "list").stdout();
        assertFalse(namespaces.contains("sg-" + id), "namespaces deleted: " + namespaces);
        String links = NetNs.ipOrThrow("-o", "link", "show").stdout();
        assertFalse(links.contains("-" + id), "interfaces deleted: " + links);
        String routes = NetNs.ipOrThrow("-4", "route", "show").stdout();
        assertFalse(routes.contains(hostAddress.substring(0, hostAddress.lastIndexOf('.') + 1)), "route gone: " + routes);
        assertEquals(ipForwardBefore, Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")), "ip_forward untouched");
    }

    @Test
    void cliStatementsReachTheServerAndEveryPacketCrossesTheCaptureInterfaceOnce() throws IOException {
        lab.server().truncateGeneralLog();
        Path root = tmp.resolve("capture-if.pcap");
        Path clientSide = tmp.resolve("client-if.pcap");
        Path serverSide = tmp.resolve("server-ns.pcap");
        ProcessResult result;
        try (PacketRecorder a = PacketRecorder.start(root, lab.captureInterface(), FILTER, List.of());
                PacketRecorder b = PacketRecorder.start(clientSide, lab.clientInterface(), FILTER, List.of());
                PacketRecorder c = PacketRecorder.start(serverSide, lab.serverPeerInterface(), FILTER,
                        lab.serverNamespace().prefix())) {
            result = lab.mariadb("SELECT 'lab' AS probe;\n"
                    + "CREATE TABLE lab_t (id INT PRIMARY KEY, v VARCHAR(20));\n"
                    + "INSERT INTO lab_t VALUES (1, 'one'), (2, 'two');\n"
                    + "SELECT v FROM lab_t ORDER BY id;\n");
        }
        result.orThrow("mariadb CLI in the client namespace");
        assertEquals("probe\nlab\nv\none\ntwo\n", result.stdout());

        List<GeneralLogRow> log = lab.server().generalLog();
        assertEquals(6, log.size(), "Connect, 4 queries, Quit: " + log);
        long thread = log.get(0).threadId();
        assertEquals(new GeneralLogRow(thread, "Connect", "spy@" + lab.clientAddress() + " on spydb using TCP/IP"), log.get(0));
        assertEquals(new GeneralLogRow(thread, "Query", "SELECT 'lab' AS probe"), log.get(1));
        assertEquals(new GeneralLogRow(thread, "Query", "CREATE TABLE lab_t (id INT PRIMARY KEY, v VARCHAR(20))"), log.get(2));
        assertEquals(new GeneralLogRow(thread, "Query", "INSERT INTO lab_t VALUES (1, 'one'), (2, 'two')"), log.get(3));
        assertEquals(new GeneralLogRow(thread, "Query", "SELECT v FROM lab_t ORDER BY id"), log.get(4));
        assertEquals(new GeneralLogRow(thread, "Quit", ""), log.get(5));

        Map<String, Integer> atCapture = directions(root);
        String toServer = lab.clientAddress() + ">" + lab.serverAddress() + ":" + LiveLab.PORT;
        String fromServer = lab.serverAddress() + ":" + LiveLab.PORT + ">" + lab.clientAddress();
        assertEquals(2, atCapture.size(), "one conversation, two directions: " + atCapture);
        // Handshake, greeting, auth, OK, 4 queries and their results, quit, FIN exchange.
        assertTrue(atCapture.get(toServer) >= 8, "client to server: " + atCapture);
        assertTrue(atCapture.get(fromServer) >= 8, "server to client: " + atCapture);
        assertEquals(directions(serverSide), atCapture, "the capture interface sees what the server's own interface sees");
        assertEquals(directions(clientSide), atCapture, "and what the client's side sees");
        lab.server().rootSql("DROP TABLE spydb.lab_t");
    }

    @Test
    void ipv6ClientsCrossTheCaptureInterfaceToo() throws IOException {
        lab.server().truncateGeneralLog();
        Path root = tmp.resolve("v6.pcap");
        ProcessResult result;
        try (PacketRecorder a = PacketRecorder.start(root, lab.captureInterface(), FILTER, List.of())) {
            result = lab.client6().option("--batch").execute("SELECT 6 AS v");
        }
        result.orThrow("mariadb CLI over IPv6");
        assertEquals("v\n6\n", result.stdout());
        Map<String, Integer> seen = directions(root);
        String client = InetAddress.getByName(lab.clientAddress6()).getHostAddress();
        String server = InetAddress.getByName(lab.serverAddress6()).getHostAddress();
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.get(client + ">" + server + ":" + LiveLab.PORT) >= 5, seen.toString());
        assertTrue(seen.get(server + ":" + LiveLab.PORT + ">" + client) >= 5, seen.toString());
        assertEquals("Query", lab.server().generalLog().get(1).commandType());
    }

    @Test
    void theTestJvmConnectsFromTheRootNamespaceThroughTheCaptureInterface() throws Exception {
        Path root = tmp.resolve("jdbc.pcap");
        try (PacketRecorder a = PacketRecorder.start(root, lab.captureInterface(), FILTER, List.of())) {
            try (Connection c = DriverManager.getConnection(lab.server().jdbcUrl(MariaDbServer.DATABASE));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
                assertTrue(rs.next());
                assertEquals("spy@%", rs.getString(1));
            }
        }
        Map<String, Integer> seen = directions(root);
        assertTrue(seen.get(lab.hostAddress() + ">" + lab.serverAddress() + ":" + LiveLab.PORT) >= 5, seen.toString());
        assertTrue(seen.get(lab.serverAddress() + ":" + LiveLab.PORT + ">" + lab.hostAddress()) >= 5, seen.toString());
    }

    @Test
    void aCommandRunsInTheClientNamespace() {
        ProcessResult r = lab.runInClient(Duration.ofSeconds(10), null, Tools.find("ip"), "-o", "-4", "addr", "show", "scope", "global");
        r.orThrow("ip addr in the client namespace");
        assertTrue(r.stdout().contains(lab.clientAddress() + "/24"), r.stdout());
        assertEquals(1, r.stdout().strip().split("\n").length, "only the lab's address: " + r.stdout());
        assertEquals(List.of(Tools.find("ip"), "netns", "exec", lab.clientNamespace().name(), "true"), lab.clientCommand("true"));
    }

    @Test
    void aNamespaceNamesProcessesLeftInsideAndIsDeletedAnyway() throws Exception {
        NetNs ns = NetNs.create("t");
        Process sleeper = ns.exec("sleep", "30").start();
        try {
            waitUntil(() -> ns.pids().contains(sleeper.pid()));
            IllegalStateException e = assertThrows(IllegalStateException.class, ns::close);
            assertTrue(e.getMessage().contains(Long.toString(sleeper.pid())), e.getMessage());
            assertFalse(NetNs.ipOrThrow("netns", "list").stdout().contains(ns.name()));
        } finally {
            sleeper.destroyForcibly(); // by its pid
            sleeper.waitFor();
        }
        assertThrows(IllegalArgumentException.class, () -> VethPair.create("a-name-longer-than-15", "x", null));
    }

    // ------------------------------------------------------------------------------- helpers

    private interface Condition {
        boolean holds();
    }

    private static void waitUntil(Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(20);
        }
    }

    /**
     * Packets of a pcap (Ethernet, IPv4 or IPv6, TCP) counted by direction, as
     * {@code "src:sport>dst:dport"} with the client's ephemeral port left out:
     * {@code "10.0.0.1>10.0.0.2:3306"} and {@code "10.0.0.2:3306>10.0.0.1"}.
     */
    private static Map<String, Integer> directions(Path pcap) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b23c4d, buf.getInt(0), "nanosecond pcap");
        assertEquals(1, buf.getInt(20), "Ethernet");
        Map<String, Integer> counts = new TreeMap<>();
        int pos = 24;
        while (pos + 16 <= buf.limit()) {
            int captured = buf.getInt(pos + 8);
            int frame = pos + 16;
            ByteBuffer be = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
            int etherType = be.getShort(frame + 12) & 0xffff;
            String src;
            String dst;
            int tcp;
            if (etherType == 0x0800) {
                int ihl = (be.get(frame + 14) & 0x0f) * 4;
                assertEquals(6, be.get(frame + 14 + 9), "TCP");
                src = address(buf, frame + 14 + 12, 4);
                dst = address(buf, frame + 14 + 16, 4);
                tcp = frame + 14 + ihl;
            } else {
                assertEquals(0x86dd, etherType, "IPv4 or IPv6");
                assertEquals(6, be.get(frame + 14 + 6), "TCP");
                src = address(buf, frame + 14 + 8, 16);
                dst = address(buf, frame + 14 + 24, 16);
                tcp = frame + 14 + 40;
            }
            int sport = be.getShort(tcp) & 0xffff;
            int dport = be.getShort(tcp + 2) & 0xffff;
            String key = sport == LiveLab.PORT ? src + ":" + sport + ">" + dst : src + ">" + dst + ":" + dport;
            counts.merge(key, 1, Integer::sum);
            pos = frame + captured;
        }
        assertEquals(buf.limit(), pos, "pcap ends on a record boundary");
        return counts;
    }

    private static String address(ByteBuffer buf, int offset, int length) throws IOException {
        byte[] raw = Arrays.copyOfRange(buf.array(), offset, offset + length);
        return InetAddress.getByAddress(raw).getHostAddress();
    }
}
