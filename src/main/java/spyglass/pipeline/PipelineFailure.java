package spyglass.pipeline;

/**
 * The first failure of any pipeline thread (a write that failed, a bug), kept so that the threads
 * waiting on a ring the failed thread will never drain stop waiting, and so that the caller sees
 * the cause rather than a hang.
 */
final class PipelineFailure {
    private volatile Throwable first;
    private volatile boolean stopping;

    void record(final Throwable t) {
        synchronized (this) {
            if (first == null) {
                first = t;
            }
        }
    }

    /** From now on threads end because they were told to: {@link #recordUnlessStopping} ignores them. */
    void stopping() {
        stopping = true;
    }

    boolean isStopping() {
        return stopping;
    }

    void recordUnlessStopping(final Throwable t) {
        if (!stopping) {
            record(t);
        }
    }

    boolean failed() {
        return first != null;
    }

    Throwable cause() {
        return first;
    }

    /** Rethrows the first failure, unchecked, with the pipeline named as where it happened. */
    void throwIfFailed() {
        final Throwable t = first;
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("pipeline thread failed: " + t, t);
    }
}
