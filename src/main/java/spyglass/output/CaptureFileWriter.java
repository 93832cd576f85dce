package spyglass.output;

import org.agrona.DirectBuffer;
import spyglass.event.CaptureStats;
import spyglass.event.CloseReason;
import spyglass.event.ConnectionInfo;
import spyglass.event.EventSink;
import spyglass.event.QueryEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes capture records as JSON Lines to a file (created mode 0600: the file describes production
 * traffic) or to a stream (stdout). Records are encoded into a reusable line buffer and appended to
 * one 256 KiB output buffer that goes out in large writes; only whole lines are appended to it, so
 * a process killed between writes leaves a file of complete lines.
 *
 * <p>Allocation-free per record after warm-up. Single-threaded: the writer thread owns it; counters
 * read from another thread may be stale. An I/O failure is thrown as {@link UncheckedIOException}
 * naming the destination.
 */
public final class CaptureFileWriter implements EventSink, AutoCloseable {
    public static final int OUTPUT_BUFFER_SIZE = 256 * 1024;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String destination;
    /** Exactly one of channel and stream is set. */
    private final FileChannel channel;
    private final OutputStream stream;
    /** Filled from position 0; position is the fill level. Direct for a file, heap for a stream. */
    private final ByteBuffer out;
    private final CaptureRecordEncoder encoder = new CaptureRecordEncoder();
    /** Wraps a line too big for {@link #out}; re-made only when the array behind it changes. */
    private ByteBuffer oversizeView = ByteBuffer.allocate(0);
    private byte[] oversizeArray = new byte[0];

    private long bytesWritten;
    private long records;
    private long connRecords;
    private long queryRecords;
    private long connCloseRecords;
    private long statsRecords;
    private boolean closed;

    private CaptureFileWriter(final String destination, final FileChannel channel, final OutputStream stream) {
        this.destination = destination;
        this.channel = channel;
        this.stream = stream;
        this.out = channel != null ? ByteBuffer.allocateDirect(OUTPUT_BUFFER_SIZE) : ByteBuffer.allocate(OUTPUT_BUFFER_SIZE);
    }

