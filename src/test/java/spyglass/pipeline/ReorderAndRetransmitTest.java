package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static spyglass.pipeline.Conversations.CLOSED_AT_US;
import static spyglass.pipeline.Conversations.CONN_AT_US;
import static spyglass.pipeline.Conversations.permute;
import static spyglass.pipeline.Conversations.standard;
import static spyglass.pipeline.PipelineRead.assertCaptureEnd;
import static spyglass.pipeline.PipelineRead.assertEvents;
import static spyglass.pipeline.PipelineRead.events;
import static spyglass.pipeline.PipelineRead.expectedEvents;
import static spyglass.pipeline.PipelineRead.read;
import static spyglass.pipeline.ScriptedConnection.ns;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.testing.CaptureFile;
import spyglass.testing.TcpConversation;

/**
 * Segments that arrive out of order, twice, or re-cut: the events are those of the clean capture,
 * and only the TCP counters tell the difference.
 */
class ReorderAndRetransmitTest {
    /** Requests in 30-byte segments, result sets in 40-byte segments. */
    private static final int REQUEST_MSS = 30;
    private static final int RESPONSE_MSS = 40;

    @TempDir
    Path tmp;

    private static ScriptedConnection conversation() {
        return standard(ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306), REQUEST_MSS, RESPONSE_MSS);
    }

    private static Map<String, Long> counters(final ScriptedConnection c) {
        return Map.of("flows_total", 1L, "connections", 1L, "queries", (long) c.expected.size());
    }

    @Test
    void cleanCaptureGivesTheScriptedEvents() {
        final ScriptedConnection c = conversation();
        // The split is what the other tests disturb: 2 and 6 request segments, 4 and 10 response segments.
        final ScriptedConnection.Expected q1 = c.expected.get(0);
        final ScriptedConnection.Expected q3 = c.expected.get(2);
        assertEquals(2, q1.firstResponseFrame() - q1.firstRequestFrame());
        assertEquals(4, q1.endFrame() - q1.firstResponseFrame());
        assertEquals(6, q3.firstResponseFrame() - q3.firstRequestFrame());
        assertEquals(10, q3.endFrame() - q3.firstResponseFrame());
        assertEquals(381, q3.response().length);

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("clean.pcap")));
        assertEvents(expectedEvents(c, CONN_AT_US, CLOSED_AT_US, "quit"), events(capture));
        assertCaptureEnd(capture, c.tcp.frames(), counters(c));
    }

    /** Frames moved with their own timestamps: the file is out of time order, as if merged from two taps. */
    @Test
    void reorderedSegmentsGiveTheSameEventsWhenFramesKeepTheirTimes() {
        assertReordered(true);
    }

    /**
     * One capture point, segments reordered by the network: the file is in time order, so the late
     * segment carries the late time. A request (or response) is whole when its last missing segment
     * arrives, the same moment as in the clean capture, so latency must not change.
     */
    @Test
    void reorderedSegmentsGiveTheSameEventsWithTimesInFileOrder() {
        assertReordered(false);
    }

    private void assertReordered(final boolean keepTimes) {
        final ScriptedConnection c = conversation();
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        final ScriptedConnection.Expected q1 = c.expected.get(0);
        final ScriptedConnection.Expected q3 = c.expected.get(2);
        // The first segment of each run stays first (its time is the request's ts or the ttfb).
        // Q3's request: 0 5 2 4 3 1 -- 5, 2, 4, 3 arrive ahead of 1: 4 stored.
        permute(frames, q3.firstRequestFrame(), new int[] {0, 5, 2, 4, 3, 1}, keepTimes);
        // Q3's response: pairs swapped, the last three reversed: 2, 4, 6, 9, 8 stored.
        permute(frames, q3.firstResponseFrame(), new int[] {0, 2, 1, 4, 3, 6, 5, 9, 8, 7}, keepTimes);
        // Q1's response: 0 3 2 1 -- 3 and 2 stored.
        permute(frames, q1.firstResponseFrame(), new int[] {0, 3, 2, 1}, keepTimes);

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("reordered-" + keepTimes + ".pcap")));
        assertEvents(expectedEvents(c, CONN_AT_US, CLOSED_AT_US, "quit"), events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 3L,
            "out_of_order_segments", 4L + 5L + 2L));
    }

    @Test
    void duplicateAndOverlappingRetransmissionsGiveTheSameEvents() {
        final ScriptedConnection c = conversation();
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        final ScriptedConnection.Expected q1 = c.expected.get(0);
        final ScriptedConnection.Expected q3 = c.expected.get(2);
        final int response = q3.firstResponseFrame();
        final int quit = q3.endFrame();

        // Inserted back to front so the indices above stay valid. Each is wholly old data: dropped.
        // After QUIT, before the FINs: Q3's last response segment [360, 381) again (its ACK was lost).
        frames.add(quit + 1, c.resend(q3, false, 360, 381, ns(4_050)));
        // After response segment 4: a repacketised resend of [100, 180), the tail of segment 2,
        // all of 3, the head of 4.
        frames.add(response + 5, c.resend(q3, false, 100, 180, frames.get(response + 4).timestampNanos()));
        // Response segment 7 twice in a row (a spurious retransmit).
        frames.add(response + 8, frames.get(response + 7));
        // Q3's request segment 2 again after segment 4.
        final int request = q3.firstRequestFrame();
        frames.add(request + 5, c.resend(q3, true, 60, 90, frames.get(request + 4).timestampNanos()));
        // Q1's first request segment twice.
        frames.add(q1.firstRequestFrame() + 1, frames.get(q1.firstRequestFrame()));

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("retransmitted.pcap")));
        assertEvents(expectedEvents(c, CONN_AT_US, CLOSED_AT_US, "quit"), events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 3L,
            "retransmitted_segments", 5L));
    }

    /**
     * A resend that overlaps delivered bytes and carries new ones (the sender re-cut its segments):
     * the new part is taken, the old part ignored, and the original of the new part, arriving after,
     * is a retransmission.
     */
    @Test
    void resendCoveringOldAndNewBytesIsTakenOnce() {
        final ScriptedConnection c = conversation();
        final List<TcpConversation.Frame> frames = c.tcp.frames();
        final ScriptedConnection.Expected q3 = c.expected.get(2);
        // Before response segment 6 [240, 280): bytes [220, 280) -- the second half of segment 5 (old)
        // and all of 6 (new), at segment 6's time; segment 6 itself follows and is wholly old.
        final int at = q3.firstResponseFrame() + 6;
        frames.add(at, c.resend(q3, false, 220, 280, frames.get(at).timestampNanos()));

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("recut.pcap")));
        assertEvents(expectedEvents(c, CONN_AT_US, CLOSED_AT_US, "quit"), events(capture));
        assertCaptureEnd(capture, frames, Map.of("flows_total", 1L, "connections", 1L, "queries", 3L,
            "retransmitted_segments", 1L));
    }
}
