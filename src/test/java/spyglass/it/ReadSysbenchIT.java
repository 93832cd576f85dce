package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * The foundation's "done when": sysbench oltp_read_write (text protocol) against a real MariaDB,
 * recorded with tcpdump; {@code scripts/spyglass read} run as a user runs it must give one
 * {@code query} event per statement in the server's general log, no literal of the workload, and
 * latencies that agree with the packets' timestamps.
 */
class ReadSysbenchIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    /** Kept after the run (under target/) so a failure can be read with spyglass and tcpdump. */
    private final Path tmp = ROOT.resolve("target/it/ReadSysbenchIT");

    @Test
    void sysbenchReadWriteIsReportedStatementForStatement() throws Exception {
        java.nio.file.Files.createDirectories(tmp);
        final Path pcap = tmp.resolve("sysbench.pcap");
        final List<GeneralLogRow> log;
        try (MariaDbServer server = MariaDbServer.start()) {
            final Sysbench sysbench = new Sysbench(server).tables(2).tableSize(1000).threads(2).events(60)
                .timeout(Duration.ofMinutes(3));
            sysbench.prepare("oltp_read_write");
            server.truncateGeneralLog();
            final PacketRecorder recorder = PacketRecorder.start(pcap, server.port());
            try (recorder) {
                sysbench.run("oltp_read_write");
            }
            // The comparison below is exact, so it needs every packet: a capture the kernel cut is
            // a broken measurement, not a spyglass result (loss itself is tested with hand-built frames).
            assertEquals(0, recorder.kernelDrops(), "tcpdump lost packets: " + recorder.stderr());
            log = server.generalLog();
            runSpyglassAndCheck(pcap, server.port(), log);
        }
    }

    private void runSpyglassAndCheck(final Path pcap, final int port, final List<GeneralLogRow> log) throws Exception {
        final Path out = tmp.resolve("events.jsonl");
        final ProcessResult result = Tools.run(List.of(ROOT.resolve("scripts/spyglass").toString(), "read", "-p", Integer.toString(port),
            "-o", out.toString(), pcap.toString()), null, Duration.ofMinutes(3));
        assertEquals(0, result.exitCode(), result.stderr());
        // The user's console: the summary line and nothing from the JVM.
        final String stderr = result.stderr().strip();
        assertTrue(stderr.startsWith("spyglass: ") && !stderr.contains("WARNING"), stderr);
        assertEquals(1, stderr.lines().count(), stderr);

        final CaptureFile capture = CaptureFile.read(out);
        // Statements per server thread, in order, from the general log and from spyglass.
        final Map<Long, List<String>> expected = LoggedStatements.byThread(log);
        final List<String> literals = LoggedStatements.quotedLiterals(log);
        final Map<Long, List<String>> actual = LoggedStatements.byThread(capture);
        for (final JsonNode q : capture.queries("query")) {
            assertTrue(q.path("error").isNull(), q.toString());
            assertFalse(q.path("lossy").asBoolean(), q.toString());
            assertEquals("spy", q.path("user").asText());
            assertEquals("sbtest", q.path("db").asText());
        }
        assertEquals(2, expected.size(), "two sysbench threads in the general log");
        assertEquals(expected, actual);
        int total = 0;
        for (final List<String> l : expected.values()) {
            total += l.size();
        }
        assertEquals(total, capture.queries("query").size());
        assertTrue(total >= 60 * 18, "sysbench ran its events: " + total);
        assertEquals(2, capture.ofType("conn").size());
        assertEquals(0, capture.only("capture_end").path("gaps").asLong());

        assertFalse(literals.isEmpty());
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, literals.toArray(new String[0]));
        for (final JsonNode q : capture.queries("query")) {
            assertFalse(q.path("sql").asText().matches(".*(?<![A-Za-z_0-9])\\d.*"), "a number survived: " + q);
        }
        ReadRealCapturesTest.assertLatenciesMatchTcpdump(pcap, port, capture);
    }
}
