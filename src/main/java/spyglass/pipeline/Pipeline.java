package spyglass.pipeline;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.agrona.BitUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.packet.PacketDecoder;
import spyglass.source.FrameHandler;
import spyglass.source.PacketSource;

/**
 * source → dispatcher (calling thread) → worker rings → workers → output ring → writer thread →
 * capture file: the pipeline of DESIGN.md, the same for files and live capture.
 *
 * <p>The thread that calls {@link #drain} (or hands frames to {@link #frameHandler()}) is the
 * capture thread. {@link #start()} starts one thread per worker and the writer thread; before it,
 * the caller may write to the capture file (the {@code capture_start} line), after {@link #finish}
 * the threads are gone and the file is the caller's again.
 */
public final class Pipeline implements AutoCloseable {
    /** Room in the output ring for this many of the longest lines a worker can produce. */
    private static final int LONGEST_LINES_IN_OUTPUT_RING = 8;
    private static final int MIN_OUTPUT_RING_BYTES = 4 << 20;
    /** How long {@link #close()} lets the writer empty the output ring when leaving early. */
    private static final long CLOSE_DRAIN_NANOS = 2_000_000_000L;

    private final PipelineOptions options;
    private final CaptureFileWriter writer;
    private final PipelineFailure failure = new PipelineFailure();
    private final RingBuffer[] workerRings;
    private final RingBuffer outputRing;
    private final WorkerAgent[] workerAgents;
    private final Worker[] workers;
    private final WriterAgent writerAgent;
    private final Dispatcher dispatcher;
    private final OutputRingSink statsSink;
    private final CaptureStats stats = new CaptureStats();
    private final IdleStrategy finishIdle = waitingIdleStrategy();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private long sourceMalformed;
    /** The source being read, for its kernel drop counter; null between sources. */
    private PacketSource current;
    private long kernelDropsOfPastSources;
    private boolean started;
    private boolean finished;

    public Pipeline(final PipelineOptions options, final CaptureFileWriter writer) {
        options.validate();
        this.options = options;
        this.writer = writer;
        this.outputRing = new ManyToOneRingBuffer(ring(outputRingBytes(options)));
        this.workerRings = new RingBuffer[options.workers];
        this.workerAgents = new WorkerAgent[options.workers];
        this.workers = new Worker[options.workers];
        for (int w = 0; w < options.workers; w++) {
            workerRings[w] = new OneToOneRingBuffer(ring(options.workerRingBytes));
            final OutputRingSink sink = new OutputRingSink(outputRing, waitingIdleStrategy(), failure);
            workers[w] = new Worker(options, sink);
            workerAgents[w] = new WorkerAgent(w, workerRings[w], workers[w], failure, options.placement);
        }
        this.writerAgent = new WriterAgent(outputRing, writer, failure, options.placement, options.flushIntervalNanos);
        this.statsSink = new OutputRingSink(outputRing, waitingIdleStrategy(), failure);
        this.dispatcher = new Dispatcher(options, workerRings, waitingIdleStrategy(), failure, this::writePeriodicStats);
    }

    /** Worker {@code w}, for tests of what each worker was built with; its thread owns it once started. */
    Worker worker(final int w) {
        return workers[w];
    }

    /** The output ring holds several of the longest lines: a statement at its cap, every byte escaped. */
    static int outputRingBytes(final PipelineOptions options) {
        final long longestLine = 6L * (options.mysql.maxStatementBytes + 4096) + 8192;
        final long wanted = Math.max(MIN_OUTPUT_RING_BYTES, LONGEST_LINES_IN_OUTPUT_RING * longestLine);
        if (wanted > 1 << 30) {
            throw new IllegalArgumentException("statements of " + options.mysql.maxStatementBytes
                + " bytes need too large an output ring: lower the statement cap");
        }
        return BitUtil.findNextPositivePowerOfTwo((int) wanted);
    }

