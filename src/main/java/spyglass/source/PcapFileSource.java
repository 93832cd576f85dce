package spyglass.source;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A pcap or pcapng file, mapped read-only and read in place: frames are handed out as views of the
 * mapping, never copied. Classic pcap (micro- or nanosecond, either byte order) and pcapng (several
 * sections and interfaces, each with its own link type and timestamp resolution).
 *
 * <p>Damage (a file cut short while it was being written, inconsistent lengths) ends the file: every
 * good frame before it is delivered, then {@link #poll} throws a {@link CaptureFileException} naming
 * the file, the byte offset and the record. A bad frame inside a soundly framed pcapng block is
 * skipped and counted in {@link #malformedFrames()} instead.
 *
 * <p>One thread polls. {@link #close()} unmaps the file: call it only once polling has stopped.
 */
public final class PcapFileSource implements PacketSource {
    /** The view handed to the parser; a record never needs more than this of the mapping at once. */
    private static final int WINDOW = 1 << 30;

    private final String name;
    private final Arena arena;
    private final MemorySegment mapping;
    private final long baseAddress;
    private final long size;
    private final CaptureReader reader;
    private final UnsafeBuffer view = new UnsafeBuffer(0L, 0);

    private long position;
    private boolean exhausted;
    private boolean closed;
    private CaptureFileException failure;

    /**
     * Opens and maps {@code file}.
     *
     * @throws CaptureFileException when the file is missing, unreadable or empty
     */
    public PcapFileSource(final Path file) {
        this.name = file.toString();
        if (Files.isDirectory(file)) {
            throw new CaptureFileException(name + " is a directory, not a capture file");
        }
        final Arena shared = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            this.size = channel.size();
            if (size == 0) {
                throw new CaptureFileException(name + " is empty: not a pcap or pcapng file");
            }
            this.mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, shared);
        } catch (final NoSuchFileException e) {
            shared.close();
            throw new CaptureFileException(name + ": no such file", e);
        } catch (final AccessDeniedException e) {
            shared.close();
            throw new CaptureFileException(name + ": permission denied", e);
        } catch (final IOException e) {
            shared.close();
            throw new CaptureFileException(name + ": cannot be read: " + e.getMessage(), e);
        } catch (final RuntimeException e) {
            shared.close();
            throw e;
        }
        this.arena = shared;
        this.baseAddress = mapping.address();
        this.reader = new CaptureReader(name);
    }

    @Override
    public int poll(final FrameHandler handler, final int limit) {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        int delivered = 0;
        while (delivered < limit && !exhausted) {
            final long remaining = size - position;
            final int window = (int) Math.min(remaining, WINDOW);
            view.wrap(baseAddress + position, window);
            final int result;
            try {
                result = reader.step(view, 0, window, position, remaining <= WINDOW, handler);
                if (result == CaptureReader.NEED_MORE) {
                    throw reader.tooLarge(position, reader.needed(), WINDOW);
                }
            } catch (final CaptureFileException e) {
                failure = e;
                if (delivered > 0) {
                    return delivered;
                }
                throw e;
            }
            if (result == CaptureReader.END) {
                exhausted = true;
                break;
            }
            position += result;
            if (reader.delivered()) {
                delivered++;
            }
        }
        return delivered == 0 && exhausted ? -1 : delivered;
    }

    @Override
    public String description() {
        return "file:" + name;
    }

    @Override
    public long malformedFrames() {
        return reader.malformedFrames();
    }

    /** Bytes of the file consumed so far. */
    public long position() {
        return position;
    }

    public long size() {
        return size;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
