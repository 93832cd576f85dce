package spyglass.pipeline;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/** How the pipeline's threads wait on a ring another thread drains. */
final class RingWait {
    private RingWait() {
    }

    /**
     * A producer that found the ring full waits until half of it is free, not one slot: waking for
     * every few freed slots would cost a park and a wake-up each time, CPU the consumer needs.
     *
     * @return false when a pipeline thread failed meanwhile (the consumer may never drain it)
     */
    static boolean untilHalfEmpty(final RingBuffer ring, final IdleStrategy idle, final PipelineFailure failure) {
        final int halfFull = ring.capacity() / 2;
        try {
            do {
                if (failure.failed()) {
                    return false;
                }
                idle.idle();
            } while (ring.size() > halfFull);
            return true;
        } finally {
            idle.reset();
        }
    }

    /**
     * Until the consumer has taken everything produced so far, or a pipeline thread failed.
     *
     * @return false when a pipeline thread failed meanwhile
     */
    static boolean untilEmpty(final RingBuffer ring, final IdleStrategy idle, final PipelineFailure failure) {
        try {
            while (ring.producerPosition() != ring.consumerPosition()) {
                if (failure.failed()) {
                    return false;
                }
                idle.idle();
            }
            return true;
        } finally {
            idle.reset();
        }
    }
}
