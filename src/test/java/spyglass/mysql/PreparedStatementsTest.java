package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.mysql.MysqlConversationTrackerTest.digestOf;
import static spyglass.mysql.MysqlConversationTrackerTest.loggedIn;
import static spyglass.mysql.MysqlConversationTrackerTest.q;
import static spyglass.mysql.MysqlConversationTrackerTest.redacted;
import static spyglass.testing.MysqlWire.*;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;

/**
 * Prepared statements across a conversation: an execution carries the text it was prepared with,
 * whatever the parameters' values; one prepared before the capture is reported, text unknown; the
 * registry itself stays exact under churn.
 */
class PreparedStatementsTest {
    private static final long CAPS = CLIENT_CAPS | DEPRECATE_EOF;

    private static byte[] prepare(final String sql) {
        return packet(0, command(0x16, sql));
    }

    /** The prepare response of statement {@code id}, {@code params} parameters, no columns, no EOFs. */
    private static byte[] prepared(final int id, final int params) {
        final byte[][] parts = new byte[params + 1][];
        parts[0] = packet(1, prepareOk(id, 0, params, 0));
        for (int i = 0; i < params; i++) {
            parts[i + 1] = packet(2 + i, columnDef("?"));
        }
        return concat(parts);
    }

    /** COM_STMT_EXECUTE of {@code id} with one 8-byte integer parameter holding a secret value. */
    private static byte[] execute(final long id, final long secret) {
        return packet(0, payload().u8(0x17).u32(id).u8(0).u32(1).u8(0).u8(1).u8(8).u8(0).u64(secret).build());
    }

    private static byte[] updated(final int status) {
        return packet(1, ok(1, 0, status, 0));
    }

    @Test
    void anExecutionCarriesItsPreparedTextAndNoValue() {
        final String update = "UPDATE accounts SET balance = ? WHERE id = ? AND note = 'audit 2024'";
        final String select = "SELECT name FROM users WHERE id = ?";
        final Conversation c = loggedIn(CAPS, "")
            .client(100, prepare(update)).server(110, prepared(7, 2))
            .client(120, prepare(select)).server(130, prepared(8, 1))
            .client(200, execute(7, 4111_1111_1111_1111L)).server(210, updated(2))
            .client(300, execute(8, 987654321L)).server(310, updated(2))
            .client(400, execute(7, 5500_0000_0000_0004L)).server(410, updated(2));
        final List<Recorder.Q> events = Recorder.queries(c.run(Conversation.tracker()));
        assertEquals(5, events.size(), events.toString());
        final String updateText = redacted(update);
        assertEquals("UPDATE accounts SET balance = ? WHERE id = ? AND note = ?", updateText);
        final Recorder.Q first = (Recorder.Q) events.get(2);
        assertEquals(q(200, "execute", "").sql(updateText, digestOf(update)).params(2).timing(10, 10, 0).think(70)
            .affected(1).bytes(execute(7, 0).length, updated(2).length).status(2), first);
        assertEquals(redacted(select), ((Recorder.Q) events.get(3)).sql);
        assertEquals(1, ((Recorder.Q) events.get(3)).params);
        assertEquals(updateText, ((Recorder.Q) events.get(4)).sql);
        assertEquals(2, ((Recorder.Q) events.get(4)).params);
        for (final Object e : events) {
            final String text = String.valueOf(((Recorder.Q) e).sql);
            assertTrue(!text.contains("4111") && !text.contains("987654321") && !text.contains("audit"), text);
        }
    }

    @Test
    void aStatementPreparedBeforeTheCaptureIsReportedWithItsTextUnknown() {
        // the connection is picked up mid-stream: its statements were prepared before we looked
        final Conversation c = new Conversation().midstream()
            .client(100, execute(3, 42)).server(110, updated(2))
            .client(200, prepare("SELECT 1 FROM t WHERE a = ?")).server(210, prepared(4, 1))
            .client(300, execute(4, 43)).server(310, updated(2));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Recorder.Q> events = Recorder.queries(c.run(tracker));
        assertEquals(3, events.size(), events.toString());
        final Recorder.Q unknown = (Recorder.Q) events.get(0);
        assertEquals("execute", unknown.cmd);
        assertEquals(null, unknown.sql);
        assertEquals(-1, unknown.params);
        assertEquals(QueryEvent.FLAG_UNKNOWN_STATEMENT, unknown.flags & QueryEvent.FLAG_UNKNOWN_STATEMENT);
        final Recorder.Q known = (Recorder.Q) events.get(2);
        assertEquals("SELECT ? FROM t WHERE a = ?", known.sql);
        assertEquals(0, known.flags & QueryEvent.FLAG_UNKNOWN_STATEMENT);
        assertEquals(1, tracker.counters.unknownPreparedStatements());
    }

