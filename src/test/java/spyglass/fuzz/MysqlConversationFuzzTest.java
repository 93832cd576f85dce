package spyglass.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.testing.MysqlWire.packet;
import spyglass.testing.MysqlWire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;
import spyglass.mysql.MysqlConversationTracker;
import spyglass.mysql.MysqlOptions;
import spyglass.mysql.TableNameListener;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.TcpFlow;

/**
 * {@link MysqlConversationTracker} driven by a fuzzer-chosen conversation: no exception, sane event
 * fields, the same events when the pooled connection state is reused, and no literal of a planted
 * statement {@code SELECT * FROM t WHERE a = 'zq<secret>' AND b = <number>} in any event's sql.
 *
 * <p>Input (read by {@link FuzzInput}; every byte string is valid):
 * <pre>
 * flags        bits 0-1 start: 0 greeting + login + OK (status AUTOCOMMIT, no NO_BACKSLASH_ESCAPES),
 *                               3 the same with CLIENT_QUERY_ATTRIBUTES agreed,
 *                               1 mid-stream, 2 handshake seen but left to the steps;
 *              bit 2 timestamps may go backwards; bits 3-5 max statement bytes (see {@link #MAX_STATEMENT});
 *              bit 6 the prefix's client asks for CLIENT_DEPRECATE_EOF; bit 7 close with RST instead of FIN
 * secret       length byte (6 + n % 16), then one byte per alphanumeric character
 * number       length byte (6 + n % 10), then one byte per digit
 * steps...     op byte: bits 0-2 kind, bits 3-7 piece size (0: one onData call, else pieces of that size);
 *              time byte (delta in microseconds; with flag bit 2, 0xF0..0xFF step back (b &amp; 15) microseconds);
 *              then by kind:
 *   0 client packet:  seq byte (&lt; 0xF0: 0, else b &amp; 15), command byte (see {@link #COMMANDS}), length-prefixed body
 *   1 server packet:  seq byte, length-prefixed payload
 *   2 client raw bytes, length-prefixed      3 server raw bytes, length-prefixed
 *   4 gap:            direction byte (bit 0: client)
 *   5 planted query:  byte: bit 0 COM_STMT_PREPARE instead of COM_QUERY, bits 1-6 split point (0: whole),
 *                     bit 7 (mid-stream only; always with start 3) a query-attributes block ahead of the
 *                     text whose value is the secret too
 *   6 server canned response: kind byte, seq byte (&amp; 3), status u16, count byte
 *   7 client canned follow-up packet (auth data, LOCAL INFILE data, empty end of file): seq byte, length-prefixed body
 * </pre>
 * The fuzzer's own client bytes are scrubbed of the secret and the number (else it could simply type
 * them as identifiers, which are kept by design). The leak check is sound only where the planted
 * packet starts at a client packet boundary, so after fuzzer raw client bytes a client gap is put
 * before it: the tracker then resynchronises on it, as it would after a real loss.
 */
class MysqlConversationFuzzTest {
    /** CLIENT_QUERY_ATTRIBUTES (MySQL 8.0.23+). */
    static final long QUERY_ATTRIBUTES = 1L << 27;
    static final int[] MAX_STATEMENT = {MysqlOptions.DEFAULT_MAX_STATEMENT_BYTES, 16, 40, 64, 100, 256, 1024,
        MysqlOptions.DEFAULT_MAX_STATEMENT_BYTES};
    /** Command bytes for kind 0; -1 takes the command byte from the body. */
    static final int[] COMMANDS = {0x03, 0x03, 0x03, 0x16, 0x17, 0x02, 0x0e, 0x01, 0x04, 0x09, 0x19, 0x18, 0x1a,
        0x1b, 0x1c, 0x1f, 0x11, 0x0d, 0x0c, 0x20, -1};
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final long START = 1_000_000_000L;
    /**
     * {@code -Dspyglass.fuzz.skipDurations=true} lets a fuzzing session look past a known negative-duration
     * finding for other ones (never set in CI).
     */
    static final boolean SKIP_DURATIONS = Boolean.getBoolean("spyglass.fuzz.skipDurations");
    /**
     * {@code -Dspyglass.fuzz.gapBeforePlanted=true} puts a client gap before every planted query, so a session
     * can look past the known false-resync leak (see the finding-false-resync-leak seed) for other ones.
     */
    static final boolean GAP_BEFORE_PLANTED = Boolean.getBoolean("spyglass.fuzz.gapBeforePlanted");

