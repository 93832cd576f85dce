package spyglass.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.pipeline.Pipeline;
import spyglass.pipeline.PipelineOptions;
import spyglass.pipeline.ServerFilter;
import spyglass.source.PcapFileSource;

/**
 * Bytes allocated by the reading thread per packet on a real capture, after JIT warm-up.
 *
 * <pre>
 *   java -cp target/classes:target/test-classes:AGRONA:PICOCLI \
 *     --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
 *     spyglass.bench.ReadAllocationProbe PORT WHOLE.pcap [PART1.pcap PART2.pcap]
 * </pre>
 *
 * <ol>
 *   <li>warm-up: pipeline A reads WHOLE (not measured; the JIT compiles the hot path);</li>
 *   <li>fresh pipeline B: its construction (pools, writer buffer) measured on its own, then its
 *       reading of WHOLE, from before {@code drain} to after {@code finish}: this includes the
 *       per-connection state B makes for the file's connections;</li>
 *   <li>when PART1 and PART2 are given (WHOLE split in two at a packet boundary), pipeline C reads
 *       PART1 unmeasured, then only C's reading of PART2 is measured (its pools already exist),
 *       and then its {@code finish} separately.</li>
 * </ol>
 * Not a unit test: a tool run by hand, its output copied into bench/RESULTS.md.
 */
public final class ReadAllocationProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ReadAllocationProbe() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 2 && args.length != 4) {
            System.err.println("usage: ReadAllocationProbe PORT WHOLE.pcap [PART1.pcap PART2.pcap]");
            System.exit(2);
        }
        final int port = Integer.parseInt(args[0]);
        final Path whole = Path.of(args[1]);

        // 1. warm-up
        long t0 = System.nanoTime();
        final CaptureStats a = run(port, whole);
        System.out.printf("warm-up  A: whole file, %,d packets, %,d queries, %.0f ms%n",
            a.packets, a.queries, (System.nanoTime() - t0) / 1e6);

        // 2. fresh pipeline, whole file
        {
            final long beforeNew = THREADS.getCurrentThreadAllocatedBytes();
            final Pipeline b = pipeline(port);
            final long construction = THREADS.getCurrentThreadAllocatedBytes() - beforeNew;
            System.out.printf("fresh    B: new Pipeline + CaptureFileWriter.create: %,d bytes%n", construction);
            try (PcapFileSource source = new PcapFileSource(whole)) {
                final long gc0 = gcCount();
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                t0 = System.nanoTime();
                b.drain(source, 65_536, null);
                final long afterDrain = THREADS.getCurrentThreadAllocatedBytes();
                final CaptureStats end = b.finish(System.currentTimeMillis() * 1_000_000L);
                final long afterFinish = THREADS.getCurrentThreadAllocatedBytes();
                final double ms = (System.nanoTime() - t0) / 1e6;
                print("fresh    B: whole file (drain includes per-connection set-up)", end.packets, afterDrain - before,
                    afterFinish - afterDrain, gcCount() - gc0, ms);
            }
        }

        // 3. same pipeline: part 1 unmeasured, part 2 measured
        if (args.length == 4) {
            final Pipeline c = pipeline(port);
            try (PcapFileSource p1 = new PcapFileSource(Path.of(args[2]))) {
                c.drain(p1, 65_536, null);
            }
            final long packetsBefore = c.frames();
            try (PcapFileSource p2 = new PcapFileSource(Path.of(args[3]))) {
                final long gc0 = gcCount();
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                t0 = System.nanoTime();
                c.drain(p2, 65_536, null);
                final long afterDrain = THREADS.getCurrentThreadAllocatedBytes();
                final double ms = (System.nanoTime() - t0) / 1e6;
                final long packets = c.frames() - packetsBefore;
                final long gcs = gcCount() - gc0;
                final CaptureStats end = c.finish(System.currentTimeMillis() * 1_000_000L);
                final long afterFinish = THREADS.getCurrentThreadAllocatedBytes();
                print("warm     C: part 2 only, after part 1 on the same pipeline", packets, afterDrain - before,
                    afterFinish - afterDrain, gcs, ms);
                System.out.printf("           C total: %,d packets, %,d queries%n", end.packets, end.queries);
            }
        }
    }

    private static Pipeline pipeline(final int port) {
        final PipelineOptions options = new PipelineOptions();
        options.serverFilter = ServerFilter.ports(port);
        return new Pipeline(options, CaptureFileWriter.create(Path.of("/dev/null")));
    }

    private static CaptureStats run(final int port, final Path file) {
        final Pipeline p = pipeline(port);
        try (PcapFileSource source = new PcapFileSource(file)) {
            p.drain(source, 65_536, null);
        }
        return p.finish(System.currentTimeMillis() * 1_000_000L);
    }

    private static void print(final String label, final long packets, final long drainBytes, final long finishBytes,
                              final long gcs, final double ms) {
        System.out.printf("%s%n           drain: %,d bytes over %,d packets = %.3f bytes/packet; finish: %,d bytes;"
                + " GCs during drain: %d; drain %.0f ms%n",
            label, drainBytes, packets, packets == 0 ? 0.0 : (double) drainBytes / packets, finishBytes, gcs, ms);
    }

    private static long gcCount() {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