    @Test
    void closeResetAndChangeOfUserForgetTheStatements() {
        final String sql = "DELETE FROM sessions WHERE id = ?";
        final Conversation c = loggedIn(CAPS, "")
            .client(100, prepare(sql)).server(110, prepared(1, 1))
            .client(120, packet(0, payload().u8(0x19).u32(1).build())) // COM_STMT_CLOSE: no response
            .client(130, execute(1, 5)).server(140, updated(2))
            .client(200, prepare(sql)).server(210, prepared(2, 1))
            .client(220, packet(0, payload().u8(0x1f).build())).server(230, updated(2)) // COM_RESET_CONNECTION
            .client(240, execute(2, 6)).server(250, updated(2))
            .client(300, prepare(sql)).server(310, prepared(3, 1))
            .client(320, execute(3, 7)).server(330, updated(2));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Recorder.Q> events = Recorder.queries(c.run(tracker));
        assertEquals(7, events.size(), events.toString());
        assertEquals(QueryEvent.FLAG_UNKNOWN_STATEMENT, ((Recorder.Q) events.get(1)).flags);
        assertEquals(QueryEvent.FLAG_UNKNOWN_STATEMENT, ((Recorder.Q) events.get(4)).flags);
        assertEquals(redacted(sql), ((Recorder.Q) events.get(6)).sql);
        // the conversation is over (END_OF_CAPTURE closes it): its last statement is freed too
        assertEquals(0, tracker.prepared.size());
    }

    @Test
    void mariaDbsLastPreparedStatementAndBulkExecution() {
        final String sql = "INSERT INTO events (user_id, kind) VALUES (?, ?)";
        final byte[] bulk = packet(0, payload().u8(0xfa).u32(0xFFFF_FFFFL).u16(0x80).u8(8).u8(0).u8(253).u8(0)
            .u8(0).u64(11).u8(0).u8(1).u8('x').build());
        final Conversation c = loggedIn(CAPS, "")
            .client(100, prepare(sql)).server(110, prepared(9, 2))
            .client(200, execute(0xFFFF_FFFFL, 12)).server(210, updated(2))
            .client(300, bulk).server(310, updated(2));
        final List<Recorder.Q> events = Recorder.queries(c.run(Conversation.tracker()));
        assertEquals(3, events.size(), events.toString());
        for (final Object e : events.subList(1, 3)) {
            assertEquals(redacted(sql), ((Recorder.Q) e).sql);
            assertEquals(2, ((Recorder.Q) e).params);
        }
        assertEquals("bulk_execute", ((Recorder.Q) events.get(2)).cmd);
    }

