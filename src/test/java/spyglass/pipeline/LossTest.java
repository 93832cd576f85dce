package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static spyglass.pipeline.Conversations.AUTOCOMMIT;
import static spyglass.pipeline.Conversations.CONN_AT_US;
import static spyglass.pipeline.Conversations.Q1;
import static spyglass.pipeline.Conversations.Q1_REDACTED;
import static spyglass.pipeline.Conversations.Q2;
import static spyglass.pipeline.Conversations.Q2_REDACTED;
import static spyglass.pipeline.Conversations.Q3;
import static spyglass.pipeline.Conversations.Q3_REDACTED;
import static spyglass.pipeline.Conversations.rows;
import static spyglass.pipeline.PipelineRead.assertCaptureEnd;
import static spyglass.pipeline.PipelineRead.assertEvents;
import static spyglass.pipeline.PipelineRead.events;
import static spyglass.pipeline.PipelineRead.read;
import static spyglass.pipeline.ScriptedConnection.WHOLE;
import static spyglass.pipeline.ScriptedConnection.ns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.testing.CaptureFile;
import spyglass.testing.TcpConversation;

/**
 * Segments lost before the capture point. The rule (MysqlConnection): a gap while a command is
 * pending emits it lossy -- latency and transfer unknown, ttfb kept when the response had begun --
 * and a gap that cuts a request before its command is known drops it; either way the connection
 * re-synchronises on the next plausible command, which is decoded whole and flagged {@code resync},
 * with think time unknown.
 */
class LossTest {
    @TempDir
    Path tmp;

    /**
     * Q3's 20-row result set in 40-byte segments; segment 4, bytes [160, 200), is lost. The server's
     * later segments wait for it; the client's ACK at 2 400 µs acknowledges past it: the gap.
     */
    @Test
    void lostResponseSegmentMakesThatCommandLossyAndTheNextOneResyncs() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        c.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        final ScriptedConnection.Expected q3 = c.select(2_000, Q3, Q3_REDACTED, WHOLE, 2_300, 40, rows(20), AUTOCOMMIT);
        c.tcp.ack(ns(2_400), true);
        final ScriptedConnection.Expected q2 = c.update(3_000, Q2, Q2_REDACTED, WHOLE, 3_400, 1, AUTOCOMMIT);
        c.quit(4_000);
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        assertEquals(10, q3.endFrame() - q3.firstResponseFrame());
        frames.remove(q3.firstResponseFrame() + 4);

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("lost-response.pcap")));

        // Whole before the loss: column count (5 bytes), definitions of id and name (36 + 40), EOF (9),
        // rows 1..5 (5 x 13); row 6 is cut at byte 160.
        final int before = 5 + 36 + 40 + 9 + 5 * 13;
        assertEquals(155, before);
        final List<JsonNode> expected = new ArrayList<>();
        expected.add(c.connRecord(CONN_AT_US));
        expected.add(c.queryRecord(c.expected.get(0)));
        final ObjectNode lossy = c.queryRecord(q3);
        lossy.putNull("latency_us");
        lossy.putNull("transfer_us");
        lossy.put("ttfb_us", q3.ttfbUs()); // the response had begun
        lossy.put("rows", 5);
        lossy.putNull("results"); // the response was not seen whole
        lossy.put("bytes_out", before);
        lossy.put("lossy", true);
        expected.add(lossy);
        final ObjectNode next = c.queryRecord(q2);
        next.putNull("think_us");
        next.putArray("flags").add("resync");
        expected.add(next);
        final ObjectNode close = c.closeRecord(ScriptedConnection.closedAfterQuitUs(4_000), "quit");
        close.put("bytes_out", c.serverBytes - 40);
        // Server packets counted: all but Q3's from the loss on (rows 6..20 and the EOF).
        close.put("packets_out", c.serverPackets - 16);
        expected.add(close);
        assertEvents(expected, events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 3L,
            "gaps", 1L, "gap_bytes", 40L, "out_of_order_segments", 5L, "resyncs", 1L));
    }

    /**
     * Q3 sent in 30-byte segments; segment 2, bytes [60, 90), is lost. The server's answer
     * acknowledges past it: the command is dropped (its text was never whole), its response
     * skipped, and the next command picked up.
     */
    @Test
    void lostRequestSegmentDropsThatCommandAndTheNextOneResyncs() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        c.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        final ScriptedConnection.Expected q3 = c.select(2_000, Q3, Q3_REDACTED, 30, 2_300, WHOLE, rows(20), AUTOCOMMIT);
        final ScriptedConnection.Expected q2 = c.update(3_000, Q2, Q2_REDACTED, WHOLE, 3_400, 1, AUTOCOMMIT);
        c.quit(4_000);
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        assertEquals(6, q3.firstResponseFrame() - q3.firstRequestFrame());
        frames.remove(q3.firstRequestFrame() + 2);

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("lost-request.pcap")));

        final List<JsonNode> expected = new ArrayList<>();
        expected.add(c.connRecord(CONN_AT_US));
        expected.add(c.queryRecord(c.expected.get(0)));
        final ObjectNode next = c.queryRecord(q2);
        next.putNull("think_us");
        next.putArray("flags").add("resync");
        expected.add(next);
        final ObjectNode close = c.closeRecord(ScriptedConnection.closedAfterQuitUs(4_000), "quit");
        close.put("queries", 2);
        close.put("bytes_in", c.clientBytes - 30);
        close.put("packets_in", c.clientPackets - 1); // Q3's request never completed
        close.put("packets_out", c.serverPackets - (3 + 2 + 20)); // Q3's result set, skipped
        expected.add(close);
        assertEvents(expected, events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 2L,
            "gaps", 1L, "gap_bytes", 30L, "out_of_order_segments", 3L, "resyncs", 1L));
    }
}
