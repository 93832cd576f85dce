package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.pipeline.Backpressure;
import spyglass.pipeline.Pipeline;
import spyglass.pipeline.PipelineOptions;
import spyglass.pipeline.ServerFilter;
import spyglass.source.AfPacketOptions;
import spyglass.source.AfPacketSource;
import spyglass.source.FrameHandler;

/**
 * The foundation's allocation rule on a live capture: a real MariaDB on loopback, a real client
 * (Connector/J, text protocol) on its own thread, spyglass's packet ring and pipeline in this JVM.
 * After warm-up, the capture thread, both workers and the writer together allocate less than one
 * byte per packet.
 */
class LiveCaptureAllocationIT {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path tmp;

    /** A client thread, started and waiting for {@link #capture} to let it run {@code queries} statements. */
    private record Client(Thread thread, CountDownLatch go, AtomicReference<Throwable> failure) {
        static Client ready(final Connection connection, final int queries) {
            final CountDownLatch go = new CountDownLatch(1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread thread = new Thread(() -> {
                try (Statement s = connection.createStatement()) {
                    go.await();
                    for (int i = 0; i < queries; i++) {
                        try (ResultSet rs = s.executeQuery("SELECT id, name FROM alloc_t WHERE id = " + (i % 100))) {
                            while (rs.next()) {
                                rs.getString(2);
                            }
                        }
                    }
                } catch (final Throwable t) {
                    failure.set(t);
                }
            }, "client");
            thread.start();
            return new Client(thread, go, failure);
        }
    }

    /**
     * Lets the client run and captures on this thread until it is done and the ring has been
     * empty for a few block timeouts, then until the pipeline has processed everything. The
     * client's thread is made before, so that only the capture's own work is on this thread.
     */
    private static void capture(final Client client, final AfPacketSource source, final Pipeline pipeline) throws Exception {
        final FrameHandler capture = pipeline.frameHandler();
        client.go().countDown();
        int quietPolls = 0;
        while (client.thread().isAlive() || quietPolls < 5) {
            quietPolls = source.poll(capture, 65_536) == 0 ? quietPolls + 1 : 0;
        }
        client.thread().join();
        if (client.failure().get() != null) {
            throw new AssertionError("client failed", client.failure().get());
        }
        pipeline.awaitIdle();
    }

    private static long allocated(final long[] ids) {
        long sum = 0;
        for (final long id : ids) {
            sum += THREADS.getThreadAllocatedBytes(id);
        }
        return sum;
    }

    @Test
    void aWarmLiveCaptureAllocatesLessThanOneBytePerPacketOnEveryThread() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            server.rootSql("USE spydb; CREATE TABLE alloc_t (id INT PRIMARY KEY, name VARCHAR(40));"
                + "INSERT INTO alloc_t SELECT seq, CONCAT('name-', seq) FROM seq_0_to_99");
            final PipelineOptions options = new PipelineOptions();
            options.serverFilter = ServerFilter.ports(server.port());
            options.workers = 2;
            options.backpressure = Backpressure.DROP;
            try (AfPacketSource source = AfPacketSource.open(AfPacketOptions.of("lo", server.port()));
                 CaptureFileWriter writer = CaptureFileWriter.create(tmp.resolve("live.jsonl"));
                 Pipeline pipeline = new Pipeline(options, writer);
                 Connection connection = DriverManager.getConnection(server.jdbcUrl(MariaDbServer.DATABASE))) {
                pipeline.start();
                pipeline.watch(source);
                // Warm-up: JIT (the poll(2) wait path too, which allocates while interpreted), pools, buffers.
                for (int round = 0; round < 4; round++) {
                    capture(Client.ready(connection, 4_000), source, pipeline);
                }

                final List<Thread> threads = new ArrayList<>(pipeline.threads());
                threads.add(Thread.currentThread());
                final long[] ids = threads.stream().mapToLong(Thread::threadId).toArray();
                final long framesBefore = pipeline.frames();
                final long queriesBefore = pipeline.snapshot().queries;
                final Client measured = Client.ready(connection, 5_000);
                final long before = allocated(ids);
                final long[] each = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    each[i] = THREADS.getThreadAllocatedBytes(ids[i]);
                }
                capture(measured, source, pipeline);
                final long bytes = allocated(ids) - before;
                final StringBuilder perThread = new StringBuilder();
                for (int i = 0; i < ids.length; i++) {
                    perThread.append(threads.get(i).getName()).append(' ').append(THREADS.getThreadAllocatedBytes(ids[i]) - each[i]).append("; ");
                }
                final long packets = pipeline.frames() - framesBefore;
                final CaptureStats now = pipeline.snapshot();
                System.out.printf("live capture allocation: %,d bytes over %,d packets (%,d queries) = %.4f bytes/packet (%s)%n",
                    bytes, packets, now.queries - queriesBefore, (double) bytes / packets, perThread);
                assertEquals(5_000, now.queries - queriesBefore, "every query of the measured run captured");
                assertEquals(0, now.kernelDrops + now.ringDrops + now.gaps);
                assertTrue(packets >= 10_000, packets + " packets");
                assertTrue(bytes < packets, bytes + " bytes allocated for " + packets + " packets after warm-up");
            }
        }
    }
}