    private static UnsafeBuffer ring(final int capacity) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    /**
     * A worker with an empty ring: spin and yield a little (a segment is likely on its way), then
     * park up to 1 ms: an idle worker costs ~1000 wake-ups a second, and 1 ms of a busy link (a few
     * MB) fits its ring. Spinning longer would take the CPU from the threads doing the work: on a
     * small host there are more pipeline threads than cores.
     */
    private static IdleStrategy workerIdleStrategy() {
        return new BackoffIdleStrategy(16, 4, 10_000, 1_000_000);
    }

    /**
     * A thread waiting for room in a full ring: whoever it waits for needs the CPU, and nothing is
     * gained by noticing the room a microsecond sooner. Park at once.
     */
    private static IdleStrategy waitingIdleStrategy() {
        return new BackoffIdleStrategy(0, 0, 100_000, 1_000_000);
    }

    /**
     * The writer with nothing to write sleeps 1 ms: at a million lines a second that is 1,000 lines
     * waiting, a tenth of the output ring, and a thousand wake-ups a second instead of one per line.
     */
    private static IdleStrategy writerIdleStrategy() {
        return new SleepingIdleStrategy(1_000_000);
    }

    /** Starts the worker and writer threads; from now on only the writer thread writes to the file. */
    public void start() {
        if (started) {
            return;
        }
        started = true;
        for (final WorkerAgent agent : workerAgents) {
            startThread(agent, workerIdleStrategy());
        }
        startThread(writerAgent, writerIdleStrategy());
    }

    private void startThread(final Agent agent, final IdleStrategy idle) {
        final AgentRunner runner = new AgentRunner(idle, this::onAgentError, null, agent);
        runners.add(runner);
        threads.add(AgentRunner.startOnThread(runner));
    }

    private void onAgentError(final Throwable t) {
        // Agents record their own failure and stop; what reaches here is the termination itself.
        failure.record(t.getCause() != null && t instanceof AgentTerminationException ? t.getCause() : t);
    }

    /** The capture thread's handler, for a caller that polls a source itself (live capture). */
    public FrameHandler frameHandler() {
        return dispatcher;
    }

    /**
     * Reads the source to its end (or its damage: the exception comes after every good frame has
     * been handed to the workers).
     */
    public void drain(final PacketSource source, final int batch, final Runnable afterBatch) {
        start();
        watch(source);
        try {
            while (source.poll(dispatcher, batch) >= 0) {
                failure.throwIfFailed();
                if (afterBatch != null) {
                    afterBatch.run();
                }
            }
        } finally {
            unwatch();
        }
    }

    /**
     * For a caller that polls {@code source} itself into {@link #frameHandler()} (live capture):
     * its kernel drops and damaged frames count in this pipeline's stats until {@link #unwatch()}.
     */
    public void watch(final PacketSource source) {
        unwatch();
        current = source;
    }

    /** Takes the watched source's final counts; call before closing it. */
    public void unwatch() {
        if (current != null) {
            sourceMalformed += current.malformedFrames();
            kernelDropsOfPastSources += current.kernelDrops();
            current = null;
        }
    }

    /**
     * The live capture loop's heartbeat, on the capture thread: time passes without packets
     * (idle connections expire, periodic stats go out), and a failed pipeline thread is reported.
     */
    public void tick(final long wallClockNanos) {
        failure.throwIfFailed();
        dispatcher.advanceTo(wallClockNanos);
    }

    /**
     * Waits until every segment handed over so far has been processed and every line it produced
     * handed to the capture file's buffer: a quiet point, for measurements between two reads.
     */
    public void awaitIdle() {
        for (final RingBuffer ring : workerRings) {
            RingWait.untilEmpty(ring, finishIdle, failure);
        }
        RingWait.untilEmpty(outputRing, finishIdle, failure);
        failure.throwIfFailed();
    }

    /**
     * Ends the capture: every worker closes its connections at the last capture time, the writer
     * writes out every line, the threads stop; then the final {@code stats} and {@code capture_end}.
     */
    public CaptureStats finish(final long wallClockNanos) {
        return finish(wallClockNanos, null);
    }

