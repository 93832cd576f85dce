package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.testing.MysqlWire.*;

import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.TcpFlow;
import spyglass.testing.MysqlWire;

/** The hot path does not allocate once warmed up: per query, per packet, per connection. */
class AllocationTest {
    static final class NoOpSink implements EventSink {
        long queries;
        long rows;

        @Override
        public void onConnection(final ConnectionInfo connection, final long timestampNanos) {
        }

        @Override
        public void onQuery(final QueryEvent query) {
            queries++;
            rows += query.rows;
        }

        @Override
        public void onConnectionClose(final ConnectionInfo connection, final CloseReason reason, final long ts) {
        }
    }

    @Test
    void commandResponseCyclesAndPooledConnectionsDoNotAllocate() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final NoOpSink sink = new NoOpSink();
        final MysqlConversationTracker tracker = new MysqlConversationTracker(sink, new MysqlOptions());

        final UnsafeBuffer login = new UnsafeBuffer(concat(
            packet(0, greeting("8.0.36", 7, SERVER_CAPS))));
        final UnsafeBuffer loginResponse = new UnsafeBuffer(packet(1, MysqlWire.login(CLIENT_CAPS | CONNECT_WITH_DB, "app",
            "shop")));
        final UnsafeBuffer loginOk = new UnsafeBuffer(packet(2, ok(0, 0, 2, 0)));
        final UnsafeBuffer select = new UnsafeBuffer(packet(0, query("SELECT a, b FROM t WHERE id = 42 AND s = 'x'")));
        final UnsafeBuffer result = new UnsafeBuffer(concat(packet(1, columnCount(2)), packet(2, columnDef("a")),
            packet(3, columnDef("b")), packet(4, eof(0, 2)), packet(5, row("1", "x")), packet(6, row(null, "")),
            packet(7, eof(0, 2))));
        final UnsafeBuffer update = new UnsafeBuffer(packet(0, query("UPDATE t SET a = 1 WHERE id = 2")));
        final UnsafeBuffer updated = new UnsafeBuffer(packet(1, ok(1, 0, 0x23, 0)));
        final UnsafeBuffer failing = new UnsafeBuffer(packet(0, query("SELECT * FROM nope")));
        final UnsafeBuffer failed = new UnsafeBuffer(packet(1, err(1146, "42S02", "no such table")));
        // a prepared statement: prepared once per connection, executed in the loop, closed at the end
        final UnsafeBuffer prepare = new UnsafeBuffer(packet(0, command(0x16, "UPDATE t SET a = ? WHERE id = ? AND k = 'z'")));
        final UnsafeBuffer prepared = new UnsafeBuffer(concat(packet(1, prepareOk(5, 0, 2, 0)), packet(2, columnDef("?")),
            packet(3, columnDef("?")), packet(4, eof(0, 2))));
        final UnsafeBuffer execute = new UnsafeBuffer(packet(0, payload().u8(0x17).u32(5).u8(0).u32(1).u8(0).u8(1)
            .u8(8).u8(0).u8(8).u8(0).u64(7).u64(8).build()));
        final UnsafeBuffer executed = new UnsafeBuffer(packet(1, ok(1, 0, 2, 0)));
        final UnsafeBuffer closeStatement = new UnsafeBuffer(packet(0, payload().u8(0x19).u32(5).build()));

