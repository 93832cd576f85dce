package spyglass.cli;

import java.nio.file.Path;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;
import spyglass.source.PacketSource;
import spyglass.source.PcapFileSource;

/** Finds a recorded capture's server port from its SYN-ACK: fixtures were recorded on free ports. */
final class FixturePorts {
    private FixturePorts() {
    }

    static int serverPort(final Path pcap) {
        final PacketDecoder decoder = new PacketDecoder();
        final TcpSegment segment = new TcpSegment();
        final int[] port = {-1};
        try (PacketSource source = new PcapFileSource(pcap)) {
            while (port[0] < 0 && source.poll((frame, offset, captured, original, ts, linkType) -> {
                if (port[0] < 0 && decoder.decode(frame, offset, captured, original, ts, linkType, segment) == PacketDecoder.OK
                    && segment.hasFlag(TcpSegment.SYN) && segment.hasFlag(TcpSegment.ACK)) {
                    port[0] = segment.srcPort;
                }
            }, 1) > 0) {
                // keep looking
            }
        }
        if (port[0] < 0) {
            throw new AssertionError("no SYN-ACK in " + pcap);
        }
        return port[0];
    }
}
