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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes capture records as JSON Lines to a file (created mode 0600: the file describes production
 * traffic) or to a stream (stdout). Records are encoded into a reusable line buffer and appended to
 * one 256 KiB output buffer that goes out in large writes; only whole lines are appended to it, so
 * a process killed between writes leaves a file of complete lines.
 *
 * <p>Rotation ({@link #create(Path, long)}, {@code --max-size}): a file is closed and the next part
 * opened before a line that would take the current part past the limit, so parts hold whole lines
 * only; a line bigger than the limit goes into a part of its own, never split. Parts are named and
 * marked as {@link CaptureFileParts} describes, created mode 0600 like the first, and each begins
 * with the capture's {@code capture_start} line again so it can be read alone. {@link #bytesWritten()}
 * counts every byte of every part (re-emitted headers included: it is the sum of the part sizes);
 * {@link #records()} and the per-type counts count each record once.
 *
 * <p>Allocation-free per record after warm-up, except when a part is opened. Single-threaded: the
 * writer thread owns it; counters read from another thread may be stale. An I/O failure is thrown as
 * {@link UncheckedIOException} naming the destination.
 */
public final class CaptureFileWriter implements EventSink, AutoCloseable {
    public static final int OUTPUT_BUFFER_SIZE = 256 * 1024;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String destination;
    /** Exactly one of channel and stream is set; channel changes at each rotation. */
    private FileChannel channel;
    private final OutputStream stream;
    /** The first part's path; null for a stream. */
    private final Path firstPath;
    /** Bytes a part may reach before the next one is opened; 0: never rotate. */
    private final long maxPartBytes;
    /** Volatile: the progress display reads it from its own thread. */
    private volatile Path currentPath;
    /** The capture_start line as written first; re-emitted at the head of every later part. */
    private byte[] header;
    private int headerLength;
    private int part;
    private long rotations;
    /** Bytes in the current part, buffered ones included. */
    private long partBytes;
    /** Lines in the current part other than its capture_start header. */
    private long partBodyLines;
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

    private CaptureFileWriter(final String destination, final FileChannel channel, final OutputStream stream,
                              final Path firstPath, final long maxPartBytes) {
        this.destination = destination;
        this.channel = channel;
        this.stream = stream;
        this.firstPath = firstPath;
        this.currentPath = firstPath;
        this.maxPartBytes = maxPartBytes;
        this.out = channel != null ? ByteBuffer.allocateDirect(OUTPUT_BUFFER_SIZE) : ByteBuffer.allocate(OUTPUT_BUFFER_SIZE);
    }

    /**
     * Creates {@code file} with mode 0600 from its first moment; an existing regular file is set to
     * 0600 before it is truncated, so what is written is never readable by others. An existing
     * non-regular file (a device such as /dev/null, a FIFO) is opened for writing and left as it is.
     */
    public static CaptureFileWriter create(final Path file) {
        return create(file, 0);
    }

    /**
     * As {@link #create(Path)}, rotating to a new part whenever the next line would take the current
     * part past {@code maxPartBytes} (0: never). Parts follow {@link CaptureFileParts#partPath}; an
     * existing part file of that name is made 0600 and truncated like the first. Parts of an earlier
     * capture beyond the last one written are left alone. A destination that is not a regular file
     * (a device, a FIFO) is never rotated: there is no sibling to rotate to.
     */
    public static CaptureFileWriter create(final Path file, final long maxPartBytes) {
        if (maxPartBytes < 0) {
            throw new IllegalArgumentException("maxPartBytes " + maxPartBytes);
        }
        final FileChannel channel = open(file);
        final long limit = Files.isRegularFile(file) ? maxPartBytes : 0;
        return new CaptureFileWriter(file.toString(), channel, null, file, limit);
    }

    /**
     * Never through a symbolic link: spyglass runs as root, often in a directory others can write
     * to, and a link planted under the capture file's (predictable) name must not make it truncate
     * or chmod another file, or write over a disk. Every open and chmod here is O_NOFOLLOW.
     */
    private static FileChannel open(final Path file) {
        final FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        try {
            try {
                return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly);
            } catch (final FileAlreadyExistsException exists) {
                final BasicFileAttributes existing = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (existing.isSymbolicLink()) {
                    throw refused(file, "it is a symbolic link, which spyglass does not write through; remove it or"
                        + " choose another name (- writes to standard output)");
                }
                if (existing.isRegularFile()) {
                    final FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS));
                    Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(OWNER_ONLY);
                    return channel;
                }
                if (existing.isOther() && isCharacterDeviceOrFifo(file)) {
                    // /dev/null, a FIFO: someone else's device. Run as root, chmod-ing it would
                    // break the host; it is only written to.
                    return FileChannel.open(file, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
                }
                throw refused(file, "it exists and is not a regular file, a FIFO or a character device (a directory? a disk?)");
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create capture file " + file + ": " + e, e);
        }
    }

    private static UncheckedIOException refused(final Path file, final String why) {
        final String message = "cannot create capture file " + file + ": " + why;
        return new UncheckedIOException(message, new IOException(message));
    }

    /** A character device or a FIFO, never a block device: {@code unix:mode} file-type bits. */
    private static boolean isCharacterDeviceOrFifo(final Path file) throws IOException {
        final int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        final int type = mode & 0xF000;
        return type == 0x2000 || type == 0x1000; // S_IFCHR, S_IFIFO
    }

    /** Writes to a stream the caller owns (stdout): {@link #close()} flushes it but leaves it open. */
    public static CaptureFileWriter toStream(final OutputStream out) {
        return toStream(out, "<stdout>");
    }

    public static CaptureFileWriter toStream(final OutputStream out, final String name) {
        if (out == null) {
            throw new NullPointerException("out");
        }
        return new CaptureFileWriter(name, null, out, null, 0);
    }

    // ----------------------------------------------------------------------------------- records

    /** Writes the {@code capture_start} line; {@code redact} is {@code plain} or {@code keyed}. */
    public void writeCaptureStart(final String version, final String host, final String source, final String filter,
                                  final long tsNanos, final String redact) {
        encoder.encodeCaptureStart(version, host, source, filter, tsNanos, redact);
        final boolean first = records == 0;
        appendEncoded();
        if (first) {
            rememberHeader(encoder.buffer(), 0, encoder.length());
        }
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
        final boolean first = records == 0;
        append(line, offset, length);
        if (first && CaptureFileParts.isCaptureStart(line, offset, length)) {
            rememberHeader(line, offset, length);
        }
    }

    /** As {@link #writeEncodedLine(byte[], int, int)}, from a buffer (a ring's record). */
    public void writeEncodedLine(final DirectBuffer line, final int offset, final int length) {
        line.boundsCheck(offset, length);
        final byte[] array = line.byteArray();
        if (array != null) {
            writeEncodedLine(array, line.wrapAdjustment() + offset, length);
            return;
        }
        checkOpen();
        if (records == 0) {
            // The first line may be the capture_start a later part must repeat: rare, copy it.
            final byte[] copy = new byte[length];
            line.getBytes(offset, copy);
            writeEncodedLine(copy, 0, length);
            return;
        }
        beforeLine(length);
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

    /**
     * Bytes of all records accepted so far, in every part, including those still in the output
     * buffer and the capture_start lines repeated at the head of later parts.
     */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Bytes in the current part, including those still in the output buffer: the file's size after a flush. */
    public long currentSize() {
        return partBytes;
    }

    /** Times a new part was opened; 0 for a capture that fits in one file. */
    public long rotations() {
        return rotations;
    }

    /** The current part's number: 0 for the first file. */
    public int part() {
        return part;
    }

    /** The file being written now (the first until a rotation); null when writing to a stream. */
    public Path currentPath() {
        return currentPath;
    }

    /** The part size limit; 0 when the capture is never rotated. */
    public long maxPartBytes() {
        return maxPartBytes;
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
        beforeLine(length);
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
        partBytes += length;
        partBodyLines++;
        records++;
    }

    /**
     * Opens the next part when this line would take the current one past the limit. A part that
     * holds no line but its header takes the line whatever its size: nothing is split or lost.
     */
    private void beforeLine(final int length) {
        if (maxPartBytes != 0 && partBodyLines != 0 && partBytes + length > maxPartBytes) {
            rotate();
        }
    }

    private void rememberHeader(final byte[] line, final int offset, final int length) {
        header = java.util.Arrays.copyOfRange(line, offset, offset + length);
        headerLength = length;
        // The first part's own capture_start is its header, not a body line.
        partBodyLines--;
    }

    private void rotate() {
        drain();
        final Path next = CaptureFileParts.partPath(firstPath, part + 1);
        try {
            channel.close();
        } catch (final IOException e) {
            closed = true;
            throw failure(e);
        }
        try {
            channel = open(next);
        } catch (final UncheckedIOException e) {
            // Nothing left to write to: later calls fail as on a closed writer.
            closed = true;
            throw e;
        }
        part++;
        rotations++;
        currentPath = next;
        partBytes = 0;
        partBodyLines = 0;
        if (header != null) {
            final byte[] marked = CaptureFileParts.withPart(header, headerLength, part);
            if (marked.length <= out.remaining()) {
                out.put(marked);
            } else {
                writeAlone(marked, 0, marked.length);
            }
            partBytes += marked.length;
            bytesWritten += marked.length;
        }
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
        final Path path = currentPath;
        return new UncheckedIOException("cannot write capture file " + (path != null ? path.toString() : destination) + ": " + e, e);
    }
}
