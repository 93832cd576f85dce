package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static spyglass.pipeline.Conversations.AUTOCOMMIT;
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
 * Captures that begin mid-connection: no SYN, no greeting, no login. The connection is picked up
 * at the first plausible command; what the handshake would have said stays unknown (null), never
 * guessed.
 */
class MidstreamTest {
    @TempDir
    Path tmp;

    /** What spyglass knows of a connection it joined late: its addresses. */
    private static ScriptedConnection unknownLogin(final ScriptedConnection c) {
        c.threadId = -1;
        c.user = null;
        c.db = null;
        c.serverVersion = null;
        return c;
    }

    private static ObjectNode midstreamConn(final ScriptedConnection c, final long atUs) {
        final ObjectNode conn = c.connRecord(atUs);
        conn.putNull("thread_id");
        conn.putNull("server_version");
        conn.putNull("user");
        conn.putNull("db");
        conn.put("midstream", true);
        return conn;
    }

    /**
     * The capture starts with the 4th of Q3's six request segments: its tail, then its result set,
     * then Q1, Q2 and QUIT. Q1 is the first plausible command.
     */
    @Test
    void captureStartingInsideARequestPicksUpTheNextCommand() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        final ScriptedConnection.Expected q3 = c.select(1_000, Q3, Q3_REDACTED, 30, 1_300, 40, rows(20), AUTOCOMMIT);
        c.tcp.ack(ScriptedConnection.ns(1_400), true);
        final ScriptedConnection.Expected q1 = c.select(2_000, Q1, Q1_REDACTED, WHOLE, 2_250, WHOLE, rows(3), AUTOCOMMIT);
        final ScriptedConnection.Expected q2 = c.update(3_000, Q2, Q2_REDACTED, WHOLE, 3_400, 1, AUTOCOMMIT);
        c.quit(4_000);
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        frames.subList(0, q3.firstRequestFrame() + 3).clear();
        final long firstSeenUs = 1_003; // segment 3 of Q3's request

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("mid-request.pcap")));

        unknownLogin(c);
        final List<JsonNode> expected = new ArrayList<>();
        expected.add(midstreamConn(c, q1.firstRequestUs()));
        final ObjectNode first = c.queryRecord(q1);
        first.putNull("think_us");
        first.putArray("flags").add("resync");
        expected.add(first);
        expected.add(c.queryRecord(q2));
        final ObjectNode close = c.closeRecord(ScriptedConnection.closedAfterQuitUs(4_000), "quit");
        close.put("duration_us", ScriptedConnection.closedAfterQuitUs(4_000) - firstSeenUs);
        close.put("queries", 2);
        close.put("bytes_in", q1.bytesIn() + q2.bytesIn() + 5 + (q3.bytesIn() - 90));
        close.put("bytes_out", c.serverBytes - c.loginServerBytes); // greeting and login OK not captured
        close.put("packets_in", 3);
        close.put("packets_out", (3 + 2 + 3) + 1);
        expected.add(close);
        assertEvents(expected, events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 2L, "resyncs", 1L));
    }

    /**
     * The capture starts in the middle of a 300-row result set, 40 segments in: a stream of rows
     * whose sequence ids wrap through 0 and whose text reads like SQL. None of it is taken for a
     * command; the next query is.
     */
    @Test
    void captureStartingInsideABigResultSetSkipsTheRows() {
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        final String[][] sqlRows = new String[300][];
        for (int i = 0; i < sqlRows.length; i++) {
            sqlRows[i] = new String[] {Integer.toString(i), "SELECT * FROM t WHERE id = " + i};
        }
        final ScriptedConnection.Expected big = c.select(1_000, "SELECT id, sql_text FROM audit", "SELECT id, sql_text FROM audit",
            WHOLE, 1_300, 100, sqlRows, AUTOCOMMIT);
        c.tcp.ack(ScriptedConnection.ns(2_000), true);
        final ScriptedConnection.Expected q1 = c.select(3_000, Q1, Q1_REDACTED, WHOLE, 3_250, WHOLE, rows(3), AUTOCOMMIT);
        final ScriptedConnection.Expected q3 = c.select(4_000, Q3, Q3_REDACTED, 50, 4_400, 60, rows(20), AUTOCOMMIT);
        c.quit(5_000);
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        final int responseSegments = big.endFrame() - big.firstResponseFrame();
        assertEquals(true, responseSegments > 100, "segments: " + responseSegments);
        frames.subList(0, big.firstResponseFrame() + 40).clear();

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("mid-rows.pcap")));

        unknownLogin(c);
        final List<JsonNode> expected = new ArrayList<>();
        expected.add(midstreamConn(c, q1.firstRequestUs()));
        final ObjectNode first = c.queryRecord(q1);
        first.putNull("think_us");
        first.putArray("flags").add("resync");
        expected.add(first);
        expected.add(c.queryRecord(q3));
        final ObjectNode close = c.closeRecord(ScriptedConnection.closedAfterQuitUs(5_000), "quit");
        close.put("duration_us", ScriptedConnection.closedAfterQuitUs(5_000) - (1_300 + 40));
        close.put("queries", 2);
        close.put("bytes_in", q1.bytesIn() + q3.bytesIn() + 5);
        close.put("bytes_out", q1.bytesOut() + q3.bytesOut() + big.bytesOut() - 40 * 100);
        close.put("packets_in", 3);
        close.put("packets_out", (3 + 2 + 3) + (3 + 2 + 20));
        expected.add(close);
        assertEvents(expected, events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 2L, "resyncs", 1L));
    }
}
