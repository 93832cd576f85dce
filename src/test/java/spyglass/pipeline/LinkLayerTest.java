package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static spyglass.pipeline.Conversations.AUTOCOMMIT;
import static spyglass.pipeline.Conversations.CLOSED_AT_US;
import static spyglass.pipeline.Conversations.CONN_AT_US;
import static spyglass.pipeline.Conversations.Q1;
import static spyglass.pipeline.Conversations.Q1_REDACTED;
import static spyglass.pipeline.Conversations.rows;
import static spyglass.pipeline.Conversations.standard;
import static spyglass.pipeline.PipelineRead.assertCaptureEnd;
import static spyglass.pipeline.PipelineRead.assertEvents;
import static spyglass.pipeline.PipelineRead.events;
import static spyglass.pipeline.PipelineRead.eventsOf;
import static spyglass.pipeline.PipelineRead.expectedEvents;
import static spyglass.pipeline.PipelineRead.read;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.packet.LinkType;
import spyglass.testing.CaptureFile;
import spyglass.testing.FrameBuilder;
import spyglass.testing.PcapWriter;
import spyglass.testing.TcpConversation;

/** The same conversation under every link layer and IP version spyglass reads: the same events. */
class LinkLayerTest {
    @TempDir
    Path tmp;

    private void assertStandardConversation(final ScriptedConnection c, final int linkType,
                                            final Function<FrameBuilder, byte[]> encapsulation, final String name) {
        c.tcp.link(linkType, encapsulation);
        standard(c, 30, 40);
        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve(name + ".pcap")));
        assertEvents(expectedEvents(c, CONN_AT_US, CLOSED_AT_US, "quit"), events(capture));
        assertCaptureEnd(capture, c.tcp.frames(), Map.of("flows_total", 1L, "connections", 1L, "queries", 3L));
    }

    private static ScriptedConnection v4() {
        return ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306);
    }

    @Test
    void oneVlanTag() {
        assertStandardConversation(v4(), LinkType.ETHERNET, b -> b.vlan(100).ethernet(), "vlan");
    }

    @Test
    void qinqTags() {
        assertStandardConversation(v4(), LinkType.ETHERNET, b -> b.vlan(100, 200).ethernet(), "qinq");
    }

    @Test
    void qinqWithThe9100OuterTag() {
        assertStandardConversation(v4(), LinkType.ETHERNET, b -> b.vlan(7, 100, 200).outerTagType(0x9100).ethernet(), "qinq9100");
    }

    @Test
    void ipv6ConnectionIsWrittenWithBracketedAddresses() {
        final ScriptedConnection c = ScriptedConnection.ipv6("2001:db8::1", 50000, "2001:db8::2", 3306);
        assertEquals("[2001:db8::1]:50000>[2001:db8::2]:3306", c.conn());
        assertStandardConversation(c, LinkType.ETHERNET, FrameBuilder::ethernet, "ipv6");
    }

    @Test
    void ipv6WithExtensionHeadersOverVlan() {
        final ScriptedConnection c = ScriptedConnection.ipv6("2001:db8::1", 50000, "2001:db8::2", 3306);
        assertStandardConversation(c, LinkType.ETHERNET, b -> b.ipv6Extensions(0, 60).vlan(10).ethernet(), "ipv6ext");
    }

    @Test
    void linuxCookedV2() {
        assertStandardConversation(v4(), LinkType.LINUX_SLL2, FrameBuilder::sll2, "sll2");
    }

    @Test
    void linuxCookedV1() {
        assertStandardConversation(v4(), LinkType.LINUX_SLL, FrameBuilder::sll, "sll");
    }

    @Test
    void rawIp() {
        assertStandardConversation(v4(), LinkType.RAW, FrameBuilder::ip, "raw");
    }

    @Test
    void rawIpv6() {
        assertStandardConversation(ScriptedConnection.ipv6("2001:db8::1", 50000, "2001:db8::2", 3306), LinkType.RAW,
            FrameBuilder::ip, "raw6");
    }

    /**
     * Ethernet frames padded to 60 bytes: every pure ACK (54 bytes) carries 6 bytes of padding, a
     * COM_PING or COM_QUIT (5 bytes of payload) one, a 3-byte response tail three. None of it is
     * stream data.
     */
    @Test
    void ethernetPaddingIsNotPayload() {
        final ScriptedConnection c = v4();
        c.tcp.link(LinkType.ETHERNET, b -> b.padTo(60).ethernet());
        c.connect(0, 42, "app", "shop");
        c.ping(1_000, ScriptedConnection.WHOLE, 1_100, ScriptedConnection.WHOLE);
        final ScriptedConnection.Expected q1 = c.select(2_000, Q1, Q1_REDACTED, ScriptedConnection.WHOLE, 2_250, 45, rows(3),
            AUTOCOMMIT);
        assertEquals(138, q1.response().length); // 45 + 45 + 45 + 3
        c.tcp.ack(ScriptedConnection.ns(2_300), true);
        c.ping(3_000, ScriptedConnection.WHOLE, 3_100, ScriptedConnection.WHOLE);
        c.quit(4_000);
        for (final TcpConversation.Frame f : c.tcp.frames()) {
            assertEquals(true, f.bytes().length >= 60);
        }
        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve("padded.pcap")));
        assertEvents(expectedEvents(c, CONN_AT_US, CLOSED_AT_US, "quit"), events(capture));
        assertCaptureEnd(capture, c.tcp.frames(), Map.of("flows_total", 1L, "connections", 1L, "queries", 3L));
    }

    /** tcpdump -i any next to a tap: one pcapng, an Ethernet and a Linux cooked v2 interface, one connection each. */
    @Test
    void pcapngWithTwoInterfacesCarryingTwoConnections() {
        final ScriptedConnection a = ScriptedConnection.ipv4("10.0.0.1", 50001, "10.0.0.2", 3306);
        final ScriptedConnection b = ScriptedConnection.ipv4("10.0.1.1", 50002, "10.0.1.2", 3306);
        b.tcp.link(LinkType.LINUX_SLL2, FrameBuilder::sll2);
        standard(a, 30, 40);
        // b runs 500 µs behind a: their packets interleave.
        b.connect(500, 77, "report", "dw");
        b.select(1_500, Q1, Q1_REDACTED, 20, 1_700, 50, rows(4), AUTOCOMMIT);
        b.quit(2_600);

        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
        final int eth = ng.interfaceBlock(LinkType.ETHERNET, 9, 0);
        final int sll2 = ng.interfaceBlock(LinkType.LINUX_SLL2, 9, 0);
        record Tagged(int iface, TcpConversation.Frame frame) {
        }
        final List<Tagged> all = new ArrayList<>();
        a.tcp.frames().forEach(f -> all.add(new Tagged(eth, f)));
        b.tcp.frames().forEach(f -> all.add(new Tagged(sll2, f)));
        all.sort(Comparator.comparingLong(t -> t.frame().timestampNanos()));
        all.forEach(t -> ng.enhancedPacket(t.iface(), t.frame().timestampNanos(), t.frame().bytes()));
        final CaptureFile capture = read(ng.writeTo(tmp.resolve("two-interfaces.pcapng")));

        assertEvents(expectedEvents(a, CONN_AT_US, CLOSED_AT_US, "quit"), eventsOf(capture, a.conn()));
        assertEvents(expectedEvents(b, 800, ScriptedConnection.closedAfterQuitUs(2_600), "quit"), eventsOf(capture, b.conn()));
        assertEquals(a.expected.size() + b.expected.size() + 4, events(capture).size());
        final List<TcpConversation.Frame> frames = new ArrayList<>(a.tcp.frames());
        frames.addAll(b.tcp.frames());
        assertCaptureEnd(capture, frames, Map.of("flows_total", 2L, "connections", 2L, "queries", 4L));
    }
}
