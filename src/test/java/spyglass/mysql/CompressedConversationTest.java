package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.mysql.MysqlConversationTrackerTest.digestOf;
import static spyglass.mysql.MysqlConversationTrackerTest.loginPacket;
import static spyglass.mysql.MysqlConversationTrackerTest.q;
import static spyglass.mysql.MysqlConversationTrackerTest.redacted;
import static spyglass.testing.MysqlWire.*;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import spyglass.event.ServerStatus;

/**
 * Conversations in the compressed protocol read as the same conversations sent plain: zlib and
 * zstd, payloads sent as is, a packet split over compressed packets, every split of the TCP stream,
 * and a compressed connection picked up mid-stream.
 */
class CompressedConversationTest {
    private static final long ZSTD = MysqlProtocol.CLIENT_ZSTD_COMPRESSION_ALGORITHM;

    enum How { ZLIB, ZSTD, AS_IS }

    /** One compressed packet (sequence {@code seq}) holding {@code plain}. */
    static byte[] compressed(final int seq, final byte[] plain, final How how) {
        final byte[] body;
        if (how == How.ZLIB) {
            final Deflater deflater = new Deflater();
            deflater.setInput(plain);
            deflater.finish();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final byte[] buf = new byte[4096];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            deflater.end();
            body = out.toByteArray();
        } else if (how == How.ZSTD) {
            final ZstdCompressor zstd = new ZstdCompressor();
            final byte[] out = new byte[zstd.maxCompressedLength(plain.length)];
            final int n = zstd.compress(plain, 0, plain.length, out, 0, out.length);
            body = java.util.Arrays.copyOf(out, n);
        } else {
            body = plain;
        }
        final int before = how == How.AS_IS ? 0 : plain.length;
        return concat(new byte[] {(byte) body.length, (byte) (body.length >>> 8), (byte) (body.length >>> 16), (byte) seq,
            (byte) before, (byte) (before >>> 8), (byte) (before >>> 16)}, body);
    }

    private static final String SELECT = "SELECT name FROM users WHERE email = 'alice@example.com' AND id > 5000";
    private static final String PREPARE = "UPDATE accounts SET balance = ? WHERE id = ?";

