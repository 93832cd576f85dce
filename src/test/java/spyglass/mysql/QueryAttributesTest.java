package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static spyglass.mysql.MysqlConversationTrackerTest.loginPacket;
import static spyglass.testing.MysqlWire.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import spyglass.testing.MysqlWire;
import spyglass.event.ServerStatus;

/**
 * MySQL 8 query attributes ahead of a COM_QUERY's text, built byte by byte from the protocol's
 * description (COM_QUERY with CLIENT_QUERY_ATTRIBUTES): the text is found behind them whatever the
 * attributes' types and however the packet is split, and no attribute value reaches an event.
 */
class QueryAttributesTest {
    private static final long ATTRIBUTES = MysqlProtocol.CLIENT_QUERY_ATTRIBUTES;
    private static final String SQL = "SELECT a FROM t WHERE b = 'visible-literal' AND c = 7";
    private static final String[] SECRETS = {"trace-secret-0af7651916cd43dd", "tenant-secret-acme", "9188776655"};

    private static byte[] lenencString(final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) b.length}, b);
    }

    /** COM_QUERY with five attributes: a string, a LONGLONG, a NULL one, a DATETIME and a TINY. */
    private static byte[] queryWithAttributes(final String sql) {
        final MysqlWire w = payload().u8(0x03).u8(5).u8(1) // count 5, one set
            .u8(0b0000_0100) // null bitmap: the third is NULL
            .u8(1) // new params bind flag
            .u16(0xFD).bytes(lenencString("traceparent"))
            .u16(0x08).bytes(lenencString("tenant_id"))
            .u16(0x0F).bytes(lenencString("nothing"))
            .u16(0x0C).bytes(lenencString("deadline"))
            .u16(0x01 | 0x8000).bytes(lenencString("flag"))
            // values: the string, the LONGLONG, (no NULL), the DATETIME with its length, the TINY
            .bytes(lenencString(SECRETS[0] + "/" + SECRETS[1]))
            .u64(9188776655L)
            .u8(7).u16(2026).u8(11).u8(24).u8(6).u8(30).u8(59)
            .u8(0x2A);
        return w.bytes(sql.getBytes(StandardCharsets.UTF_8)).build();
    }

    private static Conversation conversation(final byte[] commandPayload) {
        return new Conversation()
            .server(10, packet(0, greeting("8.0.36", 42, SERVER_CAPS | ATTRIBUTES)))
            .client(20, loginPacket(CLIENT_CAPS | ATTRIBUTES, ""))
            .server(30, packet(2, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)))
            .client(100, packet(0, commandPayload))
            .server(110, packet(1, ok(0, 0, 2, 0)))
            .client(200, packet(0, payload().u8(0x03).u8(0).u8(1).bytes("SELECT 2".getBytes(StandardCharsets.UTF_8)).build()))
            .server(210, packet(1, ok(0, 0, 2, 0)));
    }

    private static void assertNoSecret(final List<Object> events) {
        final String all = events.toString();
        for (final String secret : SECRETS) {
            assertFalse(all.contains(secret), secret + " in " + all);
        }
    }

    @Test
    void theTextIsFoundBehindAttributesOfEveryKindAndEverySplit() {
        final Conversation c = conversation(queryWithAttributes(SQL));
        final List<List<Object>> runs = new ArrayList<>();
        runs.add(c.run(Conversation.tracker()));
        for (final int piece : new int[] {1, 2, 3, 5, 8, 13}) {
            runs.add(c.run(Conversation.tracker(), -1, piece));
        }
        for (long at = 1; at < c.totalBytes(); at++) {
            runs.add(c.run(Conversation.tracker(), at, 0));
        }
        for (final List<Object> events : runs) {
            final List<Recorder.Q> q = Recorder.queries(events);
            assertEquals(2, q.size(), events.toString());
            assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", q.get(0).sql);
            assertEquals("SELECT ?", q.get(1).sql);
            assertNoSecret(events);
        }
    }

    @Test
    void aBlockThatBreaksTheRulesHidesTheWholeStatement() {
        // new-params-bind flag 0: the values' types, so their lengths, are not sent
        final byte[] broken = payload().u8(0x03).u8(1).u8(1).u8(0).u8(0)
            .bytes(lenencString(SECRETS[0])).bytes(SQL.getBytes(StandardCharsets.UTF_8)).build();
        for (final int piece : new int[] {0, 1, 4}) {
            final MysqlConversationTracker tracker = Conversation.tracker();
            final List<Object> events = conversation(broken).run(tracker, -1, piece);
            final List<Recorder.Q> q = Recorder.queries(events);
            assertEquals(2, q.size(), events.toString());
            assertNull(q.get(0).sql);
            assertEquals("SELECT ?", q.get(1).sql);
            assertEquals(1, tracker.counters().protocolErrors());
            assertNoSecret(events);
        }
    }

    /**
     * Picked up mid-stream at a command that is no COM_QUERY (a ping here), a connection whose login
     * was not seen must still tell a block from text: the first COM_QUERY with attributes in it,
     * whole or split, plain or compressed, gives no value away. (A review found this leaking.)
     */
    @Test
    void aMidStreamConnectionResumedAtAnotherCommandStillStepsOverTheBlock() {
        final byte[] ping = packet(0, new byte[] {0x0e});
        final byte[] pong = packet(1, ok(0, 0, 2, 0));
        final byte[] attributed = packet(0, queryWithAttributes(SQL));
        final byte[] empty = packet(0, payload().u8(0x03).u8(0).u8(1).bytes("SELECT 2".getBytes(StandardCharsets.UTF_8)).build());
        final Conversation plain = new Conversation().midstream()
            .client(100, ping).server(110, pong)
            .client(200, attributed).server(210, pong)
            .client(300, empty).server(310, pong);
        final CompressedConversationTest.How zlib = CompressedConversationTest.How.ZLIB;
        final CompressedConversationTest.How asIs = CompressedConversationTest.How.AS_IS;
        final Conversation compressed = new Conversation().midstream()
            .client(100, CompressedConversationTest.compressed(0, ping, asIs))
            .server(110, CompressedConversationTest.compressed(1, pong, asIs))
            .client(200, CompressedConversationTest.compressed(0, attributed, zlib))
            .server(210, CompressedConversationTest.compressed(1, pong, zlib))
            .client(300, CompressedConversationTest.compressed(0, empty, zlib))
            .server(310, CompressedConversationTest.compressed(1, pong, zlib));
        for (final Conversation c : List.of(plain, compressed)) {
            // whole, and the attributed query cut in two at every byte (the ping, the resync point, stays whole)
            final long from = c.steps.get(0).bytes().length + c.steps.get(1).bytes().length;
            for (long at = from; at < from + c.steps.get(2).bytes().length; at++) {
                final List<Object> events = c.run(Conversation.tracker(), at, 0);
                final List<Recorder.Q> q = Recorder.queries(events);
                assertEquals(3, q.size(), events.toString());
                assertEquals("ping", q.get(0).cmd);
                assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", q.get(1).sql, "cut at " + at);
                assertEquals("SELECT ?", q.get(2).sql);
                assertNoSecret(events);
            }
        }
    }

    @Test
    void aConnectionPickedUpMidStreamLearnsTheAttributesFromAnEmptyBlock() {
        final Conversation c = new Conversation().midstream()
            .client(100, packet(0, payload().u8(0x03).u8(0).u8(1).bytes("SELECT 1".getBytes(StandardCharsets.UTF_8)).build()))
            .server(110, packet(1, ok(0, 0, 2, 0)))
            .client(200, packet(0, queryWithAttributes(SQL)))
            .server(210, packet(1, ok(0, 0, 2, 0)));
        final List<Object> events = c.run(Conversation.tracker());
        final List<Recorder.Q> q = Recorder.queries(events);
        assertEquals(2, q.size(), events.toString());
        assertEquals("SELECT ?", q.get(0).sql);
        assertEquals("SELECT a FROM t WHERE b = ? AND c = ?", q.get(1).sql);
        assertNoSecret(events);
    }
}
