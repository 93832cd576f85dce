package spyglass.pipeline;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import spyglass.output.CaptureFileWriter;

/**
 * The writer thread's duty cycle: copies the encoded lines of every worker from the output ring
 * into the capture file. Lines go out in large writes; when the ring runs dry the buffered lines
 * are written out once they have waited {@code flushIntervalNanos}, so a file being watched
 * (or a process killed) is never far behind.
 */
final class WriterAgent implements Agent, MessageHandler {
    private static final int READ_LIMIT = 1024;

    private final RingBuffer ring;
    private final CaptureFileWriter writer;
    private final PipelineFailure failure;
    private final ThreadPlacement placement;
    private final long flushIntervalNanos;
    private boolean dirty;
    private long dirtySince;

    WriterAgent(final RingBuffer ring, final CaptureFileWriter writer, final PipelineFailure failure,
                final ThreadPlacement placement, final long flushIntervalNanos) {
        this.ring = ring;
        this.writer = writer;
        this.failure = failure;
        this.placement = placement;
        this.flushIntervalNanos = flushIntervalNanos;
    }

    @Override
    public void onStart() {
        placement.onThreadStart("writer", 0);
    }

    /** As {@link WorkerAgent#onClose()}: a writer that stops when not asked to is a failure. */
    @Override
    public void onClose() {
        failure.recordUnlessStopping(new IllegalStateException("the writer thread stopped unexpectedly"));
    }

    @Override
    public int doWork() {
        try {
            final int lines = ring.read(this, READ_LIMIT);
            if (lines > 0) {
                if (!dirty) {
                    dirty = true;
                    dirtySince = System.nanoTime();
                }
            } else if (dirty && System.nanoTime() - dirtySince >= flushIntervalNanos) {
                writer.flush();
                dirty = false;
            }
            return lines;
        } catch (final RuntimeException | Error e) {
            failure.record(e);
            throw new AgentTerminationException(e);
        }
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
        writer.writeEncodedLine(buffer, index, length);
    }

    @Override
    public String roleName() {
        return "sg-writer";
    }
}
