package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.pipeline.Conversations.AUTOCOMMIT;
import static spyglass.pipeline.Conversations.AUTOCOMMIT_NO_INDEX;
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
import static spyglass.pipeline.PipelineRead.eventsOf;
import static spyglass.pipeline.PipelineRead.read;
import static spyglass.pipeline.ScriptedConnection.WHOLE;
import static spyglass.pipeline.ScriptedConnection.ns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.testing.CaptureFile;
import spyglass.testing.TcpConversation;

/** Several connections at once, and the ways a connection ends other than QUIT. */
class ConnectionsTest {
    @TempDir
    Path tmp;

    /** One expected record and the capture time it is written at (the packet that completes it). */
    private record Timed(long atUs, JsonNode record) {
    }

    /**
     * Three clients whose commands overlap in time: A's slow select is outstanding while B and C
     * run theirs. Each connection has its own conn and conn_close, and think time is measured
     * from that connection's own previous response.
     */
    @Test
    void interleavedConnectionsKeepTheirOwnState() {
        final ScriptedConnection a = ScriptedConnection.ipv4("10.0.0.1", 50001, "10.0.0.9", 3306).connect(0, 11, "app", "shop");
        final ScriptedConnection b = ScriptedConnection.ipv4("10.0.0.2", 50002, "10.0.0.9", 3306).connect(100, 12, "batch", "dw");
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.3", 50003, "10.0.0.9", 3306).connect(200, 13, "web", "shop");
        a.select(1_000, Q3, Q3_REDACTED, 50, 1_900, 60, rows(20), AUTOCOMMIT);       // slow: 900 µs
        b.select(1_100, Q1, Q1_REDACTED, WHOLE, 1_300, 40, rows(3), AUTOCOMMIT_NO_INDEX, "no_index_used");
        c.update(1_200, Q2, Q2_REDACTED, 20, 1_250, 1, AUTOCOMMIT);
        b.update(1_500, Q2, Q2_REDACTED, WHOLE, 1_560, 1, AUTOCOMMIT);               // think 1500 - 1303
        c.select(1_700, Q1, Q1_REDACTED, 10, 1_950, WHOLE, rows(1), AUTOCOMMIT);     // think 1700 - 1250
        a.update(2_500, Q2, Q2_REDACTED, WHOLE, 2_600, 1, AUTOCOMMIT);               // think 2500 - 1906
        b.select(2_550, Q3, Q3_REDACTED, WHOLE, 2_700, 100, rows(5), AUTOCOMMIT);    // think 2550 - 1560
        c.quit(3_000);
        a.quit(3_100);
        b.quit(3_200);
        assertEquals(1_500 - 1_303, b.expected.get(1).thinkUs());
        assertEquals(2_500 - 1_906, a.expected.get(1).thinkUs());

        final CaptureFile capture = read(spyglass.testing.TcpConversation.writePcap(tmp.resolve("three.pcap"), a.tcp, b.tcp, c.tcp));

        // Every record at the capture time of the packet that completes it, in that order.
        final List<Timed> timed = new ArrayList<>();
        for (final ScriptedConnection s : List.of(a, b, c)) {
            timed.add(new Timed(s.openedUs + 300, s.connRecord(s.openedUs + 300)));
            for (final ScriptedConnection.Expected e : s.expected) {
                timed.add(new Timed(e.lastResponseUs(), s.queryRecord(e)));
            }
        }
        timed.add(new Timed(3_000 + 110, c.closeRecord(ScriptedConnection.closedAfterQuitUs(3_000), "quit")));
        timed.add(new Timed(3_100 + 110, a.closeRecord(ScriptedConnection.closedAfterQuitUs(3_100), "quit")));
        timed.add(new Timed(3_200 + 110, b.closeRecord(ScriptedConnection.closedAfterQuitUs(3_200), "quit")));
        timed.sort(Comparator.comparingLong(Timed::atUs));
        final List<JsonNode> expected = new ArrayList<>();
        timed.forEach(t -> expected.add(t.record()));
        assertEvents(expected, events(capture));

        final List<TcpConversation.Frame> frames = new ArrayList<>(a.tcp.frames());
        frames.addAll(b.tcp.frames());
        frames.addAll(c.tcp.frames());
        assertCaptureEnd(capture, frames, Map.of("flows_total", 3L, "connections", 3L, "queries", 7L));
    }

