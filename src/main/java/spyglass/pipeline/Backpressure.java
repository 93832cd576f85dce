package spyglass.pipeline;

/** What the capture thread does when a worker's ring has no room for a segment. */
public enum Backpressure {
    /**
     * Wait for the worker: nothing is lost, the source is read more slowly. For files and streams,
     * whose reading can wait.
     */
    WAIT,
    /**
     * Drop the segment and count it ({@code ring_drops}): the capture thread never blocks, since
     * the kernel ring behind it would overflow instead. For live capture.
     */
    DROP
}
