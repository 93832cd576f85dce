package spyglass.pipeline;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import spyglass.packet.FlowHash;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;
import spyglass.source.FrameHandler;

/**
 * The capture thread's share of the work: decodes each frame in place (link, IP, TCP), keeps the
 * MySQL servers' segments, drops pure ACKs, picks the worker by a symmetric flow hash (both
 * directions of a connection meet on one worker) and writes the segment straight into that
 * worker's ring: the payload's only copy.
 *
 * <p>Also the pipeline's clock: capture time only moves on here, so this is where idle checks
 * ({@link SegmentRecord#MSG_TICK}) and periodic stats are triggered.
 */
final class Dispatcher implements FrameHandler {
    private final PacketDecoder decoder = new PacketDecoder();
    private final TcpSegment segment = new TcpSegment();
    private final ServerFilter serverFilter;
    private final RingBuffer[] rings;
    private final int workerMask;
    private final boolean dropPureAcks;
    private final boolean waitWhenFull;
    private final IdleStrategy idle;
    private final PipelineFailure failure;
    private final long idleCheckIntervalNanos;
    private final long statsIntervalNanos;
    private final Runnable statsDue;

    private final int[] otherPorts = new int[65_536];
    private final int[] synAckSourcePorts = new int[65_536];

    private long frames;
    private long bytes;
    private long ringDrops;
    private long lastTimestampNanos;
    private long nextIdleCheckNanos = Long.MAX_VALUE;
    private long nextStatsNanos = Long.MAX_VALUE;

    Dispatcher(final PipelineOptions options, final RingBuffer[] rings, final IdleStrategy idle,
               final PipelineFailure failure, final Runnable statsDue) {
        this.serverFilter = options.serverFilter;
        this.rings = rings;
        this.workerMask = Integer.bitCount(rings.length) == 1 ? rings.length - 1 : -1;
        this.dropPureAcks = options.dropPureAcks;
        this.waitWhenFull = options.backpressure == Backpressure.WAIT;
        this.idle = idle;
        this.failure = failure;
        this.idleCheckIntervalNanos = options.idleCheckIntervalNanos;
        this.statsIntervalNanos = options.statsIntervalNanos;
        this.statsDue = statsDue;
    }