    /** One step as built from the input. */
    record Step(boolean client, byte[] bytes, long ts, boolean gap, int piece, boolean fuzzed, boolean[] header) {
    }

    /** A parsed input: what the tracker is given, and what it must never show. */
    record Script(List<Step> steps, MysqlOptions options, boolean handshakeSeen, FlowCloseReason closeReason,
                  long closeTs, String secret, String number) {
    }

    @FuzzTest(maxDuration = "3m")
    void conversation(final byte[] data) {
        final Script script = parse(data);
        final Sink sink = new Sink(script.secret, script.number);
        script.options.tableNames = sink; // the names handed to the schema collector: no literal either
        final MysqlConversationTracker tracker = new MysqlConversationTracker(sink, script.options);
        run(tracker, script);
        final List<String> first = new ArrayList<>(sink.events);
        assertEquals(0, tracker.liveConnections());
        // The connection state is pooled: a second flow over the same bytes must read the same.
        sink.events.clear();
        run(tracker, script);
        assertEquals(first, sink.events, "a reused connection state reads the same bytes differently");
        assertEquals(0, tracker.liveConnections());
    }

    static Script parse(final byte[] data) {
        final FuzzInput in = new FuzzInput(data);
        final int flags = in.u8();
        final int start = flags & 3;
        final boolean backwards = (flags & 4) != 0;
        final MysqlOptions options = new MysqlOptions();
        options.maxStatementBytes = MAX_STATEMENT[(flags >> 3) & 7];
        final boolean deprecateEof = (flags & 0x40) != 0;
        final FlowCloseReason closeReason = (flags & 0x80) != 0 ? FlowCloseReason.RST : FlowCloseReason.FIN;
        final String secret = "zq" + in.chars(ALNUM, 6 + in.u8() % 16);
        final String number = (char) ('1' + in.u8() % 9) + in.chars("0123456789", 5 + in.u8() % 10);
        final String plantedSql = "SELECT * FROM t WHERE a = '" + secret + "' AND b = " + number;
        final byte[] planted = MysqlWire.query(plantedSql);
        // with one attribute, a string whose value is the secret: a MySQL 8 client's trace id
        final byte[] attributedPlanted = MysqlWire.payload().u8(0x03).u8(1).u8(1).u8(0).u8(1).u16(0xFE)
            .lenencText("trace").lenencText(secret + number).text(plantedSql).build();

        final List<Step> steps = new ArrayList<>();
        long ts = START;
        if (start == 0 || start == 3) {
            final long attributes = start == 3 ? QUERY_ATTRIBUTES : 0;
            final long caps = MysqlWire.CLIENT_CAPS | (deprecateEof ? MysqlWire.DEPRECATE_EOF : 0) | attributes;
            steps.add(whole(false, packet(0, MysqlWire.greeting("8.0.36", 42, MysqlWire.SERVER_CAPS | attributes)), ts += 10));
            steps.add(whole(true, packet(1, MysqlWire.login(caps, "app", "")), ts += 10));
            steps.add(whole(false, packet(2, MysqlWire.ok(0, 0, spyglass.event.ServerStatus.AUTOCOMMIT, 0)), ts += 10));
        }
        boolean clientAligned = true;
        while (in.hasMore()) {
            final int op = in.u8();
            final int piece = op >>> 3;
            final int t = in.u8();
            if (backwards && t >= 0xF0) {
                ts = Math.max(0, ts - (t & 0xF) * 1000L);
            } else {
                ts += t * 1000L;
            }
            switch (op & 7) {
                case 0 -> {
                    final int seq = sequence(in.u8());
                    final int command = COMMANDS[in.u8() % COMMANDS.length];
                    final byte[] body = in.lengthPrefixed();
                    steps.add(framed(true, seq, command < 0 ? body : MysqlWire.command(command, body), ts, piece));
                }
                case 1 -> steps.add(framed(false, in.u8(), in.lengthPrefixed(), ts, piece));
                case 2 -> {
                    steps.add(raw(true, in.lengthPrefixed(), ts, piece));
                    clientAligned = false;
                }
                case 3 -> steps.add(raw(false, in.lengthPrefixed(), ts, piece));
                case 4 -> {
                    final boolean client = (in.u8() & 1) != 0;
                    steps.add(new Step(client, new byte[0], ts, true, 0, false, null));
                    clientAligned |= client;
                }
                case 5 -> {
                    final int variant = in.u8();
                    final boolean attributed = (variant & 1) == 0 && (start == 3 || start == 1 && (variant & 0x80) != 0);
                    final byte[] payload = attributed ? attributedPlanted.clone() : planted.clone();
                    if ((variant & 1) != 0) {
                        payload[0] = (byte) 0x16;
                    }
                    if (!clientAligned || GAP_BEFORE_PLANTED) {
                        steps.add(new Step(true, new byte[0], ts, true, 0, false, null));
                        clientAligned = true;
                    }
                    final byte[] wire = packet(0, payload);
                    final int cut = Math.min((variant >>> 1) & 0x3F, wire.length - 1);
                    steps.add(new Step(true, wire, ts, false, cut, false, null));
                }
                case 6 -> {
                    final int kind = in.u8();
                    final int seq = in.u8() & 3;
                    final int status = in.u16();
                    final int count = in.u8();
                    steps.add(raw(false, canned(kind, seq, status, count), ts, piece));
                }
                default -> {
                    final int seq = in.u8();
                    steps.add(framed(true, seq, in.lengthPrefixed(), ts, piece));
                }
            }
        }
        scrub(steps, secret, number);
        return new Script(steps, options, start != 1, closeReason, ts + 1000, secret, number);
    }

