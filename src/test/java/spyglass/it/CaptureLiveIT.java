package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * {@code spyglass capture} on the real thing: a private MariaDB in one network namespace, real
 * clients (the {@code mariadb} CLI in another namespace, mysql-connector-j in this JVM) and
 * spyglass capturing in the root namespace on the interface between them, started through the
 * launcher and stopped by a signal, as a user does.
 */
class CaptureLiveIT {
    private static final String FILTER = "tcp port " + LiveLab.PORT;

    private static LiveLab lab;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startLab() {
        lab = LiveLab.start(true);
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Waits until the capture file holds {@code count} records of {@code type} (the writer flushes within a second). */
    private static void awaitRecords(final Path file, final String type, final int count) {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        final String marker = "{\"type\":\"" + type + "\"";
        while (true) {
            int seen = 0;
            try {
                if (Files.exists(file)) {
                    for (final String line : Files.readAllLines(file)) {
                        if (line.startsWith(marker)) {
                            seen++;
                        }
                    }
                }
            } catch (final IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (seen >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(seen + " " + type + " records in " + file + " after 30 s, waited for " + count);
            }
            SpyglassCapture.sleep(100);
        }
    }

    private static long packetsIn(final Path pcap) {
        final ProcessResult r = Tools.run(List.of(Tools.find("tcpdump"), "-nr", pcap.toString()), null, Duration.ofMinutes(1))
            .orThrow("tcpdump -r");
        return r.stdout().lines().count();
    }

    @Test
    void everyStatementOfRealClientsIsCapturedOnceAndNoLiteralIsWritten() throws Exception {
        lab.server().truncateGeneralLog();
        final Path out = tmp.resolve("clients.jsonl");
        final Path pcap = tmp.resolve("clients.pcap");
        final String stderr;
        try (PacketRecorder tcpdump = PacketRecorder.start(pcap, lab.captureInterface(), FILTER, List.of())) {
            final SpyglassCapture spyglass = SpyglassCapture.start("-i", lab.captureInterface(), "-p", Integer.toString(LiveLab.PORT),
                "-o", out.toString(), "--workers", "2", "--progress-interval", "1");
            try (spyglass) {
                final ProcessResult cli = lab.mariadb("CREATE TABLE live_t (id INT PRIMARY KEY, secret VARCHAR(40), n BIGINT);\n"
                    + "INSERT INTO live_t VALUES (1, 'cli-secret-alpha', 7340021), (2, 'cli-secret-beta', 9120033);\n"
                    + "SELECT id FROM live_t WHERE secret = 'cli-secret-beta' AND n > 9120000;\n"
                    + "UPDATE live_t SET n = 5550123 WHERE secret = 'cli-secret-alpha';\n"
                    + "SELECT nosuchcolumn FROM live_t WHERE secret = 'cli-secret-gamma';\n");
                assertEquals(1, cli.exitCode(), "the last statement fails on purpose: " + cli.stderr());
                try (Connection c = DriverManager.getConnection(lab.server().jdbcUrl(MariaDbServer.DATABASE));
                     Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT n FROM live_t WHERE secret = 'jdbc-secret-delta'")) {
                        assertFalse(rs.next());
                    }
                    assertEquals(1, s.executeUpdate("INSERT INTO live_t VALUES (3, 'jdbc-secret-epsilon', 8812345)"));
                }
                awaitRecords(out, "conn_close", 2);
                spyglass.signal("TERM");
                assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
                stderr = spyglass.stderr();
            }
        }
        assertFalse(stderr.contains("WARNING"), stderr);
        assertTrue(stderr.contains("spyglass: stopping (SIGTERM)"), stderr);

        final CaptureFile capture = CaptureFile.read(out);
        assertEquals(LoggedStatements.byThread(lab.server().generalLog()), LoggedStatements.byThread(capture));
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, "cli-secret-alpha", "cli-secret-beta", "cli-secret-gamma",
            "7340021", "9120033", "9120000", "5550123", "jdbc-secret-delta", "jdbc-secret-epsilon", "8812345");
        final JsonNode error = capture.queries("query").stream()
            .filter(q -> q.path("sql").asText().contains("nosuchcolumn")).findFirst().orElseThrow();
        assertEquals(1054, error.path("error").path("code").asInt(), error.toString());
        for (final JsonNode conn : capture.ofType("conn")) {
            assertEquals("spy", conn.path("user").asText(), conn.toString());
            assertFalse(conn.path("midstream").asBoolean(), conn.toString());
        }

        // The kernel's counters and spyglass's agree: every packet tcpdump saw on that interface, once.
        final JsonNode end = capture.only("capture_end");
        assertEquals(packetsIn(pcap), end.path("packets").asLong(), end.toString());
        assertEquals(0, end.path("kernel_drops").asLong());
        assertEquals(0, end.path("ring_drops").asLong());
        assertEquals(0, end.path("gaps").asLong());
        assertEquals(2, end.path("connections").asLong());
        assertTrue(capture.records().get(0).path("source").asText().contains(lab.captureInterface()),
            capture.records().get(0).toString());
        lab.server().rootSql("DROP TABLE spydb.live_t");
    }

