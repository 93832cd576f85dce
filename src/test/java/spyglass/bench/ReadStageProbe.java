package spyglass.bench;

import java.nio.file.Path;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;
import spyglass.mysql.MysqlConversationTracker;
import spyglass.mysql.MysqlOptions;
import spyglass.output.CaptureFileWriter;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;
import spyglass.pipeline.Pipeline;
import spyglass.pipeline.PipelineOptions;
import spyglass.pipeline.ServerFilter;
import spyglass.source.FrameHandler;
import spyglass.source.PcapFileSource;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.FlowTable;
import spyglass.tcp.FlowTableOptions;
import spyglass.tcp.TcpFlow;
import spyglass.tcp.TcpFlowListener;

/**
 * Where the reading time goes, stage by stage, with a warm JIT: the same file read through
 * ever longer prefixes of the offline path (source only; + decode; + flow table and reassembly;
 * + MySQL conversations, all on one thread; then the whole threaded pipeline, with its rings,
 * encoding and writer thread, with one worker and with two). The difference between two of the
 * single-thread rows is what the added stage costs.
 *
 * <pre>
 *   java -cp target/classes:target/test-classes:AGRONA:PICOCLI -XX:+UseSerialGC \
 *     --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
 *     spyglass.bench.ReadStageProbe PORT FILE.pcap [ROUNDS=5]
 * </pre>
 * Not a unit test: a tool run by hand, its output copied into bench/RESULTS.md.
 */
public final class ReadStageProbe {
    private static final String[] STAGES = {"source", "+ decode", "+ tcp", "+ mysql", "pipeline 1w", "pipeline 2w"};

    private ReadStageProbe() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ReadStageProbe PORT FILE.pcap [ROUNDS=5]");
            System.exit(2);
        }
        final int port = Integer.parseInt(args[0]);
        final Path file = Path.of(args[1]);
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        final long[][] nanos = new long[STAGES.length][rounds];
        for (int warm = 0; warm < 2; warm++) {
            for (int stage = 0; stage < STAGES.length; stage++) {
                once(stage, port, file);
            }
        }
        // Interleaved so that a noisy neighbour spreads over every stage, not one.
        for (int round = 0; round < rounds; round++) {
            for (int stage = 0; stage < STAGES.length; stage++) {
                nanos[stage][round] = once(stage, port, file);
            }
        }
        long previous = 0;
        for (int stage = 0; stage < STAGES.length; stage++) {
            Arrays.sort(nanos[stage]);
            final long median = nanos[stage][rounds / 2];
            System.out.printf("%-10s median %,6d ms  (stage adds %,5d ms)  runs: %s%n", STAGES[stage], median / 1_000_000,
                (median - previous) / 1_000_000, Arrays.toString(Arrays.stream(nanos[stage]).map(n -> n / 1_000_000).toArray()));
            previous = median;
        }
        System.out.println("sink " + sink);
    }

    private static long sink;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long once(final int stage, final int port, final Path file) {
        if (stage >= 4) {
            return threaded(stage - 3, port, file);
        }
        final FrameHandler handler = switch (stage) {
            case 0 -> (frame, offset, captured, original, ts, linkType) -> sink += frame.getByte(offset + captured - 1);
            case 1 -> decodeOnly();
            case 2 -> decodeInto(new FlowTable(NO_FLOW_LISTENER, flowOptions(port)), port);
            case 3 -> decodeInto(new FlowTable(new MysqlConversationTracker(NO_EVENTS, new MysqlOptions()), flowOptions(port)), port);
            default -> throw new IllegalArgumentException("stage " + stage);
        };
        final long t0 = System.nanoTime();
        try (PcapFileSource source = new PcapFileSource(file)) {
            while (source.poll(handler, 65_536) >= 0) {
                // drain
            }
        }
        return System.nanoTime() - t0;
    }

    /** The whole pipeline, threads and all, writing to /dev/null: what {@code spyglass read -w N} does. */
    private static long threaded(final int workers, final int port, final Path file) {
        final PipelineOptions options = new PipelineOptions();
        options.serverFilter = ServerFilter.ports(port);
        options.workers = workers;
        options.workerRingBytes = Integer.getInteger("spyglass.workerRingBytes", options.workerRingBytes);
        final long t0 = System.nanoTime();
        try (CaptureFileWriter writer = CaptureFileWriter.create(Path.of("/dev/null"));
             Pipeline pipeline = new Pipeline(options, writer);
             PcapFileSource source = new PcapFileSource(file)) {
            final long cpu0 = THREADS.getCurrentThreadCpuTime();
            pipeline.drain(source, 65_536, null);
            final StringBuilder cpu = new StringBuilder("capture thread ").append((THREADS.getCurrentThreadCpuTime() - cpu0) / 1_000_000);
            for (final Thread t : pipeline.threads()) {
                cpu.append(", ").append(t.getName()).append(' ').append(THREADS.getThreadCpuTime(t.threadId()) / 1_000_000);
            }
            sink += pipeline.finish(System.currentTimeMillis() * 1_000_000L).queries;
            System.out.println("    cpu ms at end of drain: " + cpu);
        }
        return System.nanoTime() - t0;
    }

    private static FlowTableOptions flowOptions(final int port) {
        final FlowTableOptions options = new FlowTableOptions();
        options.serverPorts(new int[] {port});
        return options;
    }

    private static FrameHandler decodeOnly() {
        final PacketDecoder decoder = new PacketDecoder();
        final TcpSegment segment = new TcpSegment();
        return (frame, offset, captured, original, ts, linkType) -> {
            if (decoder.decode(frame, offset, captured, original, ts, linkType, segment) == PacketDecoder.OK) {
                sink += segment.payloadLength;
            }
        };
    }

    private static FrameHandler decodeInto(final FlowTable table, final int port) {
        final PacketDecoder decoder = new PacketDecoder();
        final TcpSegment segment = new TcpSegment();
        final ServerFilter filter = ServerFilter.ports(port);
        return (frame, offset, captured, original, ts, linkType) -> {
            if (decoder.decode(frame, offset, captured, original, ts, linkType, segment) == PacketDecoder.OK
                && filter.accepts(segment)) {
                table.onSegment(segment);
            }
        };
    }

    private static final TcpFlowListener NO_FLOW_LISTENER = new TcpFlowListener() {
        @Override
        public void onFlowOpen(final TcpFlow flow, final boolean handshakeSeen, final long timestampNanos) {
        }

        @Override
        public void onData(final TcpFlow flow, final boolean fromClient, final DirectBuffer buffer, final int offset,
                           final int length, final long timestampNanos) {
            sink += length;
        }

        @Override
        public void onGap(final TcpFlow flow, final boolean fromClient, final long missingBytes, final long timestampNanos) {
        }

        @Override
        public void onFlowClose(final TcpFlow flow, final FlowCloseReason reason, final long timestampNanos) {
        }
    };

    private static final EventSink NO_EVENTS = new EventSink() {
        @Override
        public void onConnection(final ConnectionInfo connection, final long timestampNanos) {
        }

        @Override
        public void onQuery(final QueryEvent query) {
            sink += query.latencyNanos;
        }

        @Override
        public void onConnectionClose(final ConnectionInfo connection, final CloseReason reason, final long timestampNanos) {
        }
    };
}