    /**
     * MariaDB Connector/J pipelines PREPARE and EXECUTE(-1) without waiting for the prepare's answer
     * (a review found this broke the conversation): the execution starts when the prepare ends.
     */
    @Test
    void aPipelinedExecutionOfTheLastPreparedStatement() {
        final String sql = "UPDATE accounts SET balance = ? WHERE id = 9";
        final byte[] prepareOk = concat(packet(1, prepareOk(9, 0, 1, 0)), packet(2, columnDef("?")));
        for (final boolean prepareFails : new boolean[] {false, true}) {
            final Conversation c = loggedIn(CAPS, "")
                .client(100, prepare(sql), execute(0xFFFF_FFFFL, 4111_1111_1111_1111L))
                .server(110, prepareFails ? packet(1, err(1064, "42000", "syntax")) : prepareOk)
                .server(120, prepareFails ? packet(1, err(1243, "HY000", "unknown statement")) : updated(2))
                .client(200, packet(0, query("SELECT 1"))).server(210, packet(1, ok(0, 0, 2, 0)));
            final MysqlConversationTracker tracker = Conversation.tracker();
            final List<Recorder.Q> events = Recorder.queries(c.run(tracker));
            assertEquals(3, events.size(), events.toString());
            assertEquals("prepare", events.get(0).cmd);
            final Recorder.Q execution = events.get(1);
            assertEquals("execute", execution.cmd);
            assertEquals(false, execution.lossy);
            if (prepareFails) {
                assertEquals(null, execution.sql); // MariaDB answers "unknown statement": so do we
                assertEquals(1243, execution.errorCode);
            } else {
                assertEquals(redacted(sql), execution.sql);
                assertEquals(1, execution.params);
                assertEquals(1, execution.affected);
                assertEquals(20, execution.latency); // from its request to its answer: the wait behind the prepare is in it
            }
            assertEquals("SELECT ?", events.get(2).sql);
            assertEquals(0, tracker.counters().protocolErrors());
        }
    }