    /** Login, then a query, a prepare and an execution, every one in compressed packets. */
    private static Conversation conversation(final long compression, final How how) {
        final byte[] result = concat(packet(1, columnCount(1)), packet(2, columnDef("name")), packet(3, eof(0, 2)),
            packet(4, row("alice")), packet(5, row("bob")), packet(6, eof(0, 2)));
        final byte[] prepared = concat(packet(1, prepareOk(3, 0, 2, 0)), packet(2, columnDef("?")),
            packet(3, columnDef("?")), packet(4, eof(0, 2)));
        final byte[] execute = packet(0, payload().u8(0x17).u32(3).u8(0).u32(1).u8(0).u8(1).u8(8).u8(0).u8(8).u8(0)
            .u64(4111_1111_1111_1111L).u64(77).build());
        // the result set's packets split over two compressed packets, the second cut inside a row
        final int cut = 30;
        return new Conversation()
            .server(10, packet(0, greeting("8.0.36", 42, SERVER_CAPS | ZSTD)))
            .client(20, loginPacket(CLIENT_CAPS | compression, ""))
            .server(30, packet(2, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)))
            .client(100, compressed(0, packet(0, query(SELECT)), how))
            .server(110, compressed(1, java.util.Arrays.copyOfRange(result, 0, cut), how),
                compressed(2, java.util.Arrays.copyOfRange(result, cut, result.length), How.AS_IS))
            .client(200, compressed(0, packet(0, command(0x16, PREPARE)), how))
            .server(210, compressed(1, prepared, how))
            .client(300, compressed(0, execute, how))
            .server(310, compressed(1, packet(1, ok(1, 0, 2, 0)), how));
    }

    private static void assertReadsAsPlain(final List<Object> all) {
        final List<Recorder.Q> events = Recorder.queries(all);
        assertEquals(3, events.size(), all.toString());
        final Recorder.Q select = (Recorder.Q) events.get(0);
        assertEquals(q(100, "query", "").sql(redacted(SELECT), digestOf(SELECT)).timing(10, 10, 0).rows(2)
            .bytes(select.bytesIn, select.bytesOut).status(2), select);
        assertEquals(redacted(PREPARE), ((Recorder.Q) events.get(1)).sql);
        final Recorder.Q execution = (Recorder.Q) events.get(2);
        assertEquals("execute", execution.cmd);
        assertEquals(redacted(PREPARE), execution.sql);
        assertEquals(2, execution.params);
        assertEquals(1, execution.affected);
        assertTrue(((Recorder.Conn) all.get(0)).compressed());
    }

    @Test
    void zlibZstdAndAsIsReadAsThePlainConversation() {
        assertReadsAsPlain(conversation(COMPRESS, How.ZLIB).run(Conversation.tracker()));
        assertReadsAsPlain(conversation(COMPRESS, How.AS_IS).run(Conversation.tracker()));
        assertReadsAsPlain(conversation(ZSTD, How.ZSTD).run(Conversation.tracker()));
    }

    @Test
    void everySplitOfTheStreamReadsTheSame() {
        for (final How how : How.values()) {
            final Conversation c = conversation(how == How.ZSTD ? ZSTD : COMPRESS, how);
            for (final int piece : new int[] {1, 2, 3, 7, 100}) {
                assertReadsAsPlain(c.run(Conversation.tracker(), -1, piece));
            }
            for (long at = 1; at < c.totalBytes(); at += 3) {
                assertReadsAsPlain(c.run(Conversation.tracker(), at, 0));
            }
        }
    }

    @Test
    void aCompressedConnectionPickedUpMidStreamIsFollowed() {
        final Conversation c = new Conversation().midstream()
            .client(100, compressed(0, packet(0, query(SELECT)), How.ZLIB))
            .server(110, compressed(1, packet(1, ok(0, 0, 2, 0)), How.ZLIB))
            .client(200, compressed(0, packet(0, query("SELECT 1")), How.AS_IS))
            .server(210, compressed(1, packet(1, ok(0, 0, 2, 0)), How.AS_IS));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Object> events = c.run(tracker);
        final List<Recorder.Q> queries = Recorder.queries(events);
        assertEquals(2, queries.size(), events.toString());
        assertEquals(redacted(SELECT), ((Recorder.Q) queries.get(0)).sql);
        assertEquals("SELECT ?", ((Recorder.Q) queries.get(1)).sql);
        assertTrue(((Recorder.Conn) events.get(0)).compressed());
        assertEquals(1, tracker.counters().compressedConnections());
    }

    @Test
    void aPayloadThatDoesNotInflateIsCountedAndTheNextCommandPicksUp() {
        final byte[] broken = compressed(0, packet(0, query("SELECT 2")), How.ZLIB);
        broken[broken.length - 1] ^= 0x55; // the zlib checksum no longer matches
        final Conversation c = new Conversation()
            .server(10, packet(0, greeting("8.0.36", 42, SERVER_CAPS)))
            .client(20, loginPacket(CLIENT_CAPS | COMPRESS, ""))
            .server(30, packet(2, ok(0, 0, ServerStatus.AUTOCOMMIT, 0)))
            .client(100, broken)
            .server(110, compressed(1, packet(1, ok(0, 0, 2, 0)), How.ZLIB))
            .client(200, compressed(0, packet(0, query("SELECT 3")), How.ZLIB))
            .server(210, compressed(1, packet(1, ok(0, 0, 2, 0)), How.ZLIB));
        final MysqlConversationTracker tracker = Conversation.tracker();
        final List<Recorder.Q> queries = Recorder.queries(c.run(tracker));
        assertEquals(1, queries.size(), queries.toString());
        assertEquals("SELECT ?", ((Recorder.Q) queries.get(0)).sql);
        assertEquals(1, tracker.counters().protocolErrors());
        assertEquals(1, tracker.counters().resyncs());
    }
}
