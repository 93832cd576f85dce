package spyglass.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import spyglass.packet.LinkType;

/**
 * Plays one TCP connection between a client and a server into a list of frames, tracking both
 * sides' sequence numbers the way real stacks do, so tests can then reorder, drop, duplicate or
 * re-encapsulate frames before writing a capture.
 *
 * <pre>{@code
 * TcpConversation c = TcpConversation.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306);
 * c.handshake(t0);
 * c.server(t0 + 100_000, greeting);           // each call appends one frame
 * c.client(t0 + 200_000, login);
 * c.close(t0 + 900_000);                       // FIN, FIN-ACK, ACK
 * c.frames().remove(4);                        // lose a packet
 * c.writePcap(path);
 * }</pre>
 */
public final class TcpConversation {
    /** One frame: when, and its bytes at the link layer chosen by {@link #link}. */
    public record Frame(long timestampNanos, byte[] bytes, boolean fromClient) {
    }

    private final boolean ipv6;
    private final String clientAddress;
    private final int clientPort;
    private final String serverAddress;
    private final int serverPort;
    private final List<Frame> frames = new ArrayList<>();
    private long clientSeq = 1_000_000L;
    private long serverSeq = 5_000_000L;
    private int linkType = LinkType.ETHERNET;
    private Function<FrameBuilder, byte[]> encapsulation = FrameBuilder::ethernet;

    private TcpConversation(final boolean ipv6, final String clientAddress, final int clientPort, final String serverAddress,
                            final int serverPort) {
        this.ipv6 = ipv6;
        this.clientAddress = clientAddress;
        this.clientPort = clientPort;
        this.serverAddress = serverAddress;
        this.serverPort = serverPort;
    }

    public static TcpConversation ipv4(final String client, final int clientPort, final String server, final int serverPort) {
        return new TcpConversation(false, client, clientPort, server, serverPort);
    }

    public static TcpConversation ipv6(final String client, final int clientPort, final String server, final int serverPort) {
        return new TcpConversation(true, client, clientPort, server, serverPort);
    }

    /** Link layer for frames added from now on, e.g. {@code link(LinkType.LINUX_SLL2, FrameBuilder::sll2)}. */
    public TcpConversation link(final int linkType, final Function<FrameBuilder, byte[]> encapsulation) {
        this.linkType = linkType;
        this.encapsulation = encapsulation;
        return this;
    }

    /** Starting sequence numbers (to test wrap-around, say). */
    public TcpConversation sequences(final long clientIsn, final long serverIsn) {
        this.clientSeq = clientIsn & 0xFFFF_FFFFL;
        this.serverSeq = serverIsn & 0xFFFF_FFFFL;
        return this;
    }

    public int linkType() {
        return linkType;
    }

    public List<Frame> frames() {
        return frames;
    }

    public TcpConversation handshake(final long timestampNanos) {
        add(timestampNanos, true, FrameBuilder.SYN, new byte[0]);
        clientSeq = (clientSeq + 1) & 0xFFFF_FFFFL;
        add(timestampNanos + 10_000, false, FrameBuilder.SYN | FrameBuilder.ACK, new byte[0]);
        serverSeq = (serverSeq + 1) & 0xFFFF_FFFFL;
        add(timestampNanos + 20_000, true, FrameBuilder.ACK, new byte[0]);
        return this;
    }

    /** The client sends {@code payload} in one segment. */
    public Frame client(final long timestampNanos, final byte[] payload) {
        return data(timestampNanos, true, payload);
    }

    public Frame server(final long timestampNanos, final byte[] payload) {
        return data(timestampNanos, false, payload);
    }

    /** Sends {@code payload} cut into segments of at most {@code mss} bytes, 1 µs apart. */
    public void client(final long timestampNanos, final byte[] payload, final int mss) {
        split(timestampNanos, true, payload, mss);
    }

    public void server(final long timestampNanos, final byte[] payload, final int mss) {
        split(timestampNanos, false, payload, mss);
    }

    /** The sequence number of the client's next byte (after the bytes sent so far). */
    public long clientSequence() {
        return clientSeq;
    }

    public long serverSequence() {
        return serverSeq;
    }

    /**
     * A data segment at explicit sequence and acknowledgement numbers that does not move the
     * conversation on: a retransmission (whole or overlapping), or a repacketised resend. The frame
     * is returned, not added: put it where it belongs in {@link #frames()}.
     */
    public Frame segment(final long timestampNanos, final boolean fromClient, final long sequence, final long acknowledgement,
                         final byte[] payload) {
        final FrameBuilder b = fromClient
            ? builder(clientAddress, clientPort, serverAddress, serverPort)
            : builder(serverAddress, serverPort, clientAddress, clientPort);
        b.seq(sequence & 0xFFFF_FFFFL).ack(acknowledgement & 0xFFFF_FFFFL).flags(FrameBuilder.PSH | FrameBuilder.ACK).payload(payload);
        return new Frame(timestampNanos, encapsulation.apply(b), fromClient);
    }