    /** A stop in the middle of a client's run: every record written is whole, and none is skipped. */
    @Test
    void aStopMidTrafficLosesNoCompleteEvent() throws Exception {
        lab.server().truncateGeneralLog();
        final Path out = tmp.resolve("mid.jsonl");
        final StringBuilder sql = new StringBuilder();
        for (int i = 0; i < 20_000; i++) { // seconds of work: the stop must come mid-run
            sql.append("SELECT ").append(100_000 + i).append(" + 1, 'mid-").append(i).append("';\n");
        }
        final Path script = tmp.resolve("mid.sql");
        Files.writeString(script, sql);
        final Process client;
        try (SpyglassCapture spyglass = SpyglassCapture.start("-i", lab.captureInterface(), "-o", out.toString())) {
            client = new ProcessBuilder(lab.clientCommand("mariadb", "--batch", "-h", lab.serverAddress(), "-P",
                Integer.toString(LiveLab.PORT), "-u", MariaDbServer.USER, "-p" + MariaDbServer.PASSWORD, MariaDbServer.DATABASE))
                .redirectInput(script.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                awaitRecords(out, "query", 200);
                spyglass.signal("INT");
                assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
            } finally {
                client.waitFor();
            }
        }
        final CaptureFile capture = CaptureFile.read(out); // every line parses: none was cut
        assertEquals("capture_end", capture.records().get(capture.records().size() - 1).path("type").asText());
        final List<String> logged = LoggedStatements.byThread(lab.server().generalLog()).values().iterator().next();
        final List<String> captured = LoggedStatements.byThread(capture).values().iterator().next();
        assertTrue(captured.size() >= 200 && captured.size() < logged.size(),
            captured.size() + " of " + logged.size() + " statements captured: the stop came mid-run");
        assertEquals(logged.subList(0, captured.size()), captured, "the statements before the stop, none skipped");
    }