    @Test
    void aCursorsExecutionEndsAtItsDefinitionsAndItsRowsComeToFetches() {
        final String sql = "SELECT a FROM t WHERE b > ?";
        final int cursor = ServerStatus.CURSOR_EXISTS | 2;
        final byte[] openCursor = packet(0, payload().u8(0x17).u32(5).u8(1).u32(1).u8(0).u8(1).u8(8).u8(0).u64(1).build());
        final byte[] definitions = concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, cursor)));
        final byte[] fetch = packet(0, payload().u8(0x1c).u32(5).u32(2).build());
        final byte[] rows = concat(packet(1, new byte[] {0, 0, 1, 'x'}), packet(2, new byte[] {0, 0, 1, 'y'}),
            packet(3, eof(0, ServerStatus.LAST_ROW_SENT | 2)));
        final Conversation c = loggedIn(CLIENT_CAPS, "")
            .client(100, prepare(sql)).server(110, concat(packet(1, prepareOk(5, 1, 1, 0)), packet(2, columnDef("?")),
                packet(3, eof(0, 2)), packet(4, columnDef("a")), packet(5, eof(0, 2))))
            .client(200, openCursor).server(210, definitions)
            .client(300, fetch).server(310, rows);
        final List<Recorder.Q> events = Recorder.queries(c.run(Conversation.tracker()));
        assertEquals(3, events.size(), events.toString());
        final Recorder.Q opened = (Recorder.Q) events.get(1);
        assertEquals(0, opened.rows);
        assertEquals(cursor, opened.status);
        final Recorder.Q fetched = (Recorder.Q) events.get(2);
        assertEquals("fetch", fetched.cmd);
        assertEquals(redacted(sql), fetched.sql);
        assertEquals(2, fetched.rows);
    }

    /**
     * MariaDB 10.6+ with MARIADB_CLIENT_CACHE_METADATA: an execution's column count is followed by a
     * "metadata follows" byte, and when it is 0 the definitions are not sent again.
     */
    @Test
    void mariaDbSkipsTheDefinitionsOfAnExecutionItHasSentBefore() {
        final long cacheMetadata = MysqlProtocol.MARIADB_CLIENT_CACHE_METADATA;
        final long serverCaps = (SERVER_CAPS & ~CLIENT_MYSQL) | cacheMetadata;
        final long clientCaps = (CLIENT_CAPS & ~CLIENT_MYSQL) | DEPRECATE_EOF | cacheMetadata;
        final String sql = "SELECT name FROM users WHERE id > ?";
        final byte[] firstRun = concat(packet(1, payload().lenenc(1).u8(1).build()), packet(2, columnDef("name")),
            packet(3, new byte[] {0, 0, 3, 'b', 'o', 'b'}), packet(4, new byte[] {0, 0, 2, 'a', 'l'}), packet(5, okEof(2, 0)));
        final byte[] cachedRun = concat(packet(1, payload().lenenc(1).u8(0).build()),
            packet(2, new byte[] {0, 0, 3, 'e', 'v', 'e'}), packet(3, okEof(2, 0)));
        final Conversation c = new Conversation()
            .server(10, packet(0, greeting("11.4.2-MariaDB", 42, serverCaps)))
            .client(20, packet(1, login(clientCaps, "app", "")))
            .server(30, packet(2, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)))
            .client(100, prepare(sql)).server(110, concat(packet(1, prepareOk(6, 1, 1, 0)), packet(2, columnDef("?")),
                packet(3, columnDef("name"))))
            .client(200, execute(6, 1)).server(210, firstRun)
            .client(300, execute(6, 2)).server(310, cachedRun)
            .client(400, packet(0, query("SELECT 1"))).server(410, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Recorder.Q> events = Recorder.queries(c.run(tracker));
        assertEquals(4, events.size(), events.toString());
        assertEquals(2, ((Recorder.Q) events.get(1)).rows);
        assertEquals(1, ((Recorder.Q) events.get(2)).rows);
        assertEquals(redacted(sql), ((Recorder.Q) events.get(2)).sql);
        assertEquals("SELECT ?", ((Recorder.Q) events.get(3)).sql);
        assertEquals(0, tracker.counters().protocolErrors());
    }

    @Test
    void theRegistryAgreesWithAMapUnderChurn() {
        final PreparedStatements registry = new PreparedStatements(64, 4096);
        final Map<Long, String> expected = new HashMap<>();
        final int[] heads = new int[8];
        java.util.Arrays.fill(heads, PreparedStatements.NONE);
        final Random rnd = new Random(5);
        final byte[] out = new byte[4096];
        for (int step = 0; step < 200_000; step++) {
            final int conn = rnd.nextInt(8);
            final long id = rnd.nextInt(40);
            final long key = (long) conn << 32 | id;
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    if (registry.size() < 64 || expected.containsKey(key)) {
                        final String text = "SELECT " + step + " FROM t" + conn;
                        final byte[] b = text.getBytes(StandardCharsets.UTF_8);
                        heads[conn] = registry.add(heads[conn], conn, id, b, b.length, step, false, (int) id);
                        expected.put(key, text);
                    }
                }
                case 2 -> {
                    final int e = registry.find(conn, id);
                    assertEquals(expected.containsKey(key), e != PreparedStatements.NONE, "step " + step);
                    if (e != PreparedStatements.NONE) {
                        heads[conn] = registry.remove(heads[conn], e);
                        expected.remove(key);
                    }
                }
                default -> {
                    if (rnd.nextInt(50) == 0) {
                        registry.removeAll(heads[conn]);
                        heads[conn] = PreparedStatements.NONE;
                        expected.keySet().removeIf(k -> k >>> 32 == conn);
                    }
                }
            }
            if (step % 97 == 0) {
                for (final Map.Entry<Long, String> x : expected.entrySet()) {
                    final int e = registry.find(x.getKey() >>> 32, x.getKey() & 0xFFFF_FFFFL);
                    assertTrue(e != PreparedStatements.NONE, "step " + step + " lost " + x);
                    final int n = registry.text(e, out);
                    if (n >= 0) {
                        assertEquals(x.getValue(), new String(out, 0, n, StandardCharsets.UTF_8), "step " + step);
                    }
                    assertEquals(x.getKey() & 0xFFFF_FFFFL, registry.parameterCount(e));
                }
                assertEquals(expected.size(), registry.size(), "step " + step);
            }
        }
        // the ring is small: old texts were written over, and said so rather than read as garbage
        assertTrue(registry.textsOverwritten() > 0);
    }

    @Test
    void aFullRegistryRefusesAndCounts() {
        final PreparedStatements registry = new PreparedStatements(4, 1024);
        int head = PreparedStatements.NONE;
        final byte[] text = "SELECT ?".getBytes(StandardCharsets.UTF_8);
        for (int id = 1; id <= 6; id++) {
            head = registry.add(head, 1, id, text, text.length, 0, false, 1);
        }
        assertEquals(4, registry.size());
        assertEquals(2, registry.refusedFull());
        assertEquals(PreparedStatements.NONE, registry.find(1, 5));
        registry.removeAll(head);
        assertEquals(0, registry.size());
    }
}
