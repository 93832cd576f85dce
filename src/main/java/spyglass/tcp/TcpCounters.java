package spyglass.tcp;

/**
 * What the flow table and its reassemblers counted. Plain fields written by the owning worker
 * thread only; another thread reading them sees slightly stale values, which is fine for stats.
 *
 * <p>{@code flowsClosed} counts every close whatever the reason; {@code flowsEvicted} and
 * {@code flowsExpired} are the parts of it that were evictions and idle expiries.
 */
public final class TcpCounters {
    long segments;
    long ignoredSegments;
    long malformedSegments;
    long strayControlSegments;
    long flowsOpened;
    long flowsClosed;
    long flowsEvicted;
    long flowsExpired;
    long gaps;
    long gapBytes;
    long outOfOrderSegments;
    long retransmittedSegments;
    long outOfOrderOverflows;
    long portReuses;

    /** Every segment handed to {@link FlowTable#onSegment}. */
    public long segments() {
        return segments;
    }

    /** Segments with no server port on either side. */
    public long ignoredSegments() {
        return ignoredSegments;
    }

    /** Segments whose fields cannot be true (IP version, ports, payload bounds); skipped. */
    public long malformedSegments() {
        return malformedSegments;
    }

    /**
     * Segments without payload or SYN for no known flow (typically the last ACK after both FINs,
     * or RSTs after a close): they do not open a flow, since there would be nothing to reassemble.
     */
    public long strayControlSegments() {
        return strayControlSegments;
    }

    public long flowsOpened() {
        return flowsOpened;
    }

    public long flowsClosed() {
        return flowsClosed;
    }

    public long flowsEvicted() {
        return flowsEvicted;
    }

    public long flowsExpired() {
        return flowsExpired;
    }

    public long gaps() {
        return gaps;
    }

    public long gapBytes() {
        return gapBytes;
    }

    /** Segments that arrived ahead of the expected sequence and had to be stored. */
    public long outOfOrderSegments() {
        return outOfOrderSegments;
    }

    /** Segments entirely before the expected sequence (including keep-alive probes); dropped. */
    public long retransmittedSegments() {
        return retransmittedSegments;
    }

    /** Times a direction's out-of-order budget or the global pool ran out and a gap was declared. */
    public long outOfOrderOverflows() {
        return outOfOrderOverflows;
    }

    /** SYNs that reused a known flow's ports with a new ISN: the old flow closed, a new one opened. */
    public long portReuses() {
        return portReuses;
    }

    @Override
    public String toString() {
        return "TcpCounters{segments=" + segments + ", ignored=" + ignoredSegments + ", malformed=" + malformedSegments
                + ", strayControl=" + strayControlSegments + ", opened=" + flowsOpened + ", closed=" + flowsClosed
                + ", evicted=" + flowsEvicted + ", expired=" + flowsExpired + ", gaps=" + gaps + ", gapBytes=" + gapBytes
                + ", outOfOrder=" + outOfOrderSegments + ", retransmitted=" + retransmittedSegments
                + ", overflows=" + outOfOrderOverflows + ", portReuses=" + portReuses + '}';
    }
}
