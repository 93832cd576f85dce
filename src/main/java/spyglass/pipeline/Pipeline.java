package spyglass.pipeline;

import org.agrona.DirectBuffer;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;
import spyglass.source.FrameHandler;
import spyglass.source.PacketSource;

/**
 * source → decode → worker → capture file, on the calling thread.
 *
 * <p>The offline path runs one worker on the reading thread; the live path (a later step) puts
 * rings between the decode and the workers. Both share {@link Worker}, so what the offline tests
 * prove holds for the live path too.
 */
public final class Pipeline implements FrameHandler {
    private final PipelineOptions options;
    private final CaptureFileWriter writer;
    private final PacketDecoder decoder = new PacketDecoder();
    private final TcpSegment segment = new TcpSegment();
    private final Worker worker;
    private final CaptureStats stats = new CaptureStats();

    private long frames;
    private long bytes;
    private long sourceMalformed;
    private long lastTimestampNanos;
    private long nextStatsNanos = Long.MAX_VALUE;
    private long nextIdleCheckNanos = Long.MAX_VALUE;

    public Pipeline(final PipelineOptions options, final CaptureFileWriter writer) {
        this.options = options;
        this.writer = writer;
        this.worker = new Worker(options, writer);
    }

    /**
     * Reads the source to its end (or its damage: the exception comes after every good frame has
     * been processed).
     */
    public void drain(final PacketSource source, final int batch, final Runnable afterBatch) {
        try {
            while (source.poll(this, batch) >= 0) {
                if (afterBatch != null) {
                    afterBatch.run();
                }
            }
        } finally {
            sourceMalformed += source.malformedFrames();
        }
    }

    @Override
    public void onFrame(final DirectBuffer frame, final int offset, final int capturedLength, final int originalLength,
                        final long timestampNanos, final int linkType) {
        frames++;
        bytes += originalLength;
        if (frames == 1) {
            if (options.statsIntervalNanos > 0) {
                nextStatsNanos = timestampNanos + options.statsIntervalNanos;
            }
            nextIdleCheckNanos = timestampNanos + options.idleCheckIntervalNanos;
        }
        // Files may hold frames slightly out of time order (several interfaces): time only moves on.
        if (timestampNanos > lastTimestampNanos) {
            lastTimestampNanos = timestampNanos;
        }
        if (decoder.decode(frame, offset, capturedLength, originalLength, timestampNanos, linkType, segment) == PacketDecoder.OK) {
            if (options.serverFilter.accepts(segment)) {
                worker.onSegment(segment);
            }
        }
        // Idle is a matter of capture time, so it is checked by capture time, not by frame count.
        if (lastTimestampNanos >= nextIdleCheckNanos) {
            nextIdleCheckNanos = lastTimestampNanos + options.idleCheckIntervalNanos;
            worker.expireIdle(lastTimestampNanos);
        }
        if (lastTimestampNanos >= nextStatsNanos) {
            nextStatsNanos += options.statsIntervalNanos;
            writer.writeStats(snapshot(), lastTimestampNanos);
        }
    }

    /** Ends the capture: closes every connection, then writes the final {@code stats} and {@code capture_end}. */
    public CaptureStats finish(final long wallClockNanos) {
        // A connection already silent past the timeout when the capture ends was idle, not cut off.
        worker.expireIdle(lastTimestampNanos);
        worker.closeAll(lastTimestampNanos);
        final CaptureStats end = snapshot();
        // The final stats speak of capture time; with no packet at all there is none, so say now.
        writer.writeStats(end, frames == 0 ? wallClockNanos : lastTimestampNanos);
        writer.writeCaptureEnd(end, wallClockNanos);
        writer.flush();
        return end;
    }

    /** Counters now; the returned object is reused by the next call. */
    public CaptureStats snapshot() {
        final CaptureStats s = stats;
        s.reset();
        s.packets = frames;
        s.bytes = bytes;
        s.tcpSegments = decoder.tcpSegments();
        s.malformed = decoder.malformed() + sourceMalformed;
        s.nonTcp = decoder.notIp() + decoder.notTcp() + decoder.fragments() + decoder.unsupportedLinkType();
        worker.addTo(s);
        return s;
    }

    public long frames() {
        return frames;
    }
}
