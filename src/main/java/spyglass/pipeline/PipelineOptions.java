package spyglass.pipeline;

import spyglass.mysql.MysqlOptions;
import spyglass.tcp.FlowTableOptions;

/** Everything a pipeline is built from; each bound is a named option with a sane default. */
public final class PipelineOptions {
    /**
     * Smallest worker ring. A ring's largest record is an eighth of it, and a live capture keeps
     * frames of up to 256 KiB (GRO and big-TCP frames exceed 64 KiB): 4 MiB takes any of them.
     */
    public static final int MIN_WORKER_RING_BYTES = 4 << 20;
    public static final int DEFAULT_WORKER_RING_BYTES = 8 << 20;

    /** Which segments are MySQL traffic. */
    public ServerFilter serverFilter = ServerFilter.ports(3306);
    public final FlowTableOptions flowTable = new FlowTableOptions();
    public final MysqlOptions mysql = new MysqlOptions();
    /** Capture-time interval between {@code stats} records, 0 for only the final one. */
    public long statsIntervalNanos;
    /** How often, in capture time, idle flows are looked for. */
    public long idleCheckIntervalNanos = 1_000_000_000L;

    /** Worker threads; each owns the connections hashed to it. */
    public int workers = 1;
    /** Bytes of each worker's ring (a power of two, at least {@link #MIN_WORKER_RING_BYTES}). */
    public int workerRingBytes = DEFAULT_WORKER_RING_BYTES;
    /** Wait for a full worker ring (files) or drop and count (live capture). */
    public Backpressure backpressure = Backpressure.WAIT;
    /**
     * Segments with no payload and no SYN, FIN or RST carry nothing MySQL needs; the design drops
     * them before the rings. Their acknowledgements then reach reassembly only on data segments.
     */
    public boolean dropPureAcks = true;
    /** Wall time a written line may wait in the writer's buffer when no new line comes. */
    public long flushIntervalNanos = 1_000_000_000L;
    /** Pins threads to CPUs, if the caller wants that. */
    public ThreadPlacement placement = ThreadPlacement.NONE;

    /** Checks the options that only make sense together; the message names the fix. */
    public void validate() {
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("workers must be from 1 to 256, not " + workers);
        }
        if (workerRingBytes < MIN_WORKER_RING_BYTES || Integer.bitCount(workerRingBytes) != 1) {
            throw new IllegalArgumentException("the worker ring size must be a power of two of at least "
                + MIN_WORKER_RING_BYTES + " bytes (4 MiB), not " + workerRingBytes);
        }
        Pipeline.outputRingBytes(this); // a statement cap whose lines cannot fit any ring is refused here
    }
}
