package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * Issue 3's "done when", as a user does it: {@code scripts/spyglass capture -i lo} while sysbench
 * hits a local MariaDB over TCP, progress shown, stopped with Ctrl-C (SIGINT); the file holds one
 * {@code query} per statement of the server's general log, no literal, and on loopback (where the
 * kernel shows every packet twice) each packet counted once.
 */
class CaptureSysbenchIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private final Path tmp = ROOT.resolve("target/it/CaptureSysbenchIT");

    @Test
    void sysbenchOnLoopbackIsCapturedStatementForStatement() throws Exception {
        Files.createDirectories(tmp);
        final Path out = tmp.resolve("capture.jsonl");
        final Path pcap = tmp.resolve("tcpdump.pcap");
        Files.deleteIfExists(out);
        final List<GeneralLogRow> log;
        final String stderr;
        try (MariaDbServer server = MariaDbServer.start()) {
            final Sysbench sysbench = new Sysbench(server).tables(2).tableSize(1000).threads(2).events(40)
                .timeout(Duration.ofMinutes(3));
            sysbench.prepare("oltp_read_write");
            server.truncateGeneralLog();
            final PacketRecorder tcpdump = PacketRecorder.start(pcap, server.port());
            try (tcpdump;
                 SpyglassCapture spyglass = SpyglassCapture.start("-i", "lo", "-p", Integer.toString(server.port()),
                     "-o", out.toString(), "--progress-interval", "1")) {
                sysbench.run("oltp_read_write");
                SpyglassCapture.sleep(1_500); // one more progress line, and the last packets through the ring
                spyglass.awaitStderr("packets (", Duration.ofSeconds(10));
                spyglass.signal("INT");
                assertEquals(0, spyglass.waitFor(Duration.ofSeconds(30)), spyglass.stderr());
                stderr = spyglass.stderr();
            }
            assertEquals(0, tcpdump.kernelDrops(), "tcpdump lost packets: " + tcpdump.stderr());
            log = server.generalLog();
        }
        assertFalse(stderr.contains("WARNING"), stderr);
        assertTrue(stderr.lines().anyMatch(l -> l.matches("spyglass: [0-9,]+ packets \\(.*queries.*kernel drops 0, ring drops 0, file .*")),
            "progress lines: " + stderr);
        // The kernel's own counters at the end: on loopback it hands the socket each packet twice.
        final Matcher kernel = Pattern.compile("spyglass: kernel: ([0-9,]+) packets to the ring, 0 dropped, "
            + "0 ring freezes; spyglass: 0 ring drops").matcher(stderr);
        assertTrue(kernel.find(), "kernel counters: " + stderr);
        final long kernelPackets = Long.parseLong(kernel.group(1).replace(",", ""));

        final CaptureFile capture = CaptureFile.read(out);
        final Map<Long, List<String>> expected = LoggedStatements.byThread(log);
        final List<String> literals = LoggedStatements.quotedLiterals(log);
        final Map<Long, List<String>> actual = LoggedStatements.byThread(capture);
        for (final JsonNode q : capture.queries("query")) {
            assertFalse(q.path("lossy").asBoolean(), q.toString());
        }
        assertEquals(2, expected.size());
        assertEquals(expected, actual);
        assertFalse(literals.isEmpty());
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, literals.toArray(new String[0]));
        for (final JsonNode q : capture.queries("query")) {
            assertFalse(q.path("sql").asText().matches(".*(?<![A-Za-z_0-9])\\d.*"), "a number survived: " + q);
        }

        // Loopback: the kernel hands the socket each packet twice (out and in); spyglass keeps one,
        // as tcpdump does.
        final long tcpdumpPackets = Tools.run(List.of(Tools.find("tcpdump"), "-nr", pcap.toString()), null, Duration.ofMinutes(1))
            .orThrow("tcpdump -r").stdout().lines().count();
        final JsonNode end = capture.only("capture_end");
        assertEquals(tcpdumpPackets, end.path("packets").asLong(), end.toString());
        assertEquals(2 * end.path("packets").asLong(), kernelPackets, "the kernel saw each packet twice, spyglass kept one");
        assertEquals(0, end.path("kernel_drops").asLong());
        assertEquals(0, end.path("ring_drops").asLong());
        assertEquals(0, end.path("gaps").asLong());
    }
}