    /** A pure ACK from one side, acknowledging everything the other sent. */
    public Frame ack(final long timestampNanos, final boolean fromClient) {
        return add(timestampNanos, fromClient, FrameBuilder.ACK, new byte[0]);
    }

    /** Orderly close: the client's FIN, the server's FIN, the client's last ACK. */
    public TcpConversation close(final long timestampNanos) {
        add(timestampNanos, true, FrameBuilder.FIN | FrameBuilder.ACK, new byte[0]);
        clientSeq = (clientSeq + 1) & 0xFFFF_FFFFL;
        add(timestampNanos + 10_000, false, FrameBuilder.FIN | FrameBuilder.ACK, new byte[0]);
        serverSeq = (serverSeq + 1) & 0xFFFF_FFFFL;
        add(timestampNanos + 20_000, true, FrameBuilder.ACK, new byte[0]);
        return this;
    }

    public TcpConversation reset(final long timestampNanos, final boolean fromClient) {
        add(timestampNanos, fromClient, FrameBuilder.RST | FrameBuilder.ACK, new byte[0]);
        return this;
    }

    /** Classic pcap (nanosecond timestamps) of the frames in list order. */
    public Path writePcap(final Path file) {
        final PcapWriter writer = PcapWriter.pcap(linkType, true, java.nio.ByteOrder.LITTLE_ENDIAN);
        for (final Frame f : frames) {
            writer.frame(f.timestampNanos(), f.bytes());
        }
        return writer.writeTo(file);
    }

    /**
     * Classic pcap (nanosecond timestamps) of several conversations' frames interleaved by
     * timestamp (a stable sort: frames of equal time keep their conversation's order). All must
     * share one link type.
     */
    public static Path writePcap(final Path file, final TcpConversation... conversations) {
        final List<Frame> all = new ArrayList<>();
        for (final TcpConversation c : conversations) {
            if (c.linkType != conversations[0].linkType) {
                throw new IllegalArgumentException("link types differ: use a pcapng with one interface per link type");
            }
            all.addAll(c.frames);
        }
        all.sort(java.util.Comparator.comparingLong(Frame::timestampNanos));
        final PcapWriter writer = PcapWriter.pcap(conversations[0].linkType, true, java.nio.ByteOrder.LITTLE_ENDIAN);
        for (final Frame f : all) {
            writer.frame(f.timestampNanos(), f.bytes());
        }
        return writer.writeTo(file);
    }

    /** Appends this conversation's frames to a pcap writer (to interleave several connections, sort first). */
    public void appendTo(final PcapWriter writer) {
        for (final Frame f : frames) {
            writer.frame(f.timestampNanos(), f.bytes());
        }
    }

    private void split(final long timestampNanos, final boolean fromClient, final byte[] payload, final int mss) {
        int offset = 0;
        long ts = timestampNanos;
        while (offset < payload.length) {
            final int n = Math.min(mss, payload.length - offset);
            data(ts, fromClient, java.util.Arrays.copyOfRange(payload, offset, offset + n));
            offset += n;
            ts += 1_000;
        }
    }

    private Frame data(final long timestampNanos, final boolean fromClient, final byte[] payload) {
        final Frame f = add(timestampNanos, fromClient, FrameBuilder.PSH | FrameBuilder.ACK, payload);
        if (fromClient) {
            clientSeq = (clientSeq + payload.length) & 0xFFFF_FFFFL;
        } else {
            serverSeq = (serverSeq + payload.length) & 0xFFFF_FFFFL;
        }
        return f;
    }

    private Frame add(final long timestampNanos, final boolean fromClient, final int flags, final byte[] payload) {
        final FrameBuilder b = fromClient
            ? builder(clientAddress, clientPort, serverAddress, serverPort).seq(clientSeq).ack(serverSeq)
            : builder(serverAddress, serverPort, clientAddress, clientPort).seq(serverSeq).ack(clientSeq);
        // The very first SYN acknowledges nothing.
        final boolean firstSyn = flags == FrameBuilder.SYN;
        b.flags(flags).payload(payload);
        if (firstSyn) {
            b.ack(0);
        }
        final Frame f = new Frame(timestampNanos, encapsulation.apply(b), fromClient);
        frames.add(f);
        return f;
    }

    private FrameBuilder builder(final String src, final int srcPort, final String dst, final int dstPort) {
        return ipv6 ? FrameBuilder.tcp6(src, srcPort, dst, dstPort) : FrameBuilder.tcp4(src, srcPort, dst, dstPort);
    }
}
