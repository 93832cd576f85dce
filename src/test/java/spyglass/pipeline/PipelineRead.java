package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import spyglass.cli.Main;
import spyglass.testing.CaptureFile;
import spyglass.testing.TcpConversation;

/** Runs {@code spyglass read} as a user would, and reads the capture file back. */
final class PipelineRead {
    private PipelineRead() {
    }

    /** {@code spyglass read -q -o OUT -p 3306 [options] pcap}, which must exit 0. */
    static CaptureFile read(final Path pcap, final String... options) {
        final Path out = pcap.resolveSibling(pcap.getFileName() + ".jsonl");
        final List<String> args = new ArrayList<>(List.of("read", "-q", "-o", out.toString(), "-p", "3306"));
        args.addAll(Arrays.asList(options));
        args.add(pcap.toString());
        assertEquals(0, Main.run(args.toArray(new String[0])), "spyglass read exit status");
        return CaptureFile.read(out);
    }

    /** The conn, query and conn_close records in file order; queries with their digest checked and removed. */
    static List<JsonNode> events(final CaptureFile capture) {
        final List<JsonNode> out = new ArrayList<>();
        for (final JsonNode r : capture.records()) {
            switch (r.path("type").asText()) {
                case "conn", "conn_close" -> out.add(r);
                case "query" -> out.add(ScriptedConnection.withoutDigest(r));
                default -> {
                }
            }
        }
        return out;
    }

    /** The conn, query and conn_close records of one connection, in file order. */
    static List<JsonNode> eventsOf(final CaptureFile capture, final String conn) {
        final List<JsonNode> out = new ArrayList<>();
        for (final JsonNode r : events(capture)) {
            if (conn.equals(r.path("conn").asText())) {
                out.add(r);
            }
        }
        return out;
    }

    /** Jackson reads small numbers as ints: expected records built with longs are normalised through their text. */
    static JsonNode normalised(final JsonNode node) {
        try {
            return ScriptedConnection.JSON.readTree(node.toString());
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Record by record, so a failure names the first record that differs. */
    static void assertEvents(final List<JsonNode> expected, final List<JsonNode> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(normalised(expected.get(i)), actual.get(i), "record " + i);
        }
        assertEquals(expected.size(), actual.size(), "records: " + actual);
    }

    /** Digest per sql text: equal statements share it. */
    static Map<String, String> digests(final CaptureFile capture) {
        final Map<String, String> out = new java.util.HashMap<>();
        for (final JsonNode q : capture.ofType("query")) {
            final String previous = out.put(q.path("sql").asText(), q.path("digest").asText());
            if (previous != null) {
                assertEquals(previous, q.path("digest").asText(), "one statement, two digests: " + q);
            }
        }
        return out;
    }

    /** What a connection whose whole life was captured, ended by COM_QUIT, must produce. */
    static List<JsonNode> expectedEvents(final ScriptedConnection c, final long connAtUs, final long closeAtUs,
                                         final String reason) {
        final List<JsonNode> out = new ArrayList<>();
        out.add(c.connRecord(connAtUs));
        for (final ScriptedConnection.Expected e : c.expected) {
            out.add(c.queryRecord(e));
        }
        out.add(c.closeRecord(closeAtUs, reason));
        return out;
    }

    /**
     * Asserts every counter of {@code capture_end}: {@code expected} holds the ones a test is about;
     * every other counter must be 0, except packets, bytes and tcp_segments (checked against the
     * frames written) and flows_total/connections (given).
     */
    static void assertCaptureEnd(final CaptureFile capture, final List<TcpConversation.Frame> frames,
                                 final Map<String, Long> expected) {
        final JsonNode end = capture.only("capture_end");
        final ObjectNode want = ScriptedConnection.JSON.createObjectNode();
        long bytes = 0;
        for (final TcpConversation.Frame f : frames) {
            bytes += f.bytes().length;
        }
        for (final String field : List.of("packets", "bytes", "tcp_segments", "malformed", "non_tcp", "kernel_drops",
            "ring_drops", "flows_open", "flows_total", "flows_evicted", "gaps", "gap_bytes", "out_of_order_segments",
            "retransmitted_segments", "resyncs", "connections", "encrypted_connections", "encrypted_bytes", "queries",
            "errors", "truncated_statements", "unknown_statements", "replica_connections", "own_connections", "schema_shapes_unread", "protocol_errors")) {
            want.put(field, 0L);
        }
        want.put("packets", (long) frames.size());
        want.put("bytes", bytes);
        want.put("tcp_segments", (long) frames.size());
        expected.forEach(want::put);
        final ObjectNode got = end.deepCopy();
        got.remove("type");
        got.remove("ts");
        assertEquals(normalised(want), got, "capture_end");
        // The final stats record says the same.
        final JsonNode stats = capture.ofType("stats").get(capture.ofType("stats").size() - 1).deepCopy();
        ((ObjectNode) stats).remove("type");
        ((ObjectNode) stats).remove("ts");
        assertEquals(normalised(want), stats, "final stats");
    }
}
