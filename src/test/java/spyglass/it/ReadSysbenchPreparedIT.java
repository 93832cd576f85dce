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
import org.junit.jupiter.api.Test;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * Issue 5's first "done when": sysbench oltp_read_write with server-side prepared statements
 * ({@code --db-ps-mode=auto}) against a real MariaDB, recorded with tcpdump. Every statement of the
 * server's general log ({@code Prepare}, {@code Execute}, {@code Query}) has its event, in order per
 * thread; an {@code execute} carries the text its statement was prepared with, redacted, and its
 * parameter count; no value sysbench bound (the general log shows them substituted) is in the file.
 */
class ReadSysbenchPreparedIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    /** Kept after the run (under target/) so a failure can be read with spyglass and tcpdump. */
    private final Path tmp = ROOT.resolve("target/it/ReadSysbenchPreparedIT");

    @Test
    void everyPreparedExecutionIsReportedWithItsText() throws Exception {
        Files.createDirectories(tmp);
        final Path pcap = tmp.resolve("sysbench-ps.pcap");
        final List<GeneralLogRow> log;
        final int port;
        try (MariaDbServer server = MariaDbServer.start()) {
            port = server.port();
            final Sysbench sysbench = new Sysbench(server).tables(2).tableSize(1000).threads(2).events(40)
                .preparedStatements().timeout(Duration.ofMinutes(3));
            sysbench.prepare("oltp_read_write");
            server.truncateGeneralLog();
            final PacketRecorder recorder = PacketRecorder.start(pcap, port);
            try (recorder) {
                sysbench.run("oltp_read_write");
            }
            assertEquals(0, recorder.kernelDrops(), "tcpdump lost packets: " + recorder.stderr());
            log = server.generalLog();
        }
        final CaptureFile capture = SpyglassRead.read(pcap, port, tmp.resolve("events.jsonl"));

        final Map<Long, List<String>> expected = LoggedStatements.commandsByThread(log);
        final List<String> values = LoggedStatements.executedValues(log);
        final long executions = log.stream().filter(r -> "Execute".equals(r.commandType())).count();
        for (final JsonNode q : capture.ofType("query")) {
            assertTrue(q.path("error").isNull(), q.toString());
            assertFalse(q.path("lossy").asBoolean(), q.toString());
            assertFalse(q.path("flags").toString().contains("unknown_statement"), q.toString());
        }
        final Map<Long, List<String>> actual = LoggedStatements.commandsByThread(capture);
        assertEquals(2, expected.size(), "two sysbench threads in the general log");
        assertTrue(executions >= 40 * 10, "sysbench ran its statements as executions: " + executions);
        assertEquals(expected, actual);
        for (final JsonNode q : capture.queries("execute")) {
            final String sql = q.path("sql").asText();
            int marks = 0;
            for (int i = 0; i < sql.length(); i++) {
                marks += sql.charAt(i) == '?' ? 1 : 0;
            }
            // each placeholder is a parameter; a literal written in the statement (k+1) is a ? too
            assertTrue(q.path("params").isInt() && q.path("params").asInt() <= marks, q.toString());
        }
        assertFalse(values.isEmpty());
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, values.toArray(new String[0]));
    }
}