    @Test
    void durationAndMaxQueriesStopTheCaptureByThemselves() throws Exception {
        final Path timed = tmp.resolve("timed.jsonl");
        try (SpyglassCapture spyglass = SpyglassCapture.start("-i", lab.captureInterface(), "-o", timed.toString(),
            "--duration", "2")) {
            assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
        }
        assertEquals(1, CaptureFile.read(timed).ofType("capture_end").size());

        final Path counted = tmp.resolve("counted.jsonl");
        final StringBuilder sql = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            sql.append("SELECT ").append(i).append(";\n");
        }
        try (SpyglassCapture spyglass = SpyglassCapture.start("-i", lab.captureInterface(), "-o", counted.toString(),
            "--max-queries", "5", "--max-size", "2K")) {
            // The client's statements, one connection after another, until spyglass has seen enough.
            for (int round = 0; round < 20 && spyglass.isRunning(); round++) {
                lab.mariadb(sql.toString());
            }
            assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
        }
        final List<Path> parts = new ArrayList<>();
        try (var files = Files.list(tmp)) {
            files.filter(p -> p.getFileName().toString().startsWith("counted")).sorted().forEach(parts::add);
        }
        assertTrue(parts.size() >= 2, "--max-size 2K rotates: " + parts);
        long queries = 0;
        for (final Path part : parts) {
            final CaptureFile file = CaptureFile.read(part);
            assertEquals("capture_start", file.records().get(0).path("type").asText(), part.toString());
            assertTrue(Files.size(part) <= 2048 || file.records().size() <= 2, part + " within 2K");
            queries += file.queries("query").size();
        }
        assertTrue(queries >= 5, queries + " queries");
    }

    @Test
    void withoutPrivilegeOneSentenceSaysWhatToRun() {
        final ProcessResult r = Tools.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", SpyglassCapture.ROOT.resolve("scripts/spyglass").toString(),
            "capture", "-i", lab.captureInterface(), "-o", "/tmp/never-written.jsonl"), null, Duration.ofMinutes(1));
        assertEquals(2, r.exitCode(), r.stderr());
        final String message = r.stderr().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("sudo") && message.contains("AmbientCapabilities=CAP_NET_RAW"), message);
        assertFalse(Files.exists(Path.of("/tmp/never-written.jsonl")));
    }

    @Test
    void userOptionDropsRootOnEveryThreadAndTheFileIsThatUsers() throws Exception {
        final Path dir = tmp.resolve("nobody");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path out = dir.resolve("as-nobody.jsonl");
        try (SpyglassCapture spyglass = SpyglassCapture.start("-i", lab.captureInterface(), "-o", out.toString(),
            "--user", "nobody", "--workers", "2")) {
            lab.mariadb("SELECT 'as-nobody-secret';\n").orThrow("mariadb");
            awaitRecords(out, "conn_close", 1);
            // Every thread of the JVM, not only the one that called setuid, runs as nobody now.
            final List<String> uids = new ArrayList<>();
            try (var tasks = Files.list(Path.of("/proc", Long.toString(spyglass.pid()), "task"))) {
                for (final Path task : tasks.toList()) {
                    Files.readAllLines(task.resolve("status")).stream().filter(l -> l.startsWith("Uid:")).forEach(uids::add);
                }
            }
            assertTrue(uids.size() > 5, uids.toString());
            for (final String uid : uids) {
                assertEquals(List.of("Uid:", "65534", "65534", "65534", "65534"), List.of(uid.split("\\s+")), uids.toString());
            }
            spyglass.signal("TERM");
            assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
        }
        assertEquals(65534, (int) Files.getAttribute(out, "unix:uid"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        final CaptureFile capture = CaptureFile.read(out);
        assertEquals(List.of("SELECT ?"), capture.queries("query").stream()
            .map(q -> q.path("sql").asText()).filter(s -> s.equals("SELECT ?")).toList());
    }

    /** The CPUs each named thread may run on, from /proc: thread name to Cpus_allowed_list. */
    private static Map<String, String> affinity(final long pid) throws IOException {
        final Map<String, String> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (final Path task : tasks.toList()) {
                final String name = Files.readString(task.resolve("comm")).strip();
                Files.readAllLines(task.resolve("status")).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                    .forEach(l -> out.put(name, l.substring(l.indexOf(':') + 1).strip()));
            }
        }
        return out;
    }

    @Test
    void cpusPinTheWorkersThenTheWriter() throws Exception {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final String last = Integer.toString(cpus - 1);
        try (SpyglassCapture spyglass = SpyglassCapture.start("-i", lab.captureInterface(), "-o",
            tmp.resolve("pinned.jsonl").toString(), "--workers", "2", "--cpus", last + ",0")) {
            final Map<String, String> pinned = affinity(spyglass.pid());
            assertEquals(last, pinned.get("sg-worker-0"), pinned.toString());
            assertEquals("0", pinned.get("sg-worker-1"), pinned.toString());
            assertEquals(last, pinned.get("sg-writer"), "the writer takes the next CPU in turn: " + pinned);
            spyglass.signal("TERM");
            assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
        }
    }

    @Test
    void anInterfaceThatDisappearsEndsTheCaptureWithItsFileFinished() throws Exception {
        final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000, 36);
        final Path out = tmp.resolve("gone.jsonl");
        final VethPair veth = VethPair.create("sgg" + suffix, "sgh" + suffix, null).up();
        try (SpyglassCapture spyglass = SpyglassCapture.start("-i", veth.rootName(), "-o", out.toString())) {
            veth.close();
            assertEquals(1, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
            assertTrue(spyglass.stderr().contains("interface " + veth.rootName() + " disappeared"), spyglass.stderr());
        } finally {
            veth.close();
        }
        assertEquals(1, CaptureFile.read(out).ofType("capture_end").size());
    }

    @Test
    void aTunnelInterfaceIsRefusedWithWhatToDoInstead() {
        final String tun = "sgt" + Long.toString(ProcessHandle.current().pid() % 100_000, 36);
        NetNs.ipOrThrow("tuntap", "add", "dev", tun, "mode", "tun");
        try {
            final ProcessResult r = Tools.run(List.of(SpyglassCapture.ROOT.resolve("scripts/spyglass").toString(),
                "capture", "-i", tun, "-o", tmp.resolve("tun.jsonl").toString()), null, Duration.ofMinutes(1));
            assertEquals(2, r.exitCode(), r.stderr());
            assertTrue(r.stderr().startsWith("spyglass: interface " + tun + " is not Ethernet (link type 65534)"), r.stderr());
            assertFalse(Files.exists(tmp.resolve("tun.jsonl")), "nothing created before the refusal");
        } finally {
            NetNs.ipOrThrow("link", "delete", tun);
        }
    }
}
