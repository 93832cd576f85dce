package spyglass.source;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import spyglass.packet.LinkType;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;

/** Test handler: decodes every frame a live source delivers and keeps what the assertions need. */
final class AfPacketFrames implements FrameHandler {
    record Frame(int srcPort, int dstPort, int flags, byte[] payload, long timestampNanos, int vlanId,
                 int capturedLength, int originalLength, byte[] head, long seq) {
    }

    final List<Frame> frames = new ArrayList<>();
    final PacketDecoder decoder = new PacketDecoder();
    final TcpSegment segment = new TcpSegment();
    int notDecoded;

    @Override
    public void onFrame(final DirectBuffer frame, final int offset, final int capturedLength, final int originalLength,
                        final long timestampNanos, final int linkType) {
        if (linkType != LinkType.ETHERNET
            || decoder.decode(frame, offset, capturedLength, originalLength, timestampNanos, linkType, segment) != PacketDecoder.OK) {
            notDecoded++;
            return;
        }
        final byte[] payload = new byte[segment.payloadLength];
        segment.payloadBuffer.getBytes(segment.payloadOffset, payload);
        final byte[] head = new byte[Math.min(18, capturedLength)];
        frame.getBytes(offset, head);
        frames.add(new Frame(segment.srcPort, segment.dstPort, segment.flags, payload, timestampNanos, segment.vlanId,
            capturedLength, originalLength, head, segment.sequence));
    }

    /** Polls until no frame came for {@code quietMillis}. */
    void drain(final AfPacketSource source, final long quietMillis) {
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < quietMillis * 1_000_000L) {
            if (source.poll(this, 64) > 0) {
                quietSince = System.nanoTime();
            }
        }
    }

    byte[] payload(final int srcPort, final int dstPort) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final Frame f : frames) {
            if (f.srcPort() == srcPort && f.dstPort() == dstPort) {
                out.writeBytes(f.payload());
            }
        }
        return out.toByteArray();
    }

    /**
     * The byte stream one direction carried, put together by sequence number from its SYN on, so a
     * real TCP retransmission (the busy test machine may cause one) does not count twice. A
     * segment seen twice must be a retransmission, not a second copy of one packet: the copies of
     * a loopback packet come microseconds apart, a retransmission at least a millisecond later.
     */
    byte[] stream(final int srcPort, final int dstPort) {
        long isn = -1;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = new byte[0];
        final java.util.Map<Long, Long> firstSeen = new java.util.HashMap<>();
        for (final Frame f : frames) {
            if (f.srcPort() != srcPort || f.dstPort() != dstPort) {
                continue;
            }
            if ((f.flags() & TcpSegment.SYN) != 0) {
                isn = f.seq();
                continue;
            }
            if (f.payload().length == 0) {
                continue;
            }
            final Long earlier = firstSeen.putIfAbsent(f.seq(), f.timestampNanos());
            if (earlier != null && f.timestampNanos() - earlier < 1_000_000L) {
                throw new AssertionError("segment seq " + f.seq() + " delivered twice within "
                    + (f.timestampNanos() - earlier) + " ns: a duplicate copy, not a retransmission");
            }
            final int at = (int) ((f.seq() - isn - 1) & 0xFFFF_FFFFL);
            if (at + f.payload().length > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, at + f.payload().length);
            }
            System.arraycopy(f.payload(), 0, bytes, at, f.payload().length);
        }
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    /**
     * How many distinct segments (by sequence number) of one direction have these flags: a real
     * retransmission (a FIN re-sent on a busy machine) counts once, while a second copy of one
     * packet, microseconds after the first, is an error, as in {@link #stream}.
     */
    long countOnce(final int srcPort, final int dstPort, final int flagMask, final int flagValue) {
        final java.util.Map<Long, Long> firstSeen = new java.util.HashMap<>();
        for (final Frame f : frames) {
            if (f.srcPort() != srcPort || f.dstPort() != dstPort || (f.flags() & flagMask) != flagValue) {
                continue;
            }
            final Long earlier = firstSeen.putIfAbsent(f.seq(), f.timestampNanos());
            if (earlier != null && f.timestampNanos() - earlier < 1_000_000L) {
                throw new AssertionError("segment seq " + f.seq() + " delivered twice within "
                    + (f.timestampNanos() - earlier) + " ns: a duplicate copy, not a retransmission");
            }
        }
        return firstSeen.size();
    }

}
