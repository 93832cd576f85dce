package spyglass.pipeline;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import spyglass.event.CaptureStats;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;
import spyglass.output.CaptureRecordEncoder;

/**
 * A worker's events, each encoded as one JSON line by the worker itself and put into the output
 * ring, so the writer thread only copies bytes into the file.
 *
 * <p>A full ring means the writer is behind (a slow disk): the worker waits rather than lose a
 * record; its own ring then fills, and the capture thread counts what it cannot hand over. Only
 * when the writer has failed are records given up: the run then ends with the writer's error.
 */
final class OutputRingSink implements EventSink {
    static final int MSG_LINE = 1;

    private final RingBuffer ring;
    private final IdleStrategy idle;
    private final PipelineFailure failure;
    private final CaptureRecordEncoder encoder = new CaptureRecordEncoder();
    private final UnsafeBuffer line = new UnsafeBuffer(new byte[0]);

    OutputRingSink(final RingBuffer ring, final IdleStrategy idle, final PipelineFailure failure) {
        this.ring = ring;
        this.idle = idle;
        this.failure = failure;
    }

    @Override
    public void onConnection(final ConnectionInfo connection, final long timestampNanos) {
        encoder.encodeConnection(connection, timestampNanos);
        publish();
    }

    @Override
    public void onQuery(final QueryEvent query) {
        encoder.encodeQuery(query);
        publish();
    }

    @Override
    public void onConnectionClose(final ConnectionInfo connection, final CloseReason reason, final long timestampNanos) {
        encoder.encodeConnectionClose(connection, reason, timestampNanos);
        publish();
    }

    /** A periodic {@code stats} line; given up (false) rather than waited for when {@code wait} is false. */
    boolean offerStats(final CaptureStats stats, final long tsNanos, final boolean wait) {
        encoder.encodeStats(stats, tsNanos);
        if (wait) {
            publish();
            return true;
        }
        line.wrap(encoder.buffer(), 0, encoder.length());
        return ring.write(MSG_LINE, line, 0, encoder.length());
    }

    private void publish() {
        final int length = encoder.length();
        if (length > ring.maxMsgLength()) {
            // The ring is sized from the longest line a statement cap allows: this is a bug.
            throw new IllegalStateException("a " + length + "-byte line does not fit the output ring (max "
                + ring.maxMsgLength() + ")");
        }
        line.wrap(encoder.buffer(), 0, length);
        while (!ring.write(MSG_LINE, line, 0, length)) {
            if (!RingWait.untilHalfEmpty(ring, idle, failure)) {
                return;
            }
        }
    }
}
