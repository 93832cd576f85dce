package spyglass.source;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Opens the source a user named on the command line: a capture file, or {@code -} for standard input. */
public final class PacketSources {
    public static final String STDIN = "-";

    private PacketSources() {
    }

    /**
     * @param pathOrDash a pcap / pcapng file, or {@code "-"} for a pcap stream on standard input
     * @throws CaptureFileException with a one-line message when the file cannot be opened
     */
    public static PacketSource open(final String pathOrDash) {
        if (STDIN.equals(pathOrDash)) {
            // A FileChannel on fd 0 reads straight into the direct buffer (no intermediate byte[]).
            @SuppressWarnings("resource")
            final FileInputStream stdin = new FileInputStream(FileDescriptor.in);
            return new PcapStreamSource(stdin.getChannel(), "stdin");
        }
        final Path path;
        try {
            path = Path.of(pathOrDash);
        } catch (final InvalidPathException e) {
            throw new CaptureFileException(pathOrDash + ": not a valid file name: " + e.getReason(), e);
        }
        return new PcapFileSource(path);
    }
}