    /**
     * The server resets the connection after 3 of Q3's 10 response segments: the command is
     * reported with no_response, lossy (part of its response was seen: ttfb and rows so far, no
     * latency), and the connection closes with reason rst.
     */
    @Test
    void resetInTheMiddleOfAResponse() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        c.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        final ScriptedConnection.Expected q3 = c.select(2_000, Q3, Q3_REDACTED, WHOLE, 2_300, 40, rows(20), AUTOCOMMIT);
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        frames.subList(q3.firstResponseFrame() + 3, frames.size()).clear();
        c.tcp.reset(ns(2_500), false);

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("rst.pcap")));

        // Whole in the first 120 bytes: column count, 2 definitions, EOF (90 bytes) and rows 1, 2 (13 each).
        final long seen = 90 + 2 * 13;
        final List<JsonNode> expected = new ArrayList<>();
        expected.add(c.connRecord(300));
        expected.add(c.queryRecord(c.expected.get(0)));
        final ObjectNode cut = c.queryRecord(q3);
        cut.putNull("latency_us");
        cut.putNull("transfer_us");
        cut.put("rows", 2);
        cut.putNull("results"); // the response was not seen whole
        cut.put("bytes_out", seen);
        cut.putArray("flags").add("no_response");
        cut.put("lossy", true);
        expected.add(cut);
        final ObjectNode close = c.closeRecord(2_500, "rst");
        close.put("bytes_out", c.serverBytes - (381 - 120));
        close.put("packets_out", c.serverPackets - (25 - 6));
        expected.add(close);
        assertEvents(expected, events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 2L));
    }

    /** The client resets the connection while its UPDATE is outstanding: no response at all. */
    @Test
    void resetBeforeAnyResponse() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        c.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        c.unanswered(2_000, Q2, Q2_REDACTED, WHOLE);
        c.tcp.reset(ns(3_000), true);

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("rst-early.pcap")));

        assertEvents(List.of(c.connRecord(300), c.queryRecord(c.expected.get(0)), c.queryRecord(c.expected.get(1)),
            c.closeRecord(3_000, "rst")), events(capture));
        assertCaptureEnd(capture, c.tcp.frames(), Map.of("flows_total", 1L, "connections", 1L, "queries", 2L));
    }

    /**
     * As above, but the client's RST acknowledges an answer the capture never saw: the response was
     * lost, so the command is lossy as well as unanswered, and the loss is a gap.
     */
    @Test
    void resetAcknowledgingALostResponse() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        c.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        final ScriptedConnection.Expected q2 = c.update(2_000, Q2, Q2_REDACTED, WHOLE, 2_300, 1, AUTOCOMMIT);
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        frames.subList(q2.firstResponseFrame(), frames.size()).clear();
        c.tcp.reset(ns(3_000), true); // acknowledges the 11-byte OK

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("rst-lost.pcap")));

        final ObjectNode pending = c.queryRecord(q2);
        pending.putNull("latency_us");
        pending.putNull("ttfb_us");
        pending.putNull("transfer_us");
        pending.putNull("affected");
        pending.putNull("results");
        pending.put("bytes_out", 0);
        pending.putArray("flags").add("no_response");
        pending.put("lossy", true);
        final ObjectNode close = c.closeRecord(3_000, "rst");
        close.put("bytes_out", c.serverBytes - q2.bytesOut());
        close.put("packets_out", c.serverPackets - 1);
        assertEvents(List.of(c.connRecord(300), c.queryRecord(c.expected.get(0)), pending, close), events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 2L,
            "gaps", 1L, "gap_bytes", 11L));
    }

    /**
     * --idle-timeout 1: connection A goes silent after its first query while B keeps talking for
     * 2.5 s more. A is closed as idle (between 1 s after its last packet and the end of the
     * capture), B as end_of_capture.
     */
    @Test
    void silentConnectionIsClosedAsIdle() {
        final ScriptedConnection a = ScriptedConnection.ipv4("10.0.0.1", 50001, "10.0.0.9", 3306).connect(0, 11, "app", "shop");
        final ScriptedConnection b = ScriptedConnection.ipv4("10.0.0.2", 50002, "10.0.0.9", 3306).connect(100, 12, "app", "shop");
        a.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        a.tcp.ack(ns(1_300), true);
        for (int i = 0; i < 6; i++) {
            final long t = 500_000L * (i + 1); // every 0.5 s, up to 3 s
            b.update(t, Q2, Q2_REDACTED, WHOLE, t + 100, 1, AUTOCOMMIT);
        }
        final CaptureFile capture = read(TcpConversation.writePcap(tmp.resolve("idle.pcap"), a.tcp, b.tcp), "--idle-timeout", "1");

        final List<JsonNode> aEvents = eventsOf(capture, a.conn());
        assertEquals(3, aEvents.size(), aEvents.toString());
        final JsonNode aClose = aEvents.get(2);
        assertEquals("idle", aClose.path("reason").asText(), aClose.toString());
        final long closedAt = CaptureFile.micros(aClose) - ScriptedConnection.T0 / 1_000;
        assertTrue(closedAt >= 1_300 + 1_000_000 && closedAt <= 3_000_100, "closed at " + closedAt);
        // Everything but the close time is exact.
        final ObjectNode expectedClose = a.closeRecord(closedAt, "idle");
        assertEvents(List.of(a.connRecord(300), a.queryRecord(a.expected.get(0)), expectedClose), aEvents);

        final List<JsonNode> bEvents = eventsOf(capture, b.conn());
        assertEquals("end_of_capture", bEvents.get(bEvents.size() - 1).path("reason").asText());
        assertEquals(8, bEvents.size());
    }

    /**
     * The same over a busier capture: B pings 3 000 times in the 2 s after A falls silent (6 000
     * frames), so the pipeline's periodic idle check runs while packets flow and closes A as idle
     * mid-capture, long before B's last packet.
     */
    @Test
    void silentConnectionIsClosedAsIdleWhileOthersAreBusy() {
        final ScriptedConnection a = ScriptedConnection.ipv4("10.0.0.1", 50001, "10.0.0.9", 3306).connect(0, 11, "app", "shop");
        final ScriptedConnection b = ScriptedConnection.ipv4("10.0.0.2", 50002, "10.0.0.9", 3306).connect(100, 12, "app", "shop");
        a.select(1_000, Q1, Q1_REDACTED, WHOLE, 1_250, WHOLE, rows(3), AUTOCOMMIT);
        a.tcp.ack(ns(1_300), true);
        for (int i = 0; i < 3_000; i++) {
            final long t = 500_000L + 667L * i;
            b.ping(t, WHOLE, t + 50, WHOLE);
        }
        b.quit(2_600_000);
        final CaptureFile capture = read(TcpConversation.writePcap(tmp.resolve("idle-busy.pcap"), a.tcp, b.tcp),
            "--idle-timeout", "1");

        final List<JsonNode> aEvents = eventsOf(capture, a.conn());
        assertEquals(3, aEvents.size(), aEvents.toString());
        final JsonNode aClose = aEvents.get(2);
        final long closedAt = CaptureFile.micros(aClose) - ScriptedConnection.T0 / 1_000;
        assertTrue(closedAt >= 1_300 + 1_000_000 && closedAt < 2_500_000, "closed at " + closedAt);
        assertEvents(List.of(a.connRecord(300), a.queryRecord(a.expected.get(0)), a.closeRecord(closedAt, "idle")), aEvents);
        final List<JsonNode> bEvents = eventsOf(capture, b.conn());
        assertEquals(3_002, bEvents.size());
        assertEquals("quit", bEvents.get(bEvents.size() - 1).path("reason").asText());
        // A's close is written when it is noticed, among B's events, not at the end.
        final List<JsonNode> all = events(capture);
        assertTrue(all.indexOf(aClose) < all.size() - 100, "A closed at record " + all.indexOf(aClose) + " of " + all.size());
    }
}
