package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import spyglass.cli.ReadRealCapturesTest;
import spyglass.testing.CaptureFile;

/**
 * {@code LOAD DATA LOCAL INFILE} from mysql-connector-j ({@code allowLoadLocalInfile=true}) against
 * a real MariaDB: the statement is one event with its affected rows, the file's name is a literal
 * like any other, and the file's content, which travels in the client's packets, is never in the
 * capture file.
 */
class ReadLocalInfileIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private final Path tmp = ROOT.resolve("target/it/ReadLocalInfileIT");

    @Test
    void theFilesContentNeverReachesTheCaptureFile() throws Exception {
        Files.createDirectories(tmp);
        final Path pcap = tmp.resolve("local-infile.pcap");
        final Path data = tmp.resolve("people-secret.csv");
        final StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            csv.append(i).append(",infile-secret-").append(1000 + i).append(",").append(5550000 + i).append('\n');
        }
        Files.writeString(data, csv);
        final List<GeneralLogRow> log;
        final int port;
        try (MariaDbServer server = MariaDbServer.start()) {
            port = server.port();
            final String url = server.jdbcUrl(MariaDbServer.DATABASE) + "&allowLoadLocalInfile=true";
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(64), phone BIGINT)");
            }
            server.truncateGeneralLog();
            final PacketRecorder recorder = PacketRecorder.start(pcap, port);
            try (recorder; Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                assertEquals(500, s.executeUpdate("LOAD DATA LOCAL INFILE '" + data + "' INTO TABLE people "
                    + "FIELDS TERMINATED BY ','"));
                s.executeQuery("SELECT COUNT(*) FROM people").close();
            }
            assertEquals(0, recorder.kernelDrops(), "tcpdump lost packets: " + recorder.stderr());
            log = server.generalLog();
        }
        final CaptureFile capture = SpyglassRead.read(pcap, port, tmp.resolve("events.jsonl"));
        assertEquals(LoggedStatements.commandsByThread(log), LoggedStatements.commandsByThread(capture));
        final JsonNode load = capture.queries("query").stream()
            .filter(q -> q.path("sql").asText().startsWith("LOAD DATA LOCAL INFILE ?")).findFirst().orElseThrow();
        assertEquals(500, load.path("affected").asLong(), load.toString());
        assertFalse(load.path("lossy").asBoolean(), load.toString());
        // the file went to the server inside this statement's request: its bytes are counted there
        assertEquals(true, load.path("bytes_in").asLong() > csv.length(), load.toString());
        assertEquals(0, capture.only("capture_end").path("protocol_errors").asLong());
        ReadRealCapturesTest.assertNoLiteralLeaks(capture, "infile-secret", "5550001", "people-secret.csv");
    }
}