    private static int sequence(final int b) {
        return b < 0xF0 ? 0 : b & 0x0F;
    }

    private static Step whole(final boolean client, final byte[] bytes, final long ts) {
        return new Step(client, bytes, ts, false, 0, false, null);
    }

    private static Step raw(final boolean client, final byte[] bytes, final long ts, final int piece) {
        return new Step(client, bytes, ts, false, piece, true, null);
    }

    /** A fuzzer payload with a true header; the header bytes are marked so scrubbing leaves them alone. */
    private static Step framed(final boolean client, final int seq, final byte[] payload, final long ts, final int piece) {
        final byte[] wire = packet(seq, payload);
        final boolean[] header = new boolean[wire.length];
        header[0] = header[1] = header[2] = header[3] = true;
        return new Step(client, wire, ts, false, piece, true, header);
    }

    /** Server packets in shapes the tracker expects, so the fuzzer gets past the response states quickly. */
    static byte[] canned(final int kind, final int seq, final int status, final int count) {
        final List<byte[]> p = new ArrayList<>();
        switch (kind % 10) {
            case 0 -> p.add(MysqlWire.ok(count, count * 7L, status, count & 3));
            case 1 -> p.add(MysqlWire.err(1000 + count, "42S02", "Table 'shop.zz' doesn't exist"));
            case 2, 3 -> {
                final int columns = 1 + count % 3;
                final int rows = count / 3 % 5;
                p.add(MysqlWire.columnCount(columns));
                for (int c = 0; c < columns; c++) {
                    p.add(MysqlWire.columnDef("c" + c));
                }
                final boolean deprecate = kind % 10 == 3;
                if (!deprecate) {
                    p.add(MysqlWire.eof(0, status));
                }
                for (int r = 0; r < rows; r++) {
                    final MysqlWire row = MysqlWire.payload();
                    for (int c = 0; c < columns; c++) {
                        if ((r + c) % 4 == 3) {
                            row.u8(0xFB);
                        } else {
                            row.lenencText(r == 0 && c == 0 ? "" : "v" + r);
                        }
                    }
                    p.add(row.build());
                }
                p.add(deprecate ? MysqlWire.okEof(status, 0) : MysqlWire.eof(0, status));
            }
            case 4 -> p.add(MysqlWire.eof(count, status));
            case 5 -> {
                final int params = count & 3;
                final int columns = count >> 2 & 3;
                p.add(MysqlWire.prepareOk(1 + count, columns, params, 0));
                for (int i = 0; i < params; i++) {
                    p.add(MysqlWire.columnDef("?"));
                }
                if (params > 0 && (count & 0x10) == 0) {
                    p.add(MysqlWire.eof(0, status));
                }
                for (int i = 0; i < columns; i++) {
                    p.add(MysqlWire.columnDef("c" + i));
                }
                if (columns > 0 && (count & 0x10) == 0) {
                    p.add(MysqlWire.eof(0, status));
                }
            }
            case 6 -> p.add(MysqlWire.payload().u8(0xFB).text("/tmp/zz.csv").build());
            case 7 -> p.add(MysqlWire.progress(1, 2, count * 4));
            case 8 -> p.add(MysqlWire.payload().u8(0xFE).nul("caching_sha2_password").text("01234567890123456789")
                .u8(0).build());
            default -> p.add(MysqlWire.payload().u8(0x01).u8(count & 3).build());
        }
        final byte[][] packets = new byte[p.size()][];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = packet(seq + i, p.get(i));
        }
        return MysqlWire.concat(packets);
    }

    /**
     * Breaks every case-insensitive occurrence of the secret or the number in the fuzzer's client bytes,
     * read as one stream across steps (a packet may span raw chunks), never touching a framed header.
     */
    private static void scrub(final List<Step> steps, final String secret, final String number) {
        final List<Step> client = new ArrayList<>();
        int total = 0;
        for (final Step s : steps) {
            if (s.client && s.fuzzed) {
                client.add(s);
                total += s.bytes.length;
            }
        }
        final byte[] all = new byte[total];
        final boolean[] header = new boolean[total];
        int at = 0;
        for (final Step s : client) {
            System.arraycopy(s.bytes, 0, all, at, s.bytes.length);
            if (s.header != null) {
                System.arraycopy(s.header, 0, header, at, s.bytes.length);
            }
            at += s.bytes.length;
        }
        for (final String needle : new String[] {secret, number}) {
            final byte[] n = needle.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i + n.length <= total; i++) {
                int j = 0;
                while (j < n.length && Character.toLowerCase((char) (all[i + j] & 0xFF)) == n[j]) {
                    j++;
                }
                if (j == n.length) {
                    int k = i;
                    while (header[k]) {
                        k++; // a header is 4 bytes and the needle at least 8: a payload byte is inside
                    }
                    all[k] = '~';
                }
            }
        }
        at = 0;
        for (final Step s : client) {
            System.arraycopy(all, at, s.bytes, 0, s.bytes.length);
            at += s.bytes.length;
        }
    }

    static void run(final MysqlConversationTracker tracker, final Script script) {
        final TcpFlow flow = new TcpFlow();
        tracker.onFlowOpen(flow, script.handshakeSeen, START);
        for (final Step s : script.steps) {
            if (s.gap) {
                tracker.onGap(flow, s.client, 100, s.ts);
                continue;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(s.bytes);
            final int n = s.bytes.length;
            if (n == 0) {
                continue;
            }
            if (s.fuzzed && s.piece > 0) {
                for (int off = 0; off < n; off += s.piece) {
                    tracker.onData(flow, s.client, buffer, off, Math.min(s.piece, n - off), s.ts);
                }
            } else if (!s.fuzzed && s.piece > 0) {
                tracker.onData(flow, s.client, buffer, 0, s.piece, s.ts);
                tracker.onData(flow, s.client, buffer, s.piece, n - s.piece, s.ts);
            } else {
                tracker.onData(flow, s.client, buffer, 0, n, s.ts);
            }
        }
        tracker.onFlowClose(flow, script.closeReason, script.closeTs);
    }

    /** Checks every event as it comes and records it as text. */
    static final class Sink implements EventSink, TableNameListener {
        final List<String> events = new ArrayList<>();
        private final String secret;
        private final String number;

        Sink(final String secret, final String number) {
            this.secret = secret;
            this.number = number;
        }

        @Override
        public void onConnection(final ConnectionInfo c, final long timestampNanos) {
            assertTrue(timestampNanos >= 0);
            events.add("conn " + text(c.user.bytes(), c.user.length(), c.user.isKnown()) + " "
                + text(c.db.bytes(), c.db.length(), c.db.isKnown()) + " tls=" + c.tls + " compressed=" + c.compressed
                + " midstream=" + c.midstream + " thread=" + c.threadId + " ts=" + timestampNanos);
        }

        @Override
        public void onQuery(final QueryEvent e) {
            assertNotNull(e.command);
            assertTrue(e.sqlLength >= -1 && e.sqlLength <= e.sql.capacity(),
                "sqlLength " + e.sqlLength + ", capacity " + e.sql.capacity());
            final String sql = e.sqlLength < 0 ? null : e.sql.getStringWithoutLengthUtf8(0, e.sqlLength);
            final String where = e.command + " sql=" + sql;
            if (sql != null) {
                assertTrue(!sql.contains(secret), "string literal " + secret + " leaked: " + where);
                assertTrue(!sql.contains(number), "number literal " + number + " leaked: " + where);
            }
            assertTrue(e.timestampNanos >= 0, "ts " + e.timestampNanos + ": " + where);
            // Capture timestamps may step back (merged or multi-queue captures); a duration is still never negative.
            if (!SKIP_DURATIONS) {
                duration("latency", e.latencyNanos, where);
                duration("ttfb", e.ttfbNanos, where);
                duration("transfer", e.transferNanos, where);
                duration("think", e.thinkNanos, where);
            }
            assertTrue(e.rows >= -1 && e.affectedRows >= -1 && e.bytesIn >= 0 && e.bytesOut >= 0, where);
            assertTrue(e.sqlStateLength == 0 || e.sqlStateLength == 5, where);
            events.add("query " + where + " digest=" + e.digest + " ts=" + e.timestampNanos + " latency="
                + e.latencyNanos + " ttfb=" + e.ttfbNanos + " transfer=" + e.transferNanos + " think=" + e.thinkNanos
                + " rows=" + e.rows + " affected=" + e.affectedRows + " in=" + e.bytesIn + " out=" + e.bytesOut
                + " error=" + e.errorCode + " warnings=" + e.warnings + " status=" + e.serverStatus + " flags="
                + e.spyglassFlags + " params=" + e.params + " truncated=" + e.truncated + " lossy=" + e.lossy);
        }

        @Override
        public boolean offer(final String db, final String table) {
            for (final String name : new String[] {db, table}) {
                if (name != null) {
                    assertTrue(!name.contains(secret) && !name.contains(number), "a literal leaked into a table name: "
                        + db + "." + table);
                }
            }
            assertNotNull(table);
            return true;
        }

        @Override
        public void onConnectionClose(final ConnectionInfo c, final CloseReason reason, final long timestampNanos) {
            assertNotNull(reason);
            assertTrue(c.bytesIn >= 0 && c.bytesOut >= 0 && c.queries >= 0 && c.errors >= 0);
            events.add("close " + reason + " queries=" + c.queries + " errors=" + c.errors + " in=" + c.bytesIn
                + " out=" + c.bytesOut + " packets=" + c.packetsIn + "/" + c.packetsOut);
        }

        private static void duration(final String name, final long value, final String where) {
            assertTrue(value == -1 || value >= 0, name + " " + value + ": " + where);
        }

        private static String text(final byte[] b, final int n, final boolean known) {
            return known ? new String(b, 0, n, StandardCharsets.UTF_8) : "?";
        }
    }
}
