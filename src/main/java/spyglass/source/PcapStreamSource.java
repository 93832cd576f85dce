package spyglass.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A pcap or pcapng stream ({@code tcpdump -w - | spyglass read -}) read through one reused direct
 * buffer: bytes are read into it, records are parsed and delivered in place, the unread tail is
 * moved to the front and the buffer refilled. The stream is never held in memory whole; a record
 * larger than the buffer is damage.
 *
 * <p>{@link #poll} reads from the channel only when it has no complete record in hand, so it blocks
 * (on a blocking channel) only when it has nothing to deliver.
 */
public final class PcapStreamSource implements PacketSource {
    public static final int DEFAULT_BUFFER_SIZE = 4 * 1024 * 1024;

    private final ReadableByteChannel in;
    private final String description;
    private final ByteBuffer bytes;
    private final UnsafeBuffer view;
    private final CaptureReader reader;

    /** Stream offset of {@code bytes[0]}. */
    private long base;
    private int readIndex;
    private int filled;
    private boolean endOfStream;
    private boolean exhausted;
    private boolean closed;
    private CaptureFileException failure;

    public PcapStreamSource(final ReadableByteChannel in, final String description) {
        this(in, description, DEFAULT_BUFFER_SIZE);
    }

    /** @param bufferSize the read buffer: the largest record the stream may hold */
    public PcapStreamSource(final ReadableByteChannel in, final String description, final int bufferSize) {
        if (bufferSize < 64) {
            throw new IllegalArgumentException("buffer size " + bufferSize + " is too small");
        }
        this.in = in;
        this.description = description;
        this.bytes = ByteBuffer.allocateDirect(bufferSize);
        this.view = new UnsafeBuffer(bytes);
        this.reader = new CaptureReader(description);
    }

    @Override
    public int poll(final FrameHandler handler, final int limit) {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
        int delivered = 0;
        try {
            while (delivered < limit && !exhausted) {
                final long position = base + readIndex;
                final int result = reader.step(view, readIndex, filled - readIndex, position, endOfStream, handler);
                if (result > 0) {
                    readIndex += result;
                    if (reader.delivered()) {
                        delivered++;
                    }
                } else if (result == CaptureReader.END) {
                    exhausted = true;
                } else {
                    if (reader.needed() > bytes.capacity()) {
                        throw reader.tooLarge(position, reader.needed(), bytes.capacity());
                    }
                    if (delivered > 0 || !refill()) {
                        break;
                    }
                }
            }
        } catch (final CaptureFileException e) {
            failure = e;
            if (delivered > 0) {
                return delivered;
            }
            throw e;
        }
        return delivered == 0 && exhausted ? -1 : delivered;
    }

    /** Moves the unread tail to the front and reads once; false when nothing arrived right now. */
    private boolean refill() {
        bytes.limit(filled).position(readIndex);
        bytes.compact();
        base += readIndex;
        readIndex = 0;
        filled = bytes.position();
        final int read;
        try {
            read = in.read(bytes);
        } catch (final IOException e) {
            throw new CaptureFileException(description + ": reading failed at byte " + (base + filled) + ": " + e.getMessage(), e);
        }
        filled = bytes.position();
        if (read < 0) {
            endOfStream = true;
            return true;
        }
        return read > 0;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public long malformedFrames() {
        return reader.malformedFrames();
    }

    /** Bytes of the stream consumed so far. */
    public long position() {
        return base + readIndex;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                in.close();
            } catch (final IOException ignored) {
                // Nothing useful to do: the stream is finished with either way.
            }
        }
    }
}
