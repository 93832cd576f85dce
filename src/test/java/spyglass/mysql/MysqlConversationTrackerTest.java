package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static spyglass.testing.MysqlWire.*;

import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.event.CloseReason;
import spyglass.event.QueryEvent;
import spyglass.event.ServerStatus;
import spyglass.redact.SqlRedactor;
import spyglass.tcp.FlowCloseReason;

class MysqlConversationTrackerTest {
    static final String ID = Conversation.ID;
    static final long CLOSE = 1_000_000_000L;

    static long len(final byte[]... parts) {
        long n = 0;
        for (final byte[] p : parts) {
            n += p.length;
        }
        return n;
    }

    static long digestOf(final String sql) {
        final SqlRedactor r = new SqlRedactor();
        final byte[] b = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        r.redact(new UnsafeBuffer(b), 0, b.length, new UnsafeBuffer(new byte[b.length * 2 + 16]), 0, b.length * 2 + 16);
        return r.digest();
    }

    static String redacted(final String sql) {
        final SqlRedactor r = new SqlRedactor();
        final byte[] b = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[b.length * 2 + 16]);
        final int n = r.redact(new UnsafeBuffer(b), 0, b.length, dst, 0, dst.capacity());
        return dst.getStringWithoutLengthUtf8(0, n);
    }

    // The login every test starts with: greeting at 10, response at 20, OK at 30.
    static final byte[] GREETING = packet(0, greeting("8.0.36", 42, SERVER_CAPS));
    static final byte[] LOGIN_OK = packet(2, ok(0, 0, ServerStatus.AUTOCOMMIT, 0));

    static byte[] loginPacket(final long caps, final String db) {
        return packet(1, login(caps, "app", db));
    }

    static Conversation loggedIn(final long clientCaps, final String db) {
        return new Conversation().server(10, GREETING).client(20, loginPacket(clientCaps, db)).server(30, LOGIN_OK);
    }

    static Recorder.Conn conn(final long clientCaps, final String db) {
        return new Recorder.Conn(30, ID, Conversation.CLIENT, Conversation.SERVER, 42, "8.0.36", "app", db, false,
            false, false, clientCaps & SERVER_CAPS, 1);
    }

    static Recorder.Q q(final long ts, final String cmd, final String db) {
        return new Recorder.Q().ts(ts).conn(ID).threadId(42).user("app").db(db).cmd(cmd);
    }

    static Recorder.Close close(final Conversation c, final CloseReason reason, final long queries,
                                final long errors, final long packetsIn, final long packetsOut) {
        long in = 0;
        long out = 0;
        for (final Conversation.Step s : c.steps) {
            if (s.client()) {
                in += s.bytes().length;
            } else {
                out += s.bytes().length;
            }
        }
        return new Recorder.Close(c.closeTs, ID, reason, queries, errors, in, out, packetsIn, packetsOut);
    }

    // ------------------------------------------------------------------ result sets

    /** Two SELECTs; the same conversation with and without CLIENT_DEPRECATE_EOF must read the same. */
    private static void selectConversation(final boolean deprecateEof) {
        final long caps = CLIENT_CAPS | CONNECT_WITH_DB | (deprecateEof ? DEPRECATE_EOF : 0);
        final byte[] q1 = packet(0, query("SELECT a, b FROM t WHERE id = 5"));
        final byte[][] head = deprecateEof
            ? new byte[][] {packet(1, columnCount(2)), packet(2, columnDef("a")), packet(3, columnDef("b"))}
            : new byte[][] {packet(1, columnCount(2)), packet(2, columnDef("a")), packet(3, columnDef("b")),
                packet(4, eof(0, 0x0002))};
        final int s = deprecateEof ? 4 : 5;
        final byte[] r1 = packet(s, row("1", "x"));
        final byte[] r2 = packet(s + 1, row("2", "y"));
        final byte[] end = packet(s + 2, deprecateEof ? okEof(0x0022, 1) : eof(1, 0x0022));
        final byte[] q2 = packet(0, query("SELECT 1"));
        final byte[][] resp2 = deprecateEof
            ? new byte[][] {packet(1, columnCount(1)), packet(2, columnDef("1")), packet(3, row("1")),
                packet(4, okEof(0x0002, 0))}
            : new byte[][] {packet(1, columnCount(1)), packet(2, columnDef("1")), packet(3, eof(0, 0x0002)),
                packet(4, row("1")), packet(5, eof(0, 0x0002))};
        final Conversation c = loggedIn(caps, "shop")
            .client(1000, q1)
            .server(1500, head)
            .server(1700, r1, r2, end)
            .client(2000, q2)
            .server(2100, resp2);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(List.of(
            conn(caps, "shop"),
            q(1000, "query", "shop").sql("SELECT a, b FROM t WHERE id = ?", digestOf("SELECT a, b FROM t WHERE id = 5"))
                .timing(700, 500, 200).rows(2).bytes(q1.length, len(head) + len(r1, r2, end))
                .warnings(1).status(0x0022),
            q(2000, "query", "shop").sql("SELECT ?", digestOf("SELECT 1")).timing(100, 100, 0).think(300)
                .rows(1).bytes(13, len(resp2)).status(0x0002),
            close(c, CloseReason.FIN, 2, 0, 3, deprecateEof ? 12 : 14)), events);
    }

    @Test
    void selectWithEofPackets() {
        selectConversation(false);
    }

    @Test
    void selectWithDeprecateEof() {
        selectConversation(true);
    }

    @Test
    void rowsStartingWithEmptyStringOrNullAreRows() {
        for (final boolean deprecateEof : new boolean[] {false, true}) {
            final long caps = CLIENT_CAPS | (deprecateEof ? DEPRECATE_EOF : 0);
            final byte[] rowEmpty = row("", "a");  // first byte 0x00
            final byte[] rowNull = row(null, "b"); // first byte 0xFB
            assertEquals(0x00, rowEmpty[0]);
            assertEquals((byte) 0xFB, rowNull[0]);
            int seq = 1;
            final byte[] resp = deprecateEof
                ? concat(packet(seq++, columnCount(2)), packet(seq++, columnDef("x")), packet(seq++, columnDef("y")),
                packet(seq++, rowEmpty), packet(seq++, rowNull), packet(seq++, rowEmpty), packet(seq, okEof(2, 0)))
                : concat(packet(seq++, columnCount(2)), packet(seq++, columnDef("x")), packet(seq++, columnDef("y")),
                packet(seq++, eof(0, 2)), packet(seq++, rowEmpty), packet(seq++, rowNull), packet(seq++, rowEmpty),
                packet(seq, eof(0, 2)));
            final Conversation c = loggedIn(caps, "").client(100, packet(0, query("SELECT x, y FROM t")))
                .server(200, resp);
            final List<Object> events = c.run(Conversation.tracker());
            assertEquals(q(100, "query", "").sql("SELECT x, y FROM t", digestOf("SELECT x, y FROM t"))
                .timing(100, 100, 0).rows(3).bytes(4 + 19, resp.length).status(2), events.get(1));
        }
    }

    /**
     * In row position, a 0xFE packet shorter than 0xFFFFFF is the terminator (here a 20-byte OK, with
     * session-state info); only a row whose first column is 16 MB or longer starts with 0xFE, and its
     * packet is then at least 0xFFFFFF long.
     */
    @Test
    void feInRowPositionIsTheTerminatorUnlessThePacketIsHuge() {
        final long caps = CLIENT_CAPS | DEPRECATE_EOF;
        final byte[] longOk = payload().u8(0xFE).lenenc(0).lenenc(0).u16(0x4002).u16(0).lenencText("")
            .lenencText("0123456789a").build();
        assertEquals(20, longOk.length);
        final byte[] hugeValue = new byte[0xFFFFFF + 5];
        final byte[] hugeRow = payload().u8(0xFE).u32(hugeValue.length).u32(0).bytes(hugeValue).build();
        final byte[] resp = concat(packet(1, columnCount(1)), packet(2, columnDef("blob")),
            packets(3, hugeRow), packet(5, row("small")), packet(6, longOk));
        final Conversation c = loggedIn(caps, "").client(100, packet(0, query("SELECT blob FROM t")))
            .server(200, resp);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "query", "").sql("SELECT blob FROM t", digestOf("SELECT blob FROM t"))
            .timing(100, 100, 0).rows(2).bytes(4 + 19, resp.length).status(0x4002), events.get(1));
    }

    @Test
    void emptyResultSetEndsWithAndWithoutDeprecateEof() {
        final byte[] eofResp = concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, 2)),
            packet(4, eof(0, 2)));
        final byte[] depResp = concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, okEof(2, 0)));
        for (final boolean dep : new boolean[] {false, true}) {
            final byte[] resp = dep ? depResp : eofResp;
            final Conversation c = loggedIn(CLIENT_CAPS | (dep ? DEPRECATE_EOF : 0), "")
                .client(100, packet(0, query("SELECT a FROM t WHERE false")))
                .server(150, resp)
                .client(300, packet(0, query("SELECT a FROM t")))
                .server(350, resp);
            final List<Object> events = c.run(Conversation.tracker());
            assertEquals(4, events.size());
            assertEquals(q(100, "query", "").sql("SELECT a FROM t WHERE ?", digestOf("SELECT a FROM t WHERE false"))
                .timing(50, 50, 0).rows(0).bytes(4 + 28, resp.length).status(2), events.get(1));
            assertEquals(q(300, "query", "").sql("SELECT a FROM t", digestOf("SELECT a FROM t"))
                .timing(50, 50, 0).think(150).rows(0).bytes(4 + 16, resp.length).status(2), events.get(2));
        }
    }

    // ------------------------------------------------------------------ OK, ERR, progress

    @Test
    void okWithAffectedRowsStatusFlagsAndWarnings() {
        final int status = ServerStatus.IN_TRANS | ServerStatus.NO_INDEX_USED | ServerStatus.QUERY_WAS_SLOW;
        final byte[] okPacket = packet(1, ok(300, 70000, status, 2));
        final String sql = "UPDATE t SET a = 'x' WHERE b > 10";
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, packet(0, query(sql))).server(400, okPacket);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "query", "").sql("UPDATE t SET a = ? WHERE b > ?", digestOf(sql)).timing(300, 300, 0)
            .affected(300).lastInsertId(70000).bytes(4 + 1 + sql.length(), okPacket.length).warnings(2)
            .status(0x0821), events.get(1));
    }

    @Test
    void errKeepsCodeAndSqlStateButNeverTheMessage() {
        final byte[] errPacket = packet(1, err(1062, "23000", "Duplicate entry 'secret@example.com' for key"));
        final String sql = "INSERT INTO u VALUES (1)";
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, packet(0, query(sql))).server(120, errPacket);
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(q(100, "query", "").sql("INSERT INTO u VALUES (?)", digestOf(sql)).timing(20, 20, 0)
            .bytes(4 + 1 + sql.length(), errPacket.length).error(1062, "23000"), events.get(1));
        assertEquals(close(c, CloseReason.FIN, 1, 1, 2, 3), events.get(2));
        assertEquals(1, tracker.counters().errors());
        assertEquals(1, tracker.counters().queries());
    }

    @Test
    void mariadbProgressReportIsNotAnError() {
        final byte[] p1 = packet(1, progress(1, 2, 500));
        final byte[] p2 = packet(2, progress(2, 2, 900));
        final byte[] okPacket = packet(3, ok(0, 0, 2, 0));
        final long caps = (CLIENT_CAPS & ~CLIENT_MYSQL) | MARIADB_PROGRESS;
        final byte[] greeting = packet(0, greeting("5.5.5-10.11.6-MariaDB", 42,
            (SERVER_CAPS & ~CLIENT_MYSQL) | MARIADB_PROGRESS | MARIADB_BULK));
        final String sql = "ALTER TABLE t ADD COLUMN c INT";
        final Conversation c = new Conversation().server(10, greeting).client(20, loginPacket(caps, ""))
            .server(30, LOGIN_OK)
            .client(100, packet(0, query(sql)))
            .server(200, p1).server(300, p2).server(5000, okPacket);
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        // The "5.5.5-" compatibility prefix is MariaDB's disguise for old MySQL clients, not its version.
        assertEquals(new Recorder.Conn(30, ID, Conversation.CLIENT, Conversation.SERVER, 42, "10.11.6-MariaDB",
            "app", "", false, false, false, (caps & SERVER_CAPS) | MARIADB_PROGRESS, 1), events.get(0));
        assertEquals(q(100, "query", "").sql(sql, digestOf(sql)).timing(4900, 4900, 0).affected(0)
            .bytes(4 + 1 + sql.length(), len(p1, p2, okPacket)).status(2), events.get(1));
        assertEquals(0, tracker.counters().errors());
        assertEquals(2, tracker.counters().progressReports());
    }

    @Test
    void multiResultsAreSummedIntoOneEvent() {
        final int more = ServerStatus.MORE_RESULTS_EXISTS | ServerStatus.AUTOCOMMIT;
        final String sql = "SELECT a FROM t; UPDATE t SET a = 1; SELECT b FROM u";
        final byte[] resp = concat(
            packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, more)),
            packet(4, row("1")), packet(5, row("2")), packet(6, eof(1, more)),
            packet(7, ok(5, 0, more, 0)),
            packet(8, columnCount(1)), packet(9, columnDef("b")), packet(10, eof(0, more)),
            packet(11, row("3")), packet(12, eof(0, 2)));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, packet(0, query(sql))).server(200, resp)
            .client(300, packet(0, query("SELECT 1"))).server(310, packet(1, columnCount(1)), packet(2, columnDef("1")),
                packet(3, eof(0, 2)), packet(4, row("1")), packet(5, eof(0, 2)));
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "query", "").sql(redacted(sql), digestOf(sql)).timing(100, 100, 0).rows(3).affected(5)
            .bytes(4 + 1 + sql.length(), resp.length).warnings(1).status(2), events.get(1));
        assertEquals("SELECT ?", ((Recorder.Q) events.get(2)).sql);
        assertEquals(1, ((Recorder.Q) events.get(2)).rows);
        // one event per COM_QUERY, which says how many results (here statements) it held
        assertEquals(3, ((Recorder.Q) events.get(1)).results);
        assertEquals(1, ((Recorder.Q) events.get(2)).results);
    }

    // ------------------------------------------------------------------ other commands

    @Test
    void initDbChangesTheSchemaOnlyWhenTheServerSaysOk() {
        final byte[] refused = packet(1, err(1049, "42000", "Unknown database 'nope'"));
        final byte[] accepted = packet(1, ok(0, 0, 2, 0));
        final Conversation c = loggedIn(CLIENT_CAPS | CONNECT_WITH_DB, "shop")
            .client(100, packet(0, command(0x02, "nope"))).server(110, refused)
            .client(200, packet(0, command(0x02, "billing"))).server(205, accepted)
            .client(300, packet(0, query("SELECT 1"))).server(301, packet(1, ok(0, 0, 2, 0)));
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "init_db", "shop").timing(10, 10, 0).bytes(9, refused.length).error(1049, "42000"),
            events.get(1));
        assertEquals(q(200, "init_db", "billing").timing(5, 5, 0).think(90).affected(0).bytes(12, accepted.length)
            .status(2), events.get(2));
        assertEquals(q(300, "query", "billing").sql("SELECT ?", digestOf("SELECT 1")).timing(1, 1, 0).think(95)
            .affected(0).bytes(13, 11).status(2), events.get(3));
    }

    @Test
    void pingAndQuit() {
        final byte[] pong = packet(1, ok(0, 0, 2, 0));
        final Conversation c = loggedIn(CLIENT_CAPS, "")
            .client(100, packet(0, new byte[] {0x0e})).server(101, pong)
            .client(200, packet(0, new byte[] {0x01}))
            .close(FlowCloseReason.FIN, 250);
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(List.of(conn(CLIENT_CAPS, ""),
            q(100, "ping", "").timing(1, 1, 0).affected(0).bytes(5, 11).status(2),
            close(c, CloseReason.QUIT, 1, 0, 3, 3)), events);
        assertEquals(1, tracker.counters().queries());
    }

    @Test
    void closeReasonsAreMappedWhenNoQuitWasSeen() {
        for (final FlowCloseReason reason : FlowCloseReason.values()) {
            final Conversation c = loggedIn(CLIENT_CAPS, "").close(reason, 99);
            final List<Object> events = c.run(Conversation.tracker());
            assertEquals(CloseReason.valueOf(reason.name()), ((Recorder.Close) events.get(1)).reason());
        }
    }

    @Test
    void preparedStatementsWithAndWithoutEof() {
        final String sql = "SELECT a FROM t WHERE id = ? AND b = 7";
        for (final boolean dep : new boolean[] {false, true}) {
            final byte[] prepResp = dep
                ? concat(packet(1, prepareOk(1, 1, 2, 0)), packet(2, columnDef("?")), packet(3, columnDef("?")),
                packet(4, columnDef("a")))
                : concat(packet(1, prepareOk(1, 1, 2, 0)), packet(2, columnDef("?")), packet(3, columnDef("?")),
                packet(4, eof(0, 2)), packet(5, columnDef("a")), packet(6, eof(0, 2)));
            final byte[] exec = packet(0, payload().u8(0x17).u32(1).u8(0).u32(1).build());
            final byte[] execResp = dep
                ? concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, new byte[] {0, 0, 1, 'x'}),
                packet(4, okEof(2, 0)))
                : concat(packet(1, columnCount(1)), packet(2, columnDef("a")), packet(3, eof(0, 2)),
                packet(4, new byte[] {0, 0, 1, 'x'}), packet(5, eof(0, 2)));
            final byte[] close = packet(0, payload().u8(0x19).u32(1).build());
            final Conversation c = loggedIn(CLIENT_CAPS | (dep ? DEPRECATE_EOF : 0), "")
                .client(100, packet(0, command(0x16, sql))).server(110, prepResp)
                .client(200, exec).server(230, execResp)
                .client(300, close)
                .client(400, packet(0, query("SELECT 1"))).server(401, packet(1, ok(0, 0, 2, 0)));
            final List<Object> events = c.run(Conversation.tracker());
            assertEquals(5, events.size(), events.toString());
            assertEquals(q(100, "prepare", "").sql(redacted(sql), digestOf(sql)).timing(10, 10, 0)
                .bytes(4 + 1 + sql.length(), prepResp.length), events.get(1));
            assertEquals(q(200, "execute", "").sql(redacted(sql), digestOf(sql)).params(2).timing(30, 30, 0).think(90)
                .rows(1).bytes(exec.length, execResp.length).status(2), events.get(2));
            assertEquals(q(400, "query", "").sql("SELECT ?", digestOf("SELECT 1")).timing(1, 1, 0).think(170)
                .affected(0).bytes(13, 11).status(2), events.get(3));
        }
    }

    @Test
    void localInfileIsPartOfItsCommandAndItsContentIsNeverKept() {
        final String sql = "LOAD DATA LOCAL INFILE 'secret.csv' INTO TABLE t";
        final byte[] request = packet(1, payload().u8(0xFB).text("secret.csv").build());
        final byte[] content1 = packet(2, payload().text("alice,1234\n").build());
        final byte[] content2 = packet(3, payload().text("bob,5678\n").build());
        final byte[] empty = packet(4, new byte[0]);
        final byte[] done = packet(5, ok(2, 0, 2, 0));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, packet(0, query(sql))).server(110, request)
            .client(120, content1, content2, empty).server(150, done);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "query", "").sql(redacted(sql), digestOf(sql)).timing(50, 10, 40).affected(2)
            .bytes(4 + 1 + sql.length() + len(content1, content2, empty), len(request, done)).status(2),
            events.get(1));
    }

    @Test
    void unknownCommandIsNamedByItsNumberAndCounted() {
        final byte[] errPacket = packet(1, err(1047, "08S01", "Unknown command"));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, packet(0, new byte[] {0x7a, 1, 2}))
            .server(101, errPacket);
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(q(100, "unknown_0x7a", "").timing(1, 1, 0).bytes(7, errPacket.length).error(1047, "08S01"),
            events.get(1));
        assertEquals(1, tracker.counters().unknownCommands());
    }

    @Test
    void statisticsAndFieldListAndSetOption() {
        final byte[] stats = packet(1, payload().text("Uptime: 100  Threads: 1").build());
        final byte[] fields = concat(packet(1, columnDef("a")), packet(2, columnDef("b")), packet(3, eof(0, 2)));
        final byte[] setOpt = packet(1, eof(0, 2));
        final Conversation c = loggedIn(CLIENT_CAPS, "")
            .client(100, packet(0, new byte[] {0x09})).server(101, stats)
            .client(200, packet(0, command(0x04, "t\0"))).server(202, fields)
            .client(300, packet(0, new byte[] {0x1b, 1, 0})).server(303, setOpt);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "statistics", "").timing(1, 1, 0).bytes(5, stats.length), events.get(1));
        assertEquals(q(200, "field_list", "").timing(2, 2, 0).think(99).bytes(7, fields.length).status(2),
            events.get(2));
        assertEquals(q(300, "set_option", "").timing(3, 3, 0).think(98).bytes(7, setOpt.length).status(2),
            events.get(3));
    }

    // ------------------------------------------------------------------ timing, truncation, big packets

    @Test
    void timingsComeFromCaptureTimestampsExactly() {
        final byte[] query = packet(0, query("SELECT a FROM t"));
        final Conversation c = loggedIn(CLIENT_CAPS | DEPRECATE_EOF, "")
            .client(1_000, java.util.Arrays.copyOfRange(query, 0, 7))   // request spans two segments
            .client(1_250, java.util.Arrays.copyOfRange(query, 7, query.length))
            .server(4_000, packet(1, columnCount(1)), packet(2, columnDef("a")))
            .server(9_000, packet(3, row("1")))
            .server(12_500, packet(4, okEof(2, 0)))
            .client(20_000, packet(0, query("SELECT 1")))
            .server(20_100, packet(1, ok(0, 0, 2, 0)));
        final List<Object> events = c.run(Conversation.tracker());
        final Recorder.Q first = (Recorder.Q) events.get(1);
        assertEquals(1_000, first.ts);
        assertEquals(12_500 - 1_250, first.latency);
        assertEquals(4_000 - 1_250, first.ttfb);
        assertEquals(12_500 - 4_000, first.transfer);
        assertEquals(-1, first.think);
        final Recorder.Q second = (Recorder.Q) events.get(2);
        assertEquals(20_000 - 12_500, second.think);
        assertEquals(100, second.latency);
    }

    /** One statement under --max-statement-bytes 32: its expected text, whether cut, the truncated count. */
    private static void assertUnderLimit32(final String sql, final String text, final boolean truncated) {
        final MysqlOptions options = new MysqlOptions();
        options.maxStatementBytes = 32;
        final byte[] request = packet(0, query(sql));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, request).server(101, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker(options);
        final List<Object> events = c.run(tracker);
        // The digest is the whole statement's: the fingerprint is not cut with the text.
        assertEquals(q(100, "query", "").sql(text, digestOf(sql)).timing(1, 1, 0).affected(0)
            .bytes(request.length, 11).status(2).truncated(truncated), events.get(1));
        assertEquals(truncated ? 1 : 0, tracker.counters().truncatedStatements());
    }

    @Test
    void theLimitCapsTheRedactedTextNotTheStatement() {
        assertUnderLimit32("SELECT a FROM t WHERE name = 'abcdefghijklmnopqrstuvwxyz'", "SELECT a FROM t WHERE name = ?", false);
    }

    @Test
    void aTextLongerThanTheLimitIsCutOnATokenBoundaryAndMarked() {
        assertUnderLimit32("SELECT aaaa, bbbb, cccc FROM t WHERE name = 'abcdefghijklmnopqrstuvwxyz'", "SELECT aaaa, bbbb, cccc FROM t", true);
    }

    @Test
    void sixteenMegabyteStatementIsJoinedRedactedWhileItStreamsCutAndCounted() {
        final StringBuilder sb = new StringBuilder("INSERT INTO t VALUES ");
        while (sb.length() < 0xFFFFFF + 1000) {
            sb.append("(1,'x'),");
        }
        sb.append("(2,'y')");
        final String sql = sb.toString();
        final byte[] request = packets(0, query(sql));
        assertEquals(sql.length() + 1 + 8, request.length);
        final byte[] okPacket = packet(2, ok(1000, 0, 2, 0)); // the response follows the last request packet's seq
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, request).server(900, okPacket)
            .client(1000, packet(0, query("SELECT 1"))).server(1001, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        // "INSERT INTO t VALUES " and as many whole "(?,?)," rows as fit in the cap, the last comma kept
        final StringBuilder text = new StringBuilder("INSERT INTO t VALUES ");
        while (text.length() + 6 <= MysqlOptions.DEFAULT_MAX_STATEMENT_BYTES) {
            text.append("(?,?),");
        }
        final int room = MysqlOptions.DEFAULT_MAX_STATEMENT_BYTES - text.length();
        text.append("(?,?)", 0, Math.min(room, 4)); // "(", "?", ",", "?" are tokens; the cut falls before the first that does not fit
        assertEquals(q(100, "query", "").sql(text.toString(), digestOf("INSERT INTO t VALUES (1,'x')")).timing(800, 800, 0)
            .affected(1000).bytes(request.length, okPacket.length).status(2).truncated(true), events.get(1));
        assertEquals("SELECT ?", ((Recorder.Q) events.get(2)).sql);
        assertEquals(1, tracker.counters().truncatedStatements());
    }

    // ------------------------------------------------------------------ chunking

    static Conversation richConversation() {
        final long caps = CLIENT_CAPS | CONNECT_WITH_DB | CONNECT_ATTRS;
        return new Conversation().server(10, GREETING).client(20, loginPacket(caps, "shop"))
            .server(30, packet(2, payload().u8(0xFE).nul("caching_sha2_password").text("01234567890123456789").u8(0)
                .build()))
            .client(40, packet(3, new byte[32]))
            .server(50, packet(4, new byte[] {1, 3}), packet(5, ok(0, 0, 2, 0)))
            .client(100, packet(0, query("SELECT a, b FROM t WHERE id = 5")))
            .server(150, packet(1, columnCount(2)), packet(2, columnDef("a")), packet(3, columnDef("b")),
                packet(4, eof(0, 2)), packet(5, row("", null)), packet(6, row(null, "")))
            .server(160, packet(7, row("x", "y")), packet(8, eof(0, 0x22)))
            .client(200, packet(0, command(0x02, "billing"))).server(210, packet(1, ok(0, 0, 2, 0)))
            .client(300, packet(0, query("UPDATE t SET a = 1"))).server(320, packet(1, ok(3, 0, 3, 1)))
            .client(400, packet(0, query("SELECT * FROM nope"))).server(410,
                packet(1, err(1146, "42S02", "Table 'billing.nope' doesn't exist")))
            .client(500, packet(0, new byte[] {0x0e})).server(501, packet(1, ok(0, 0, 2, 0)))
            .client(600, packet(0, new byte[] {0x01}));
    }

    @Test
    void everyChunkingYieldsIdenticalEvents() {
        final Conversation c = richConversation();
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> whole = c.run(tracker);
        assertEquals(7, whole.size(), whole.toString());
        assertEquals("shop", ((Recorder.Conn) whole.get(0)).db());
        assertEquals("billing", ((Recorder.Q) whole.get(3)).db);
        assertEquals(CloseReason.QUIT, ((Recorder.Close) whole.get(6)).reason());
        final long total = c.totalBytes();
        for (long split = 1; split < total; split++) {
            assertEquals(whole, c.run(tracker, split, 0), "split at " + split);
        }
        for (final int piece : new int[] {1, 2, 3, 5, 7}) {
            assertEquals(whole, c.run(tracker, -1, piece), "pieces of " + piece);
        }
        assertEquals(0, tracker.counters().protocolErrors());
        assertEquals(total + 5, tracker.counters().connections());
        assertEquals(0, tracker.liveConnections());
    }

    @Test
    void authSwitchRoundThenOk() {
        final Conversation c = richConversation();
        final List<Object> events = c.run(Conversation.tracker());
        final long caps = CLIENT_CAPS | CONNECT_WITH_DB | CONNECT_ATTRS;
        assertEquals(new Recorder.Conn(50, ID, Conversation.CLIENT, Conversation.SERVER, 42, "8.0.36", "app",
            "shop", false, false, false, caps & SERVER_CAPS, 1), events.get(0));
        assertEquals(q(100, "query", "shop").sql("SELECT a, b FROM t WHERE id = ?",
            digestOf("SELECT a, b FROM t WHERE id = 5")).timing(60, 50, 10).rows(3).bytes(36,
            len(packet(1, columnCount(2)), packet(2, columnDef("a")), packet(3, columnDef("b")), packet(4, eof(0, 2)),
                packet(5, row("", null)), packet(6, row(null, "")), packet(7, row("x", "y")),
                packet(8, eof(0, 0x22)))).status(0x22), events.get(1));
        assertEquals(q(400, "query", "billing").sql("SELECT * FROM nope", digestOf("SELECT * FROM nope"))
            .timing(10, 10, 0).think(80).bytes(23, len(packet(1, err(1146, "42S02",
                "Table 'billing.nope' doesn't exist")))).error(1146, "42S02"), events.get(4));
    }

    @Test
    void theProgramAndDriverAttributesAreKeptAndTheOthersOnlyCounted() {
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = richConversation().run(tracker);
        assertEquals(List.of("program_name=mysql _client_name=libmysql _client_version=8.0.36 hidden=2"),
            ((Recorder) tracker.sink).connectAttributes);
        assertFalse(events.toString().contains("tenant-secret") || events.toString().contains("24518"));
        // without CLIENT_CONNECT_ATTRS there are none, and the event says nothing of them
        final MysqlConversationTracker plain = Conversation.tracker();
        loggedIn(CLIENT_CAPS, "").run(plain);
        assertEquals(List.of("program_name=null _client_name=null _client_version=null hidden=-1"),
            ((Recorder) plain.sink).connectAttributes);
    }

    @Test
    void aReplicaIsNotedAndItsBinaryLogSkipped() {
        final byte[] register = packet(0, payload().u8(0x15).u32(2).u8(0).u8(0).u8(0).u16(3306).u32(0).u32(0).build());
        final byte[] dump = packet(0, payload().u8(0x12).u32(4).u16(0).u32(2).text("mysql-bin.000001").build());
        // binary-log events: 0x00 then the event, which holds row images (values)
        final byte[] events = concat(packet(1, payload().u8(0).text("row-image-secret-1").build()),
            packet(2, payload().u8(0).text("row-image-secret-2").build()));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, register).server(101, packet(1, ok(0, 0, 2, 0)))
            .client(200, dump).server(210, events).server(300, events);
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> all = c.run(tracker);
        assertEquals(4, all.size(), all.toString());
        assertEquals("register_replica", ((Recorder.Q) all.get(1)).cmd);
        final Recorder.Q binlog = (Recorder.Q) all.get(2);
        assertEquals("binlog_dump", binlog.cmd);
        assertEquals(QueryEvent.FLAG_REPLICATION | QueryEvent.FLAG_NO_RESPONSE, binlog.flags);
        assertEquals(1, tracker.counters().replicaConnections());
        assertEquals(0, tracker.counters().protocolErrors());
        assertEquals(0, tracker.counters().orphanServerPackets());
        assertFalse(all.toString().contains("row-image-secret"));
        // the stream still counts in the connection's totals
        assertEquals(len(GREETING, LOGIN_OK, packet(1, ok(0, 0, 2, 0)), events, events),
            ((Recorder.Close) all.get(3)).bytesOut());
    }

    /**
     * caching_sha2_password's full authentication without TLS, as MySQL 8 documents it: the server
     * asks for it (0x01 0x04), the client asks for the public key (0x02), the server sends it (0x01
     * then the PEM), the client sends the password encrypted with it, then OK. None of it is read.
     */
    @Test
    void cachingSha2FullAuthenticationWithTheServersPublicKey() {
        final byte[] pem = ("-----BEGIN PUBLIC KEY-----\n" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(8)
            + "\n-----END PUBLIC KEY-----\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final byte[] encrypted = new byte[256];
        for (int i = 0; i < encrypted.length; i++) {
            encrypted[i] = (byte) (i * 37 + 11);
        }
        final long caps = CLIENT_CAPS | CONNECT_WITH_DB;
        final Conversation c = new Conversation().server(10, GREETING).client(20, loginPacket(caps, "shop"))
            .server(30, packet(2, new byte[] {1, 4})) // perform full authentication
            .client(40, packet(3, new byte[] {2})) // request the public key
            .server(50, packet(4, concat(new byte[] {1}, pem)))
            .client(60, packet(5, encrypted))
            .server(70, packet(6, ok(0, 0, 2, 0)))
            .client(100, packet(0, query("SELECT 1"))).server(101, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(3, events.size(), events.toString());
        assertEquals(70, ((Recorder.Conn) events.get(0)).ts());
        assertEquals("shop", ((Recorder.Conn) events.get(0)).db());
        assertEquals("SELECT ?", ((Recorder.Q) events.get(1)).sql);
        assertEquals(0, tracker.counters().protocolErrors());
    }

    // ------------------------------------------------------------------ login outcomes

    @Test
    void loginFailureEmitsTheConnectionWithWhatIsKnown() {
        final byte[] denied = packet(2, err(1045, "28000", "Access denied for user 'app'@'10.0.0.1'"));
        final Conversation c = new Conversation().server(10, GREETING).client(20, loginPacket(CLIENT_CAPS, ""))
            .server(30, denied).client(40, packet(0, query("SELECT 1")));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(List.of(conn(CLIENT_CAPS, ""), close(c, CloseReason.FIN, 0, 1, 1, 2)), events);
        assertEquals(1, tracker.counters().loginFailures());
        assertEquals(1, tracker.counters().errors());
    }

    @Test
    void sslRequestMarksTheConnectionEncryptedAndNothingIsParsedAfter() {
        final byte[] ssl = packet(1, sslRequest(CLIENT_CAPS));
        final byte[] tlsHello = new byte[] {0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0};
        final Conversation c = new Conversation().server(10, GREETING).client(20, ssl)
            .client(21, tlsHello).server(22, new byte[] {0x16, 3, 3, 0, 1, 2})
            .client(100, packet(0, query("SELECT 1"))).server(101, packet(1, ok(0, 0, 2, 0)));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        assertEquals(List.of(
            new Recorder.Conn(20, ID, Conversation.CLIENT, Conversation.SERVER, 42, "8.0.36", null, null, true, false,
                false, (CLIENT_CAPS | SSL) & SERVER_CAPS, 1),
            close(c, CloseReason.FIN, 0, 0, 1, 1)), events);
        assertEquals(1, tracker.counters().encryptedConnections());
        // everything after the SSLRequest, both ways: what the capture could not see
        assertEquals(tlsHello.length + 6 + packet(0, query("SELECT 1")).length + packet(1, ok(0, 0, 2, 0)).length,
            tracker.counters().encryptedBytes());
        assertEquals(0, tracker.counters().queries());
    }

    @Test
    void connectionWithNoLoginAndNoCommandStillGetsItsConnEvent() {
        final Conversation c = new Conversation().server(10, GREETING).close(FlowCloseReason.RST, 77);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(List.of(
            new Recorder.Conn(77, ID, Conversation.CLIENT, Conversation.SERVER, 42, "8.0.36", null, null, false, false,
                false, 0, 1),
            close(c, CloseReason.RST, 0, 0, 0, 1)), events);
    }

    @Test
    void pendingCommandAtCloseIsReportedWithoutResponse() {
        final byte[] request = packet(0, query("SELECT SLEEP(100)"));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, request).close(FlowCloseReason.RST, 500);
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(q(100, "query", "").sql(redacted("SELECT SLEEP(100)"), digestOf("SELECT SLEEP(100)"))
            .bytes(request.length, 0).flags(QueryEvent.FLAG_NO_RESPONSE), events.get(1));
        assertEquals(CloseReason.RST, ((Recorder.Close) events.get(2)).reason());
    }

    @Test
    void poolIsBoundedAndReused() {
        final MysqlOptions options = new MysqlOptions();
        options.maxConnections = 1;
        final Recorder recorder = new Recorder();
        final MysqlConversationTracker tracker = new MysqlConversationTracker(recorder, options);
        final var a = Conversation.flow("10.0.0.1:1", "10.0.0.2:3306");
        final var b = Conversation.flow("10.0.0.1:2", "10.0.0.2:3306");
        tracker.onFlowOpen(a, false, 1);
        tracker.onFlowOpen(b, false, 1);
        assertEquals(null, b.attachment());
        assertEquals(1, tracker.counters().untrackedConnections());
        tracker.onData(b, true, new UnsafeBuffer(packet(0, query("SELECT 1"))), 0, 13, 2);
        tracker.onFlowClose(b, FlowCloseReason.FIN, 3);
        final Object state = a.attachment();
        tracker.onFlowClose(a, FlowCloseReason.FIN, 3);
        tracker.onFlowOpen(b, true, 4);
        assertEquals(state, b.attachment());
        assertEquals(2, recorder.events.size()); // conn + conn_close of flow a only
    }

    @Test
    void changeUserWithAuthSwitchChangesUserAndSchema() {
        final byte[] auth = new byte[20];
        final byte[] change = packet(0, payload().u8(0x11).nul("bob").u8(auth.length).bytes(auth).nul("hr").u16(0x21)
            .nul("mysql_native_password").build());
        final byte[] switchRequest = packet(1, payload().u8(0xFE).nul("mysql_native_password").text("0123456789")
            .build());
        final byte[] answer = packet(2, new byte[20]);
        final byte[] okPacket = packet(3, ok(0, 0, 2, 0));
        final Conversation c = loggedIn(CLIENT_CAPS | CONNECT_WITH_DB, "shop")
            .client(100, change).server(110, switchRequest).client(120, answer).server(130, okPacket)
            .client(200, packet(0, query("SELECT 1"))).server(201, packet(1, ok(0, 0, 2, 0)));
        final List<Object> events = c.run(Conversation.tracker());
        assertEquals(new Recorder.Q().ts(100).conn(ID).threadId(42).user("bob").db("hr").cmd("change_user")
            .timing(30, 10, 20).affected(0).bytes(change.length + answer.length, switchRequest.length + okPacket.length)
            .status(2), events.get(1));
        assertEquals("bob", ((Recorder.Q) events.get(2)).user);
        assertEquals("hr", ((Recorder.Q) events.get(2)).db);
    }

    @Test
    void cursorFetchCountsRows() {
        final byte[] fetch = packet(0, payload().u8(0x1c).u32(1).u32(2).build());
        final byte[] rows = concat(packet(1, new byte[] {0, 0, 1, 'a'}), packet(2, new byte[] {0, 0, 1, 'b'}),
            packet(3, eof(0, 0x0042)));
        final Conversation c = loggedIn(CLIENT_CAPS, "").client(100, fetch).server(105, rows);
        final List<Object> events = c.run(Conversation.tracker());
        // statement 1 was never prepared in this capture: its text is unknown, and the event says so
        assertEquals(q(100, "fetch", "").timing(5, 5, 0).rows(2).bytes(fetch.length, rows.length).status(0x42)
            .flags(QueryEvent.FLAG_UNKNOWN_STATEMENT), events.get(1));
    }
}