    /**
     * As {@link #finish(long)}, running {@code afterWorkers} once every worker has closed its
     * connections and before the writer stops: a side thread's last lines (the schema collector's
     * closing snapshot) still go into the file, ahead of the final {@code stats}.
     */
    public CaptureStats finish(final long wallClockNanos, final Runnable afterWorkers) {
        if (finished) {
            throw new IllegalStateException("finish() was already called, or the pipeline was closed");
        }
        finished = true;
        unwatch();
        start();
        try {
            dispatcher.endOfInput();
            for (final WorkerAgent agent : workerAgents) {
                while (!agent.finished()) {
                    failure.throwIfFailed();
                    finishIdle.idle();
                }
            }
            if (afterWorkers != null) {
                afterWorkers.run();
            }
            RingWait.untilEmpty(outputRing, finishIdle, failure);
        } finally {
            stopThreads();
        }
        failure.throwIfFailed();
        final CaptureStats end = snapshot();
        final long frames = dispatcher.frames();
        // The final stats speak of capture time; with no packet at all there is none, so say now.
        writer.writeStats(end, frames == 0 ? wallClockNanos : dispatcher.lastTimestampNanos());
        writer.writeCaptureEnd(end, wallClockNanos);
        writer.flush();
        return end;
    }

    private void stopThreads() {
        failure.stopping();
        for (final AgentRunner runner : runners) {
            runner.close();
        }
        runners.clear();
    }

    /** Stops the threads if {@link #finish} was not reached (an error on the way): nothing more is written. */
    @Override
    public void close() {
        if (!finished && started && !failure.failed()) {
            // Leaving early on an error of the caller's: the lines the workers already encoded are
            // complete records, so give the writer a moment to write them out.
            final long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
            while (outputRing.producerPosition() != outputRing.consumerPosition() && !failure.failed()
                && System.nanoTime() < deadline) {
                finishIdle.idle(); // bounded, unlike RingWait.untilEmpty: the caller is already failing
            }
        }
        finished = true; // a finish() after close() would wait for threads that are gone
        stopThreads();
    }

    /**
     * Puts one complete JSON line, encoded by a thread outside the pipeline (the schema collector),
     * into the output ring, waiting while the ring is full. Never on the hot path: it allocates.
     *
     * @return false when the line is longer than the ring takes, or the pipeline has failed or stopped
     */
    public boolean writeSideLine(final byte[] line, final int offset, final int length) {
        if (length > outputRing.maxMsgLength()) {
            return false;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(line, offset, length);
        final IdleStrategy idle = waitingIdleStrategy();
        while (!outputRing.write(OutputRingSink.MSG_LINE, buffer, 0, length)) {
            if (failure.failed() || failure.isStopping()) {
                return false;
            }
            idle.idle();
        }
        return true;
    }

    private void writePeriodicStats() {
        statsSink.offerStats(snapshot(), dispatcher.lastTimestampNanos(), options.backpressure == Backpressure.WAIT);
    }

    /**
     * Counters now. Read from the workers while they run, so each may be a moment stale; exact once
     * {@link #finish} has stopped them. The returned object is reused by the next call.
     */
    public CaptureStats snapshot() {
        final CaptureStats s = stats;
        s.reset();
        s.packets = dispatcher.frames();
        s.bytes = dispatcher.bytes();
        final PacketDecoder decoder = dispatcher.decoder();
        s.tcpSegments = decoder.tcpSegments();
        s.malformed = decoder.malformed() + sourceMalformed + (current != null ? current.malformedFrames() : 0);
        s.kernelDrops = kernelDropsOfPastSources + (current != null ? current.kernelDrops() : 0);
        s.nonTcp = decoder.notIp() + decoder.notTcp() + decoder.fragments() + decoder.unsupportedLinkType();
        s.ringDrops = dispatcher.ringDrops();
        for (final WorkerAgent agent : workerAgents) {
            agent.worker().addTo(s);
        }
        return s;
    }

    public long frames() {
        return dispatcher.frames();
    }

    /**
     * Of the TCP traffic that was not on the server ports, the port a server most likely listened
     * on (the source of most SYN-ACKs, else the busiest port); -1 when all TCP traffic matched.
     */
    public int likelyOtherServerPort() {
        return dispatcher.likelyOtherServerPort();
    }

    /** The worker and writer threads (empty before {@link #start}): for tests that measure them. */
    public List<Thread> threads() {
        return List.copyOf(threads);
    }
}