    /**
     * Creates {@code file} with mode 0600 from its first moment; an existing regular file is set to
     * 0600 before it is truncated, so what is written is never readable by others. An existing
     * non-regular file (a device such as /dev/null, a FIFO) is opened for writing and left as it is.
     */
    public static CaptureFileWriter create(final Path file) {
        final FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        try {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly);
            } catch (final FileAlreadyExistsException exists) {
                if (Files.isRegularFile(file)) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY);
                    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                } else {
                    // /dev/null, a FIFO: someone else's device. Run as root, chmod-ing it would
                    // break the host; it is only written to.
                    channel = FileChannel.open(file, StandardOpenOption.WRITE);
                }
            }
            return new CaptureFileWriter(file.toString(), channel, null);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create capture file " + file + ": " + e, e);
        }
    }

    /** Writes to a stream the caller owns (stdout): {@link #close()} flushes it but leaves it open. */
    public static CaptureFileWriter toStream(final OutputStream out) {
        return toStream(out, "<stdout>");
    }

    public static CaptureFileWriter toStream(final OutputStream out, final String name) {
        if (out == null) {
            throw new NullPointerException("out");
        }
        return new CaptureFileWriter(name, null, out);
    }

    // ----------------------------------------------------------------------------------- records

    public void writeCaptureStart(final String version, final String host, final String source, final String filter, final long tsNanos) {
        encoder.encodeCaptureStart(version, host, source, filter, tsNanos);
        appendEncoded();
    }

    @Override
    public void onConnection(final ConnectionInfo connection, final long timestampNanos) {
        encoder.encodeConnection(connection, timestampNanos);
        appendEncoded();
        connRecords++;
    }

    @Override
    public void onQuery(final QueryEvent query) {
        encoder.encodeQuery(query);
        appendEncoded();
        queryRecords++;
    }

    @Override
    public void onConnectionClose(final ConnectionInfo connection, final CloseReason reason, final long timestampNanos) {
        encoder.encodeConnectionClose(connection, reason, timestampNanos);
        appendEncoded();
        connCloseRecords++;
    }

    public void writeStats(final CaptureStats stats, final long tsNanos) {
        encoder.encodeStats(stats, tsNanos);
        appendEncoded();
        statsRecords++;
    }

    public void writeCaptureEnd(final CaptureStats stats, final long tsNanos) {
        encoder.encodeCaptureEnd(stats, tsNanos);
        appendEncoded();
    }

    /**
     * Appends one record already encoded elsewhere (a worker encoding into the output ring). It must
     * be one complete line ending in {@code '\n'}; it is counted as one record.
     */
    public void writeEncodedLine(final byte[] line, final int offset, final int length) {
        append(line, offset, length);
    }

    /** As {@link #writeEncodedLine(byte[], int, int)}, from a buffer (a ring's record). */
    public void writeEncodedLine(final DirectBuffer line, final int offset, final int length) {
        line.boundsCheck(offset, length);
        final byte[] array = line.byteArray();
        if (array != null) {
            append(array, line.wrapAdjustment() + offset, length);
            return;
        }
        checkOpen();
        if (length > out.remaining()) {
            drain();
        }
        if (length <= out.remaining()) {
            line.getBytes(offset, out, out.position(), length);
            out.position(out.position() + length);
            counted(length);
        } else {
            // Larger than the whole output buffer: rare; copy to the heap once and write it alone.
            if (oversizeArray.length < length) {
                oversizeArray = new byte[Math.max(length, oversizeArray.length * 2)];
            }
            line.getBytes(offset, oversizeArray, 0, length);
            append(oversizeArray, 0, length);
        }
    }

    // ------------------------------------------------------------------------------- lifecycle

    /** Writes out everything buffered (and flushes the stream); does not fsync. */
    public void flush() {
        checkOpen();
        drain();
        if (stream != null) {
            try {
                stream.flush();
            } catch (final IOException e) {
                throw failure(e);
            }
        }
    }

    /** Flushes and closes the file; a stream is flushed and left open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            if (channel != null) {
                try {
                    channel.close();
                } catch (final IOException e) {
                    throw failure(e);
                }
            }
        }
    }

    /** Bytes of all records accepted so far, including those still in the output buffer. */
    public long bytesWritten() {
        return bytesWritten;
    }

    public long records() {
        return records;
    }

    public long connRecords() {
        return connRecords;
    }

    public long queryRecords() {
        return queryRecords;
    }

    public long connCloseRecords() {
        return connCloseRecords;
    }

    public long statsRecords() {
        return statsRecords;
    }

    public String destination() {
        return destination;
    }

    // ------------------------------------------------------------------------------- internals

    private void appendEncoded() {
        append(encoder.buffer(), 0, encoder.length());
    }

    private void append(final byte[] src, final int offset, final int length) {
        checkOpen();
        if (length > out.remaining()) {
            drain();
        }
        if (length <= out.remaining()) {
            out.put(src, offset, length);
        } else {
            writeAlone(src, offset, length);
        }
        counted(length);
    }

    private void counted(final int length) {
        bytesWritten += length;
        records++;
    }

    /** Writes the buffered lines; on failure they are dropped so later lines stay whole. */
    private void drain() {
        if (out.position() == 0) {
            return;
        }
        try {
            if (channel != null) {
                out.flip();
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } else {
                stream.write(out.array(), out.arrayOffset(), out.position());
            }
        } catch (final IOException e) {
            throw failure(e);
        } finally {
            out.clear();
        }
    }

    private void writeAlone(final byte[] src, final int offset, final int length) {
        try {
            if (channel != null) {
                if (oversizeView.array() != src) {
                    oversizeView = ByteBuffer.wrap(src);
                }
                oversizeView.limit(offset + length).position(offset);
                while (oversizeView.hasRemaining()) {
                    channel.write(oversizeView);
                }
            } else {
                stream.write(src, offset, length);
            }
        } catch (final IOException e) {
            throw failure(e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("capture writer closed: " + destination);
        }
    }

    private UncheckedIOException failure(final IOException e) {
        return new UncheckedIOException("cannot write capture file " + destination + ": " + e, e);
    }
}
