package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.pipeline.Conversations.AUTOCOMMIT;
import static spyglass.pipeline.ScriptedConnection.WHOLE;
import static spyglass.pipeline.ScriptedConnection.ns;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.source.PcapFileSource;
import spyglass.testing.CaptureFile;
import spyglass.testing.TcpConversation;

/**
 * DESIGN.md, "Proof, not promises": once warmed up, the whole offline pipeline -- mapped file,
 * decode, worker rings, flow table, reassembly, MySQL state machine, redaction, JSON encoding,
 * output ring, capture file -- allocates nothing per packet on any of its threads (the capture
 * thread, two workers, the writer).
 *
 * <p>Warm-up reads two files (JIT, pools, the out-of-order store, the writer's buffers) through the
 * pipeline that is then measured reading a third file with the same shape but different flows, so
 * that every connection of the measured file is opened from the pools and closed back into them.
 */
class PipelineAllocationTest {
    private static final int CONNECTIONS = 40;
    private static final int QUERIES = 200;

    @TempDir
    Path tmp;

    /**
     * {@code CONNECTIONS} clients on ports {@code basePort}.., each logging in, running
     * {@code QUERIES} commands round-robin with the others (4 in 5 a point select with a one-row
     * result set, 1 in 5 an UPDATE answered by OK; each response ACKed), then QUIT and FIN.
     */
    static Path workload(final Path file, final int basePort, final long startUs) {
        return workload(file, basePort, startUs, CONNECTIONS);
    }

    static Path workload(final Path file, final int basePort, final long startUs, final int connections) {
        final List<TcpConversation> conversations = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            final ScriptedConnection c = ScriptedConnection.ipv4("10.1." + (i / 200) + "." + (1 + i % 200), basePort + i,
                "10.0.0.2", 3306);
            final long offset = startUs + 10L * i;
            c.connect(offset, 1000 + basePort + i, "app", "shop");
            for (int q = 0; q < QUERIES; q++) {
                final long t = offset + 1_000 + 1_000L * q;
                final int id = basePort * 1000 + i * QUERIES + q;
                if (q % 5 == 4) {
                    c.update(t, "UPDATE users SET visits = visits + 1, seen = '2024-05-0" + (q % 9 + 1) + "' WHERE id = " + id,
                        "", WHOLE, t + 300, 1, AUTOCOMMIT);
                } else {
                    c.select(t, "SELECT id, name FROM users WHERE id = " + id, "", WHOLE, t + 150, WHOLE,
                        new String[][] {{Integer.toString(id), "user-" + id}}, AUTOCOMMIT);
                }
                c.tcp.ack(ns(t + 400), true);
            }
            c.quit(offset + 1_000 + 1_000L * QUERIES);
            conversations.add(c.tcp);
        }
        return TcpConversation.writePcap(file, conversations.toArray(new TcpConversation[0]));
    }

    /** Looked up once: the lookup itself allocates. */
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes allocated so far by the capture thread (this one) and every thread of the pipeline. */
    private static long allocatedBytes(final long[] threadIds) {
        long sum = 0;
        for (final long id : threadIds) {
            final long bytes = THREADS.getThreadAllocatedBytes(id);
            assertTrue(bytes >= 0, "allocation of thread " + id + " not measurable");
            sum += bytes;
        }
        return sum;
    }

    private static void drain(final Pipeline pipeline, final Path file) {
        try (PcapFileSource source = new PcapFileSource(file)) {
            pipeline.drain(source, 65_536, null);
        }
    }

    @Test
    void warmPipelineAllocatesNothingPerPacket() {
        // Twice the connections at once: however the hash spreads the measured file's connections
        // over the two workers, neither holds more at once than it already pooled.
        final Path warmUp1 = workload(tmp.resolve("a1.pcap"), 40_000, 0, 2 * CONNECTIONS);
        final Path warmUp2 = workload(tmp.resolve("a2.pcap"), 45_000, 1_000_000, 2 * CONNECTIONS);
        final Path measured = workload(tmp.resolve("b.pcap"), 50_000, 2_000_000);
        final Path out = tmp.resolve("out.jsonl");

        final PipelineOptions options = new PipelineOptions();
        options.serverFilter = ServerFilter.ports(3306);
        options.workers = 2;
        final CaptureFileWriter writer = CaptureFileWriter.create(out);
        final Pipeline pipeline = new Pipeline(options, writer);
        drain(pipeline, warmUp1);
        drain(pipeline, warmUp2);
        pipeline.awaitIdle();
        final long framesBefore = pipeline.frames();
        final long queriesBefore = pipeline.snapshot().queries;
        final List<Thread> threads = new ArrayList<>(pipeline.threads());
        assertEquals(options.workers + 1, threads.size(), "worker and writer threads");
        threads.add(Thread.currentThread());
        final long[] ids = threads.stream().mapToLong(Thread::threadId).toArray();

        final long allocated;
        final long packets;
        try (PcapFileSource source = new PcapFileSource(measured)) {
            final long before = allocatedBytes(ids);

            pipeline.drain(source, 65_536, null);
            pipeline.awaitIdle();
            allocated = allocatedBytes(ids) - before;

            packets = pipeline.frames() - framesBefore;
        }
        final long queries = pipeline.snapshot().queries - queriesBefore;
        System.out.printf("pipeline allocation: %,d bytes over %,d packets (%,d queries) = %.4f bytes/packet%n",
            allocated, packets, queries, (double) allocated / packets);

        final CaptureStats end = pipeline.finish(0);
        writer.close();
        assertEquals((long) CONNECTIONS * QUERIES, queries);
        assertEquals(5L * CONNECTIONS * QUERIES, end.queries);
        assertEquals(5L * CONNECTIONS, end.connections);
        assertEquals(0, end.gaps + end.resyncs + end.protocolErrors + end.malformed + end.outOfOrderSegments);
        assertEquals(5L * CONNECTIONS, CaptureFile.read(out).ofType("conn_close").size());
        assertTrue(allocated < packets, "allocated " + allocated + " bytes for " + packets + " packets after warm-up");
    }
}
