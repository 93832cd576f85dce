package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Guards the recorded captures (scripts/record-fixtures): complete pcap files of one TCP
 * connection, small, and statements.sql agreeing with the server's own general log.
 */
class CaptureFixturesTest {

    private static final int PCAP_MICRO = 0xa1b2c3d4;
    private static final int PCAP_NANO = 0xa1b23c4d;

    @ParameterizedTest
    @CsvSource({"mariadb-cli, true", "connector-j, false", "sysbench-rw, false", "tls, true"})
    void captureIsOneCompleteConnection(String name, boolean nano) throws IOException {
        Path dir = fixture(name);
        for (String file : List.of("capture.pcap", "statements.sql", "general_log.tsv", "README.md")) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), name + "/" + file);
        }
        byte[] pcap = Files.readAllBytes(dir.resolve("capture.pcap"));
        assertTrue(pcap.length < 200 * 1024, name + " is small: " + pcap.length);
        ByteBuffer buf = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(nano ? PCAP_NANO : PCAP_MICRO, buf.getInt(0), name + " magic");
        assertEquals(1, buf.getInt(20), name + " link type Ethernet");

        Set<Integer> ports = new HashSet<>();
        int syn = 0;
        int fin = 0;
        int pos = 24;
        while (pos + 16 <= pcap.length) {
            int captured = buf.getInt(pos + 8);
            assertEquals(buf.getInt(pos + 12), captured, "whole packets (snaplen 0)");
            int frame = pos + 16;
            assertEquals(0x0800, Short.toUnsignedInt(buf.order(ByteOrder.BIG_ENDIAN).getShort(frame + 12)), "IPv4");
            int ip = frame + 14;
            assertEquals(6, pcap[ip + 9], "TCP");
            int tcp = ip + (pcap[ip] & 0x0f) * 4;
            ports.add(Short.toUnsignedInt(buf.getShort(tcp)));
            ports.add(Short.toUnsignedInt(buf.getShort(tcp + 2)));
            int flags = pcap[tcp + 13] & 0xff;
            syn += (flags & 0x02) != 0 ? 1 : 0;
            fin += (flags & 0x01) != 0 ? 1 : 0;
            buf.order(ByteOrder.LITTLE_ENDIAN);
            pos = frame + captured;
        }
        assertEquals(pcap.length, pos, name + " ends on a record boundary");
        assertEquals(2, ports.size(), name + " holds one connection: ports " + ports);
        assertEquals(2, syn, name + " holds the SYN and SYN-ACK");
        assertEquals(2, fin, name + " holds both FINs");

        List<String[]> log = generalLog(name);
        long thread = Long.parseLong(log.get(0)[0]);
        assertTrue(log.stream().allMatch(r -> Long.parseLong(r[0]) == thread), name + ": one thread");
        assertEquals("Connect", log.get(0)[1]);
        assertEquals("Quit", log.get(log.size() - 1)[1]);
    }

    @Test
    void cliStatementsAreWhatTheServerLogged() throws IOException {
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(fixture("mariadb-cli").resolve("statements.sql"))) {
            String sql = line.substring(0, line.length() - 1);
            if (sql.startsWith("USE ")) {
                // The CLI asks for the current database before it sends COM_INIT_DB.
                expected.add("Query\tSELECT DATABASE()");
                expected.add("Init DB\t" + sql.substring(4));
            } else {
                expected.add("Query\t" + serverLogForm(sql));
            }
        }
        List<String> logged = new ArrayList<>();
        List<String[]> log = generalLog("mariadb-cli");
        for (String[] row : log.subList(1, log.size() - 1)) {
            logged.add(row[1] + "\t" + row[2]);
        }
        assertEquals(expected, logged);
    }

    @ParameterizedTest
    @CsvSource({"connector-j", "sysbench-rw"})
    void generatedStatementsAreTheLoggedQueries(String name) throws IOException {
        List<String> statements = Files.readAllLines(fixture(name).resolve("statements.sql")).stream()
                .filter(l -> !l.startsWith("-- ")).toList();
        List<String> queries = generalLog(name).stream().filter(r -> r[1].equals("Query")).map(r -> r[2] + ";").toList();
        assertEquals(queries, statements);
        assertTrue(statements.size() > 15, name + ": " + statements.size());
    }

    @Test
    void secretsSitWhereTheTestsExpectThem() throws IOException {
        byte[] cli = Files.readAllBytes(fixture("mariadb-cli").resolve("capture.pcap"));
        // Two INSERTs and the server's ERR 1062 message echo it: spyglass must drop all three.
        assertEquals(3, count(cli, "SECRET-4711"));
        assertEquals(2, count(cli, "naïve café"), "the INSERT and the row that returns it");
        assertEquals(1, count(cli, "\uD83D\uDE00"));
        byte[] jdbc = Files.readAllBytes(fixture("connector-j").resolve("capture.pcap"));
        assertEquals(1, count(jdbc, "bob o''neil"));
        assertTrue(count(jdbc, "alice@example.com") >= 3, "INSERT, duplicate INSERT, ERR message, rows");
        byte[] tls = Files.readAllBytes(fixture("tls").resolve("capture.pcap"));
        assertEquals(0, count(tls, "TLS-SECRET"), "encrypted on the wire");
        assertTrue(generalLog("tls").stream().anyMatch(r -> r[2].equals("SELECT 'TLS-SECRET' AS probe")));
    }

    /** The server logs characters beyond the BMP as \xF0\x9F... text. */
    private static String serverLogForm(String sql) {
        StringBuilder out = new StringBuilder();
        sql.codePoints().forEach(cp -> {
            if (cp > 0xFFFF) {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append(String.format("\\x%02X", b & 0xff));
                }
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static List<String[]> generalLog(String name) throws IOException {
        List<String> lines = Files.readAllLines(fixture(name).resolve("general_log.tsv"));
        assertEquals("thread_id\tcommand_type\targument", lines.get(0));
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            assertEquals(3, f.length, line);
            rows.add(f);
        }
        return rows;
    }

    private static int count(byte[] hay, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        int count = 0;
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (hay[i + j] != n[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }

    static Path fixture(String name) {
        try {
            return Path.of(CaptureFixturesTest.class.getResource("/captures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