    @Override
    public void onFrame(final DirectBuffer frame, final int offset, final int capturedLength, final int originalLength,
                        final long timestampNanos, final int linkType) {
        frames++;
        bytes += originalLength;
        if (frames == 1) {
            if (statsIntervalNanos > 0) {
                nextStatsNanos = timestampNanos + statsIntervalNanos;
            }
            nextIdleCheckNanos = timestampNanos + idleCheckIntervalNanos;
        }
        // Files may hold frames slightly out of time order (several interfaces): time only moves on.
        if (timestampNanos > lastTimestampNanos) {
            lastTimestampNanos = timestampNanos;
        }
        if (decoder.decode(frame, offset, capturedLength, originalLength, timestampNanos, linkType, segment) == PacketDecoder.OK) {
            if (!serverFilter.accepts(segment)) {
                countOtherPorts(segment);
            } else if (!dropPureAcks || segment.payloadLength > 0
                || (segment.flags & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST)) != 0) {
                handOver(segment); // a pure ACK carries nothing MySQL needs
            }
        }
        checkClock();
    }

    /**
     * Ports of the TCP traffic the server filter turned away, so that a read that found no MySQL
     * can say which port the input's server probably listens on. A SYN-ACK names the server side
     * for certain; otherwise both ends count.
     */
    private void countOtherPorts(final TcpSegment s) {
        if ((s.flags & (TcpSegment.SYN | TcpSegment.ACK)) == (TcpSegment.SYN | TcpSegment.ACK)) {
            synAckSourcePorts[s.srcPort]++;
        }
        otherPorts[s.srcPort]++;
        otherPorts[s.dstPort]++;
    }

    /** The port the turned-away traffic most likely served from, or -1 when none was turned away. */
    int likelyOtherServerPort() {
        final int fromSynAck = busiest(synAckSourcePorts);
        return fromSynAck >= 0 ? fromSynAck : busiest(otherPorts);
    }

    /** The index of the largest count; on a tie the lower port (client ports are the high ones). */
    private static int busiest(final int[] counts) {
        int best = -1;
        for (int port = 0; port < counts.length; port++) {
            if (counts[port] > 0 && (best < 0 || counts[port] > counts[best])) {
                best = port;
            }
        }
        return best;
    }

    /**
     * Live capture with no traffic: the wall clock stands in for capture time (they are the same
     * clock there), so idle connections still expire and periodic stats still come.
     */
    void advanceTo(final long nowNanos) {
        if (frames == 0) {
            return; // no first frame yet: nothing to expire, and stats start with the first frame
        }
        if (nowNanos > lastTimestampNanos) {
            lastTimestampNanos = nowNanos;
        }
        checkClock();
    }

    private void checkClock() {
        // Idle is a matter of capture time, so it is checked by capture time, not by frame count.
        if (lastTimestampNanos >= nextIdleCheckNanos) {
            nextIdleCheckNanos = lastTimestampNanos + idleCheckIntervalNanos;
            for (int w = 0; w < rings.length; w++) {
                sendTime(w, SegmentRecord.MSG_TICK, lastTimestampNanos, false);
            }
        }
        if (lastTimestampNanos >= nextStatsNanos) {
            nextStatsNanos += statsIntervalNanos;
            if (nextStatsNanos <= lastTimestampNanos) {
                nextStatsNanos = lastTimestampNanos + statsIntervalNanos; // a long silence: one record, not a burst
            }
            statsDue.run();
        }
    }

    private void handOver(final TcpSegment s) {
        final int hash = FlowHash.symmetric(s);
        final RingBuffer ring = rings[workerMask >= 0 ? hash & workerMask : Math.floorMod(hash, rings.length)];
        final int length = SegmentRecord.length(s);
        if (length > ring.maxMsgLength()) {
            ringDrops++; // larger than any frame a source keeps: a ring sized below the minimum
            return;
        }
        int index = ring.tryClaim(SegmentRecord.MSG_SEGMENT, length);
        if (index < 0) {
            if (!waitWhenFull) {
                ringDrops++;
                return;
            }
            while ((index = ring.tryClaim(SegmentRecord.MSG_SEGMENT, length)) < 0) {
                waitForRoom(ring);
            }
        }
        try {
            SegmentRecord.write(ring.buffer(), index, s);
        } catch (final RuntimeException e) {
            ring.abort(index); // a claimed slot left open would stop the worker's ring for good
            throw e;
        }
        ring.commit(index);
    }

    /** End of input: every worker closes its flows at the last capture time and stops taking work. */
    void endOfInput() {
        for (int w = 0; w < rings.length; w++) {
            sendTime(w, SegmentRecord.MSG_END, lastTimestampNanos, true);
        }
    }

    private void sendTime(final int worker, final int type, final long nanos, final boolean mustArrive) {
        final RingBuffer ring = rings[worker];
        int index;
        while ((index = ring.tryClaim(type, SegmentRecord.TIME_LENGTH)) < 0) {
            if (!mustArrive && !waitWhenFull) {
                return; // a missed tick only delays the idle check to the next one
            }
            waitForRoom(ring);
        }
        final AtomicBuffer b = ring.buffer();
        b.putLong(index, nanos);
        ring.commit(index);
    }

    private void waitForRoom(final RingBuffer ring) {
        if (!RingWait.untilHalfEmpty(ring, idle, failure)) {
            failure.throwIfFailed();
        }
    }

    long frames() {
        return frames;
    }

    long bytes() {
        return bytes;
    }

    long ringDrops() {
        return ringDrops;
    }

    long lastTimestampNanos() {
        return lastTimestampNanos;
    }

    PacketDecoder decoder() {
        return decoder;
    }
}