        final TcpFlow[] flows = new TcpFlow[8];
        for (int i = 0; i < flows.length; i++) {
            flows[i] = Conversation.flow("10.0.0.1:" + (40000 + i), "10.0.0.2:3306");
        }
        final int warmup = 30_000;
        final int measured = 100_200; // 334 connections of 401 queries
        long allocated = 0;
        for (int phase = 0; phase < 2; phase++) {
            final int cycles = phase == 0 ? warmup : measured;
            final long before = threads.getCurrentThreadAllocatedBytes();
            long ts = 1;
            int queries = 0;
            for (int c = 0; c < cycles / 300; c++) {
                final TcpFlow flow = flows[c % flows.length];
                tracker.onFlowOpen(flow, true, ts);
                tracker.onData(flow, false, login, 0, login.capacity(), ts++);
                tracker.onData(flow, true, loginResponse, 0, loginResponse.capacity(), ts++);
                tracker.onData(flow, false, loginOk, 0, loginOk.capacity(), ts++);
                tracker.onData(flow, true, prepare, 0, prepare.capacity(), ts++);
                tracker.onData(flow, false, prepared, 0, prepared.capacity(), ts++);
                queries++;
                for (int i = 0; i < 100; i++) {
                    tracker.onData(flow, true, select, 0, select.capacity(), ts++);
                    // the response in two segments, split inside a packet
                    tracker.onData(flow, false, result, 0, 30, ts++);
                    tracker.onData(flow, false, result, 30, result.capacity() - 30, ts++);
                    tracker.onData(flow, true, update, 0, update.capacity(), ts++);
                    tracker.onData(flow, false, updated, 0, updated.capacity(), ts++);
                    tracker.onData(flow, true, failing, 0, failing.capacity(), ts++);
                    tracker.onData(flow, false, failed, 0, failed.capacity(), ts++);
                    tracker.onData(flow, true, execute, 0, execute.capacity(), ts++);
                    tracker.onData(flow, false, executed, 0, executed.capacity(), ts++);
                    queries += 4;
                }
                tracker.onData(flow, true, closeStatement, 0, closeStatement.capacity(), ts++);
                tracker.onGap(flow, false, 10, ts++);
                tracker.onFlowClose(flow, FlowCloseReason.FIN, ts++);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (phase == 1) {
                assertEquals(measured / 300 * 401, queries);
            }
        }
        assertTrue(allocated < measured, "allocated " + allocated + " bytes for " + measured / 300 * 401 + " queries");
        assertEquals((warmup / 300 + measured / 300) * 401, tracker.counters().queries());
        assertEquals(0, tracker.counters().protocolErrors());
        assertEquals(0, tracker.counters().unknownPreparedStatements());
        assertEquals(0, tracker.prepared.size()); // each connection's statement closed
    }

    /** The compressed protocol (zlib) once warm: inflating into reused buffers, framing, redacting. */
    @Test
    void compressedConversationsDoNotAllocate() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final MysqlConversationTracker tracker = new MysqlConversationTracker(new NoOpSink(), new MysqlOptions());
        final CompressedConversationTest.How zlib = CompressedConversationTest.How.ZLIB;
        final UnsafeBuffer greeting = new UnsafeBuffer(packet(0, greeting("8.0.36", 7, SERVER_CAPS)));
        final UnsafeBuffer login = new UnsafeBuffer(packet(1, MysqlWire.login(CLIENT_CAPS | COMPRESS, "app", "")));
        final UnsafeBuffer loginOk = new UnsafeBuffer(packet(2, ok(0, 0, 2, 0)));
        final UnsafeBuffer select = new UnsafeBuffer(CompressedConversationTest.compressed(0,
            packet(0, query("SELECT a, b FROM t WHERE id = 42 AND s = 'compressed secret'")), zlib));
        final UnsafeBuffer result = new UnsafeBuffer(CompressedConversationTest.compressed(1, concat(packet(1, columnCount(2)),
            packet(2, columnDef("a")), packet(3, columnDef("b")), packet(4, eof(0, 2)), packet(5, row("1", "x")),
            packet(6, eof(0, 2))), zlib));
        final TcpFlow flow = Conversation.flow("10.0.0.1:40000", "10.0.0.2:3306");
        long allocated = 0;
        for (int phase = 0; phase < 2; phase++) {
            final long before = threads.getCurrentThreadAllocatedBytes();
            long ts = 1;
            for (int c = 0; c < 100; c++) {
                tracker.onFlowOpen(flow, true, ts);
                tracker.onData(flow, false, greeting, 0, greeting.capacity(), ts++);
                tracker.onData(flow, true, login, 0, login.capacity(), ts++);
                tracker.onData(flow, false, loginOk, 0, loginOk.capacity(), ts++);
                for (int i = 0; i < 300; i++) {
                    tracker.onData(flow, true, select, 0, select.capacity(), ts++);
                    // the compressed response in two segments, split inside its compressed payload
                    tracker.onData(flow, false, result, 0, 20, ts++);
                    tracker.onData(flow, false, result, 20, result.capacity() - 20, ts++);
                }
                tracker.onFlowClose(flow, FlowCloseReason.FIN, ts++);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(allocated < 30_000, "allocated " + allocated + " bytes for 30,000 compressed queries");
        assertEquals(60_000, tracker.counters().queries());
        assertEquals(0, tracker.counters().protocolErrors());
    }
}
