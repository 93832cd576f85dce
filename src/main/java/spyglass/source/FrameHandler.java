package spyglass.source;

import org.agrona.DirectBuffer;

/**
 * Receives captured frames from a {@link PacketSource}, in capture order.
 *
 * <p>The buffer is a view of the source's memory (a mapped file, a kernel ring block, a reused read
 * buffer): valid only for the duration of the call. Implementations must not retain it.
 */
@FunctionalInterface
public interface FrameHandler {
    /**
     * @param frame           memory holding the frame
     * @param offset          where the link-layer header starts in {@code frame}
     * @param capturedLength  bytes of the frame present in {@code frame}
     * @param originalLength  bytes of the frame on the wire (may exceed captured length with a snaplen)
     * @param timestampNanos  capture time, nanoseconds since the Unix epoch
     * @param linkType        pcap LINKTYPE_ of the frame (see {@code spyglass.packet.LinkType})
     */
    void onFrame(DirectBuffer frame, int offset, int capturedLength, int originalLength, long timestampNanos, int linkType);
}
