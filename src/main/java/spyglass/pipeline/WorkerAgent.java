package spyglass.pipeline;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import spyglass.packet.TcpSegment;

/**
 * One worker thread's duty cycle: takes segments from its own ring and runs them through its
 * {@link Worker} (flows, reassembly, MySQL, redaction, encoding into the output ring).
 */
final class WorkerAgent implements Agent, MessageHandler {
    /** Records per duty cycle: enough to amortise the ring's bookkeeping, small enough to stay responsive. */
    private static final int READ_LIMIT = 256;

    private final int index;
    private final RingBuffer inbox;
    private final Worker worker;
    private final PipelineFailure failure;
    private final ThreadPlacement placement;
    private final TcpSegment segment = new TcpSegment();
    private volatile boolean finished;

    WorkerAgent(final int index, final RingBuffer inbox, final Worker worker, final PipelineFailure failure,
                final ThreadPlacement placement) {
        this.index = index;
        this.inbox = inbox;
        this.worker = worker;
        this.failure = failure;
        this.placement = placement;
    }

    @Override
    public void onStart() {
        placement.onThreadStart("worker", index);
    }

    /**
     * The thread ends. Unless the pipeline asked for it, that is a failure (an interrupt makes
     * {@code AgentRunner} stop without a word): recorded, so nobody waits for this worker forever.
     */
    @Override
    public void onClose() {
        if (!finished) {
            failure.recordUnlessStopping(new IllegalStateException("worker " + index + " stopped unexpectedly"));
        }
    }

    @Override
    public int doWork() {
        if (finished) {
            return 0;
        }
        try {
            return inbox.read(this, READ_LIMIT);
        } catch (final RuntimeException | Error e) {
            failure.record(e);
            throw new AgentTerminationException(e);
        }
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
        switch (msgTypeId) {
            case SegmentRecord.MSG_SEGMENT -> {
                SegmentRecord.read(buffer, index, length, segment);
                worker.onSegment(segment);
            }
            case SegmentRecord.MSG_TICK -> worker.expireIdle(buffer.getLong(index));
            case SegmentRecord.MSG_END -> {
                final long last = buffer.getLong(index);
                // A connection already silent past the timeout when the capture ends was idle, not cut off.
                worker.expireIdle(last);
                worker.closeAll(last);
                finished = true;
            }
            default -> throw new IllegalStateException("unknown message type " + msgTypeId + " in worker ring " + this.index);
        }
    }

    /** True once the end of input was handled: every connection closed and its records published. */
    boolean finished() {
        return finished;
    }

    Worker worker() {
        return worker;
    }

    @Override
    public String roleName() {
        return "sg-worker-" + index; // Linux shows 15 characters of a thread name
    }
}
