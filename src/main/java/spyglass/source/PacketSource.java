package spyglass.source;

/**
 * Where frames come from: a capture file, a pcap stream, a live ring, a replay loop.
 * One pipeline, several sources.
 */
public interface PacketSource extends AutoCloseable {
    /**
     * Delivers up to {@code limit} frames to the handler.
     *
     * @return the number of frames delivered; 0 when none is available right now;
     *         -1 when the source is exhausted (end of file).
     * @throws CaptureFileException when the input is damaged; every frame before the damage has
     *         already been delivered.
     */
    int poll(FrameHandler handler, int limit);

    /** A short description for {@code capture_start.source}, e.g. {@code file:/tmp/x.pcap}. */
    String description();

    /** Frames the source skipped because they were damaged or cut short (counted, never fatal). */
    long malformedFrames();

    /**
     * Packets dropped before this source could see them (a live ring the kernel found full), since
     * the source was opened; 0 for files and streams, which lose nothing.
     */
    default long kernelDrops() {
        return 0;
    }

    @Override
    void close();
}
