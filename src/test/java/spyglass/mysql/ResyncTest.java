package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.mysql.MysqlConversationTrackerTest.digestOf;
import static spyglass.mysql.MysqlConversationTrackerTest.len;
import static spyglass.mysql.MysqlConversationTrackerTest.loggedIn;
import static spyglass.mysql.MysqlConversationTrackerTest.q;
import static spyglass.testing.MysqlWire.*;

import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.event.CloseReason;
import spyglass.event.QueryEvent;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.TcpFlow;

/** Loss, mid-stream pickup, desync and malformed input: the state machine must survive them all. */
class ResyncTest {
    static final String ID = Conversation.ID;

    static Recorder.Q midQ(final long ts, final String cmd) {
        return new Recorder.Q().ts(ts).conn(ID).threadId(-1).user(null).db(null).cmd(cmd);
    }

    @Test
    void gapMidResponseEmitsTheCommandLossyThenTheNextCommandDecodes() {
        final byte[] q1 = packet(0, query("SELECT a FROM t"));
        final byte[] before = concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, 2)),
            packet(4, row("1")));
        final byte[] after = concat(packet(6, row("3")), packet(7, eof(0, 2)));
        final byte[] q2 = packet(0, query("SELECT 2"));
        final byte[] ok = packet(1, ok(0, 0, 2, 0));
        final Conversation c = loggedIn(CLIENT_CAPS, "")
            .client(100, q1).server(150, before).gap(false, 160).server(170, after)
            .client(300, q2).server(310, ok)
            .client(400, packet(0, query("SELECT 3"))).server(405, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(5, events.size(), events.toString());
        assertEquals(q(100, "query", "").sql("SELECT a FROM t", digestOf("SELECT a FROM t")).timing(-1, 50, -1)
            .rows(1).bytes(q1.length, before.length).lossy(true), events.get(1));
        assertEquals(q(300, "query", "").sql("SELECT ?", digestOf("SELECT 2")).timing(10, 10, 0).affected(0)
            .bytes(q2.length, ok.length).status(2).flags(QueryEvent.FLAG_RESYNC), events.get(2));
        assertEquals(q(400, "query", "").sql("SELECT ?", digestOf("SELECT 3")).timing(5, 5, 0).think(90)
            .affected(0).bytes(13, 11).status(2), events.get(3));
        assertEquals(1, tracker.counters().resyncs());
        assertEquals(1, tracker.counters().gapsInCommands());
        assertEquals(0, tracker.counters().protocolErrors());
    }

    @Test
    void gapBeforeAnyResponseMarksNoResponse() {
        final byte[] q1 = packet(0, query("SELECT a FROM t"));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, q1).gap(true, 120)
            .client(200, packet(0, query("SELECT 1"))).server(201, packet(1, ok(0, 0, 2, 0)));
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "query", "").sql("SELECT a FROM t", digestOf("SELECT a FROM t")).bytes(q1.length, 0)
            .flags(QueryEvent.FLAG_NO_RESPONSE).lossy(true), events.get(1));
        assertEquals(QueryEvent.FLAG_RESYNC, ((Recorder.Q) events.get(2)).flags);
    }

    @Test
    void gapCuttingARequestDropsItAndCountsIt() {
        final byte[] q1 = packet(0, query("SELECT a FROM t"));
        final Conversation c = loggedIn(CLIENT_CAPS, "")
            .client(100, java.util.Arrays.copyOf(q1, 8)).gap(true, 120)
            .client(200, packet(0, query("SELECT 1"))).server(201, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(3, events.size());
        assertEquals("SELECT ?", ((Recorder.Q) events.get(1)).sql);
        assertEquals(1, tracker.counters().droppedCommands());
    }

    /** Picked up mid-stream; DEPRECATE_EOF unknown and learnt from the traffic, both ways. */
    @Test
    void midstreamPickupWaitsForAPlausibleCommand() {
        for (final boolean dep : new boolean[] {false, true}) {
            final byte[] resp = dep
                ? concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, row("1")),
                packet(4, row("2")), packet(5, okEof(2, 0)))
                : concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, 2)),
                packet(4, row("1")), packet(5, row("2")), packet(6, eof(0, 2)));
            final byte[] empty = dep
                ? concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, okEof(2, 0)))
                : concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, 2)),
                packet(4, eof(0, 2)));
            final byte[] good = packet(0, query("SELECT a FROM t"));
            final Conversation c = new Conversation().midstream()
                .server(5, packet(7, row("tail")), packet(8, eof(0, 2)))            // the end of someone's result
                .client(10, new byte[] {2, 0, 0, 0, 3, 'S', 'E', 'L'})               // length does not fit
                .client(11, packet(1, query("SELECT 1")))                             // sequence id 1
                .client(12, packet(0, new byte[] {0x03, 0x01, (byte) 0xFF, 0x00, 0x7F})) // not SQL
                .client(13, packet(0, new byte[] {0x55, 1, 2}))                        // unknown command
                .client(14, concat(good, good))                                       // two packets in one chunk
                .server(15, packet(1, ok(0, 0, 2, 0)))                                // no command pending
                .client(30, good).server(40, resp)
                .client(100, good).server(120, empty);
            final MysqlConversationTracker tracker = Conversation.tracker();
            final List<Object> events = c.run(tracker);
            assertEquals(List.of(
                new Recorder.Conn(30, ID, Conversation.CLIENT, Conversation.SERVER, -1, null, null, null, false, false,
                    true, 0, 1),
                midQ(30, "query").sql("SELECT a FROM t", digestOf("SELECT a FROM t")).timing(10, 10, 0).rows(2)
                    .bytes(good.length, resp.length).status(2).flags(QueryEvent.FLAG_RESYNC),
                midQ(100, "query").sql("SELECT a FROM t", digestOf("SELECT a FROM t")).timing(20, 20, 0).think(60)
                    .rows(0).bytes(good.length, empty.length).status(2),
                // Totals: every byte is counted; packets only once framed (after the pickup).
                new Recorder.Close(c.closeTs, ID, CloseReason.FIN, 2, 0, 8 + 13 + 9 + 7 + 4L * good.length,
                    len(packet(7, row("tail")), packet(8, eof(0, 2)), packet(1, ok(0, 0, 2, 0)), resp, empty),
                    2, dep ? 8 : 10)), events, "deprecateEof=" + dep);
            assertEquals(1, tracker.counters().resyncs());
            assertEquals(1, tracker.counters().midstreamConnections());
            assertEquals(0, tracker.counters().protocolErrors());
        }
    }

    @Test
    void midstreamConnectionWithNothingPlausibleStillOpensAndCloses() {
        final Conversation c = new Conversation().midstream().client(5, new byte[] {1, 2, 3, 4, 5, 6, 7})
            .server(6, new byte[] {9, 9, 9}).close(FlowCloseReason.IDLE, 50);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(List.of(
            new Recorder.Conn(50, ID, Conversation.CLIENT, Conversation.SERVER, -1, null, null, null, false, false,
                true, 0, 1),
            new Recorder.Close(50, ID, CloseReason.IDLE, 0, 0, 7, 3, 0, 0)), events);
    }

    @Test
    void unexpectedServerSequenceIdResyncs() {
        final byte[] q1 = packet(0, query("SELECT 1"));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, q1).server(110, packet(5, ok(0, 0, 2, 0)))
            .client(200, packet(0, query("SELECT 2"))).server(201, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(q(100, "query", "").sql("SELECT ?", digestOf("SELECT 1")).bytes(13, 0)
            .flags(QueryEvent.FLAG_NO_RESPONSE).lossy(true), events.get(1));
        assertEquals(q(200, "query", "").sql("SELECT ?", digestOf("SELECT 2")).timing(1, 1, 0).affected(0)
            .bytes(13, 11).status(2).flags(QueryEvent.FLAG_RESYNC), events.get(2));
        assertEquals(1, tracker.counters().protocolErrors());
        assertEquals(1, tracker.counters().resyncs());
    }

    @Test
    void clientCommandWithNonZeroSequenceIdResyncs() {
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, packet(3, query("SELECT 1")))
            .server(101, packet(4, ok(0, 0, 2, 0)))
            .client(200, packet(0, query("SELECT 2"))).server(201, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(3, events.size());
        assertEquals(200, ((Recorder.Q) events.get(1)).ts);
        assertEquals(1, tracker.counters().protocolErrors());
    }

    @Test
    void serverPacketWithNoPendingCommandIsSkippedAndCounted() {
        final Conversation c = loggedIn(CLIENT_CAPS, "").server(50, packet(0, err(4031, "HY000", "timeout")))
            .client(100, packet(0, query("SELECT 1"))).server(101, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(3, events.size());
        assertEquals(1, tracker.counters().orphanServerPackets());
        assertEquals(0, ((Recorder.Q) events.get(1)).flags);
    }

    /** Mutated and truncated conversations, fed in random chunks: nothing may escape. */
    @Test
    void malformedInputNeverThrows() {
        final Conversation base = MysqlConversationTrackerTest.richConversation();
        final Random random = new Random(12345);
        final MysqlConversationTracker tracker = Conversation.tracker();
        for (int round = 0; round < 3000; round++) {
            final TcpFlow flow = Conversation.flow("a", "b");
            tracker.onFlowOpen(flow, random.nextInt(4) != 0, 0);
            for (final Conversation.Step s : base.steps) {
                final byte[] b = s.bytes().clone();
                final int flips = random.nextInt(4);
                for (int i = 0; i < flips && b.length > 0; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                final int n = random.nextInt(10) == 0 ? random.nextInt(b.length + 1) : b.length; // truncation
                int off = 0;
                while (off < n) {
                    final int piece = 1 + random.nextInt(n - off);
                    tracker.onData(flow, s.client(), new UnsafeBuffer(b), off, piece, s.ts());
                    off += piece;
                }
                if (random.nextInt(30) == 0) {
                    tracker.onGap(flow, random.nextBoolean(), 10, s.ts());
                }
            }
            if (random.nextInt(3) == 0) {
                final byte[] junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
                tracker.onData(flow, random.nextBoolean(), new UnsafeBuffer(junk), 0, junk.length, 700);
            }
            tracker.onFlowClose(flow, FlowCloseReason.FIN, 1000);
        }
        assertEquals(0, tracker.liveConnections());
        assertTrue(tracker.counters().protocolErrors() > 0);
    }

    @Test
    void truncatedHandshakePacketsAreCountedNotThrown() {
        final Conversation c = new Conversation()
            .server(10, packet(0, new byte[] {10, 'x'}))      // greeting cut after the version's first byte
            .client(20, packet(1, new byte[] {0, 2}))         // login response of two bytes
            .server(30, packet(2, new byte[] {0}))            // a one-byte OK
            .client(40, packet(0, new byte[] {0x03}))         // an empty COM_QUERY
            .server(50, packet(1, new byte[] {(byte) 0xFF}));  // an ERR with no code
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(Recorder.Close.class, events.get(events.size() - 1).getClass());
        assertTrue(tracker.counters().protocolErrors() > 0);
    }

    /** Mid-stream, DEPRECATE_EOF is unknown: a prepare response may or may not end with EOFs. */
    @Test
    void midstreamPrepareResponseEndsEitherWay() {
        final String sql = "SELECT a FROM t WHERE id = ?";
        for (final boolean dep : new boolean[] {false, true}) {
            final byte[] prep = packet(0, command(0x16, sql));
            final byte[] resp = dep
                ? concat(packet(1, prepareOk(9, 1, 1, 0)), packet(2, columnDef("?")), packet(3, columnDef("a")))
                : concat(packet(1, prepareOk(9, 1, 1, 0)), packet(2, columnDef("?")), packet(3, eof(0, 2)),
                packet(4, columnDef("a")), packet(5, eof(0, 2)));
            final Conversation c = new Conversation().midstream()
                .client(30, prep).server(40, resp)
                .client(100, packet(0, query("SELECT 1"))).server(101, packet(1, ok(0, 0, 2, 0)));
            final MysqlConversationTracker tracker = Conversation.tracker();
            final List<Object> events = c.run(tracker);
            assertEquals(4, events.size(), events.toString());
            assertEquals(midQ(30, "prepare").sql(MysqlConversationTrackerTest.redacted(sql), digestOf(sql))
                .timing(10, 10, 0).bytes(prep.length, resp.length).flags(QueryEvent.FLAG_RESYNC), events.get(1));
            assertEquals(midQ(100, "query").sql("SELECT ?", digestOf("SELECT 1")).timing(1, 1, 0).think(60)
                .affected(0).bytes(13, 11).status(2), events.get(2));
            assertEquals(0, tracker.counters().protocolErrors());
        }
    }
}
