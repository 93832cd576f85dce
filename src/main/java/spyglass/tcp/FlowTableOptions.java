package spyglass.tcp;

import java.util.concurrent.TimeUnit;

/**
 * The bounds of a {@link FlowTable}: every one is a named option with a sane default, so memory
 * stays bounded whatever the traffic. Fluent setters validate at configuration time (never on the
 * hot path); the table copies the values when it is built.
 */
public final class FlowTableOptions {
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    public static final long DEFAULT_IDLE_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(15);
    public static final int DEFAULT_OUT_OF_ORDER_BYTES_PER_DIRECTION = 256 * 1024;
    public static final long DEFAULT_OUT_OF_ORDER_BYTES_TOTAL = 64L * 1024 * 1024;
    public static final int DEFAULT_CHUNK_SIZE = 2048;

    private int[] serverPorts = {3306};
    private int maxFlows = DEFAULT_MAX_FLOWS;
    private long idleTimeoutNanos = DEFAULT_IDLE_TIMEOUT_NANOS;
    private int outOfOrderBytesPerDirection = DEFAULT_OUT_OF_ORDER_BYTES_PER_DIRECTION;
    private long outOfOrderBytesTotal = DEFAULT_OUT_OF_ORDER_BYTES_TOTAL;
    private int chunkSize = DEFAULT_CHUNK_SIZE;

    /** Ports a MySQL server listens on; the side on one of them is the server. */
    public FlowTableOptions serverPorts(final int... ports) {
        if (ports == null || ports.length == 0) {
            throw new IllegalArgumentException("at least one server port is needed");
        }
        for (final int port : ports) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("server port out of range: " + port);
            }
        }
        this.serverPorts = ports.clone();
        return this;
    }

    /** Flows tracked at once; when full, the least recently used flow is evicted. */
    public FlowTableOptions maxFlows(final int maxFlows) {
        if (maxFlows < 1 || maxFlows > (1 << 28)) {
            throw new IllegalArgumentException("maxFlows out of range: " + maxFlows);
        }
        this.maxFlows = maxFlows;
        return this;
    }

    /** A flow with no packet for longer than this is closed by {@link FlowTable#expireIdle}. */
    public FlowTableOptions idleTimeoutNanos(final long idleTimeoutNanos) {
        if (idleTimeoutNanos <= 0) {
            throw new IllegalArgumentException("idleTimeoutNanos must be positive: " + idleTimeoutNanos);
        }
        this.idleTimeoutNanos = idleTimeoutNanos;
        return this;
    }

    /**
     * Out-of-order storage one direction may hold, counted in whole chunks (so a small segment
     * costs a chunk): the memory actually held, not the payload it carries.
     */
    public FlowTableOptions outOfOrderBytesPerDirection(final int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("outOfOrderBytesPerDirection must not be negative: " + bytes);
        }
        this.outOfOrderBytesPerDirection = bytes;
        return this;
    }

    /** Out-of-order storage across all flows: the memory bound of the whole table's buffering. */
    public FlowTableOptions outOfOrderBytesTotal(final long bytes) {
        if (bytes < 0 || bytes > (1L << 40)) {
            throw new IllegalArgumentException("outOfOrderBytesTotal out of range: " + bytes);
        }
        this.outOfOrderBytesTotal = bytes;
        return this;
    }

    /** Size of one out-of-order storage chunk. */
    public FlowTableOptions chunkSize(final int chunkSize) {
        if (chunkSize < 64 || chunkSize > 65_536) {
            throw new IllegalArgumentException("chunkSize out of range [64, 65536]: " + chunkSize);
        }
        this.chunkSize = chunkSize;
        return this;
    }

    public int[] serverPorts() {
        return serverPorts.clone();
    }

    public int maxFlows() {
        return maxFlows;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    public int outOfOrderBytesPerDirection() {
        return outOfOrderBytesPerDirection;
    }

    public long outOfOrderBytesTotal() {
        return outOfOrderBytesTotal;
    }

    public int chunkSize() {
        return chunkSize;
    }
}
