package spyglass.tcp;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.packet.AddressFormat;
import spyglass.packet.TcpSegment;

/** Builds the segments of one client/server pair for tests; one TcpSegment reused per call. */
final class Wire {
    static final int FIN = TcpSegment.FIN;
    static final int SYN = TcpSegment.SYN;
    static final int RST = TcpSegment.RST;
    static final int PSH = TcpSegment.PSH;
    static final int ACK = TcpSegment.ACK;

    final TcpSegment segment = new TcpSegment();
    int ipVersion = 4;
    long clientHigh;
    long clientLow;
    int clientPort;
    long serverHigh;
    long serverLow;
    int serverPort;
    long now = 1_000_000_000L;

    static Wire ipv4(final int client, final int clientPort, final int server, final int serverPort) {
        final Wire w = new Wire();
        w.clientLow = AddressFormat.ipv4MappedLow(client);
        w.clientPort = clientPort;
        w.serverLow = AddressFormat.ipv4MappedLow(server);
        w.serverPort = serverPort;
        return w;
    }

    static Wire ipv6(final long clientHigh, final long clientLow, final int clientPort,
                     final long serverHigh, final long serverLow, final int serverPort) {
        final Wire w = new Wire();
        w.ipVersion = 6;
        w.clientHigh = clientHigh;
        w.clientLow = clientLow;
        w.clientPort = clientPort;
        w.serverHigh = serverHigh;
        w.serverLow = serverLow;
        w.serverPort = serverPort;
        return w;
    }

    TcpSegment client(final long seq, final long ack, final int flags, final String payload) {
        return fill(true, seq, ack, flags, payload);
    }

    TcpSegment server(final long seq, final long ack, final int flags, final String payload) {
        return fill(false, seq, ack, flags, payload);
    }

    TcpSegment fill(final boolean fromClient, final long seq, final long ack, final int flags, final String payload) {
        final TcpSegment s = segment;
        s.reset();
        s.timestampNanos = now;
        now += 1_000;
        s.ipVersion = ipVersion;
        if (fromClient) {
            s.srcAddressHigh = clientHigh;
            s.srcAddressLow = clientLow;
            s.srcPort = clientPort;
            s.dstAddressHigh = serverHigh;
            s.dstAddressLow = serverLow;
            s.dstPort = serverPort;
        } else {
            s.srcAddressHigh = serverHigh;
            s.srcAddressLow = serverLow;
            s.srcPort = serverPort;
            s.dstAddressHigh = clientHigh;
            s.dstAddressLow = clientLow;
            s.dstPort = clientPort;
        }
        s.sequence = seq & 0xFFFF_FFFFL;
        s.acknowledgement = ack & 0xFFFF_FFFFL;
        s.flags = flags;
        final byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        // Padding around the payload proves offsets are honoured.
        final byte[] framed = new byte[bytes.length + 8];
        java.util.Arrays.fill(framed, (byte) '!');
        System.arraycopy(bytes, 0, framed, 4, bytes.length);
        s.payloadBuffer = new UnsafeBuffer(framed);
        s.payloadOffset = 4;
        s.payloadLength = bytes.length;
        s.wireLength = 54 + bytes.length;
        return s;
    }
}
