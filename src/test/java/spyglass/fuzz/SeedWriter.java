package spyglass.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.packet.LinkType;
import spyglass.testing.MysqlWire;
import spyglass.packet.PacketDecoder;
import spyglass.packet.TcpSegment;
import spyglass.source.PcapFileSource;
import spyglass.testing.FrameBuilder;
import spyglass.testing.PcapWriter;

/**
 * Writes the fuzz targets' seed inputs into {@code <ClassName>Inputs/<method>/} under the given
 * directory, where jazzer-junit looks for them. Run from the project directory after
 * {@code mvn test-compile} when an input format changes:
 * <pre>
 * java -cp target/test-classes:target/classes:$HOME/.m2/repository/org/agrona/agrona/2.2.4/agrona-2.2.4.jar \
 *   --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
 *   spyglass.fuzz.SeedWriter src/test/resources/spyglass/fuzz
 * </pre>
 * Findings (crash-* files) that Jazzer adds next to these seeds are kept as they are.
 */
public final class SeedWriter {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final String CLIENT = "10.0.0.1";
    private static final String SERVER = "10.0.0.2";

    private final Path root;

    private SeedWriter(final Path root) {
        this.root = root;
    }

    public static void main(final String[] args) throws IOException {
        final SeedWriter w = new SeedWriter(Path.of(args.length > 0 ? args[0] : "src/test/resources/spyglass/fuzz"));
        w.packetDecoder();
        w.captureFile();
        w.conversation();
        w.redactor();
    }

    private void write(final String testClass, final String method, final String name, final byte[] data)
        throws IOException {
        final Path dir = root.resolve(testClass + "Inputs").resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
    }

    private static byte[] cat(final byte[]... parts) {
        return CaptureFileFuzzTest.concat(parts);
    }

    private static byte[] bytes(final int... values) {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static int linkIndex(final int linkType) {
        for (int i = 0; i < PacketDecoderFuzzTest.LINK_TYPES.length; i++) {
            if (PacketDecoderFuzzTest.LINK_TYPES[i] == linkType) {
                return i;
            }
        }
        throw new IllegalArgumentException("link type " + linkType);
    }

    private static FrameBuilder query4() {
        return FrameBuilder.tcp4(CLIENT, 50000, SERVER, 3306).seq(1000).ack(2000).flags(FrameBuilder.PSH | FrameBuilder.ACK)
            .payload(MysqlWire.packet(0, MysqlWire.query("SELECT * FROM t WHERE id = 5")));
    }

    private static FrameBuilder query6() {
        return FrameBuilder.tcp6("2001:db8::1", 50000, "2001:db8::2", 3306).seq(1000).ack(2000)
            .flags(FrameBuilder.PSH | FrameBuilder.ACK).payload(MysqlWire.packet(0, MysqlWire.query("SELECT 1")));
    }

    // ------------------------------------------------------------------ PacketDecoderFuzzTest

    private void packetDecoder() throws IOException {
        final String c = "PacketDecoderFuzzTest";
        final String m = "decode";
        frame(c, m, "ethernet-ipv4-query", LinkType.ETHERNET, 0, query4().ethernet());
        frame(c, m, "ethernet-padded-ack", LinkType.ETHERNET, 0,
            FrameBuilder.tcp4(CLIENT, 50000, SERVER, 3306).padTo(60).ethernet());
        frame(c, m, "ethernet-vlan", LinkType.ETHERNET, 0, query4().vlan(42).ethernet());
        frame(c, m, "ethernet-qinq", LinkType.ETHERNET, 0, query4().vlan(100, 42).ethernet());
        frame(c, m, "ethernet-ipv4-options", LinkType.ETHERNET, 0, query4().ipv4Options(8).tcpOptions(12).ethernet());
        frame(c, m, "ethernet-ipv4-fragment", LinkType.ETHERNET, 0, query4().ipv4Fragment(0, true).ethernet());
        frame(c, m, "ethernet-ipv6-extensions", LinkType.ETHERNET, 0, query6().ipv6Extensions(0, 60, 43).ethernet());
        frame(c, m, "ethernet-ipv6-atomic-fragment", LinkType.ETHERNET, 0, query6().ipv6Fragment(0, false).ethernet());
        frame(c, m, "ethernet-ipv4-snaplen", LinkType.ETHERNET, 3, java.util.Arrays.copyOf(query4().ethernet(), 60));
        frame(c, m, "ethernet-ipv4-tso", LinkType.ETHERNET, 0, query4().ipTotalLength(0).ethernet());
        frame(c, m, "ethernet-udp", LinkType.ETHERNET, 0, query4().ipProtocol(17).ethernet());
        frame(c, m, "sll-ipv4", LinkType.LINUX_SLL, 0, query4().sll());
        frame(c, m, "sll2-ipv6", LinkType.LINUX_SLL2, 0, query6().sll2());
        frame(c, m, "null-ipv4", LinkType.NULL, 0, query4().bsdNull());
        frame(c, m, "null-ipv6-bigendian", LinkType.NULL, 0, query6().bsdNull(28, true));
        frame(c, m, "loop-ipv6", LinkType.LOOP, 0, query6().loop());
        frame(c, m, "raw-ipv4", LinkType.RAW, 0, query4().ip());
        frame(c, m, "raw12-ipv6", LinkType.RAW_ALT_12, 0, query6().ip());
        frame(c, m, "ipv4-linktype", LinkType.IPV4, 0, query4().ip());
        frame(c, m, "ipv6-linktype", LinkType.IPV6, 0, query6().ipv6Extensions(51).ip());
        // Every frame of a real loopback capture.
        int i = 0;
        for (final byte[] f : framesOf(Path.of("src/test/resources/captures/basic/any-sll2-nano.pcap"))) {
            if (i < 4) {
                frame(c, m, "real-sll2-" + i++, LinkType.LINUX_SLL2, 0, f);
            }
        }
    }

    private void frame(final String c, final String m, final String name, final int linkType, final int extra,
                       final byte[] frame) throws IOException {
        write(c, m, name, cat(bytes(linkIndex(linkType), extra), frame));
    }

    private static java.util.List<byte[]> framesOf(final Path pcap) {
        final java.util.List<byte[]> frames = new java.util.ArrayList<>();
        try (PcapFileSource source = new PcapFileSource(pcap)) {
            while (source.poll((buffer, offset, length, original, ts, link) -> {
                final byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                frames.add(b);
            }, 100) >= 0) {
                // all frames
            }
        }
        return frames;
    }

    // ------------------------------------------------------------------ CaptureFileFuzzTest

    private void captureFile() throws IOException {
        final String c = "CaptureFileFuzzTest";
        final String m = "read";
        final byte[] q = query4().ethernet();
        final byte[] ack = FrameBuilder.tcp4(SERVER, 3306, CLIENT, 50000).ethernet();
        for (final String name : new String[] {"basic/lo-ethernet-micro.pcap", "basic/any-sll2-nano.pcap",
            "mariadb-cli/capture.pcap"}) {
            final byte[] file = Files.readAllBytes(Path.of("src/test/resources/captures").resolve(name));
            write(c, m, "real-" + name.replace('/', '-'), cat(bytes(0, 0, 3), file));
        }
        write(c, m, "pcap-be-nanos", cat(bytes(0, 0, 1),
            PcapWriter.pcap(LinkType.ETHERNET, true, ByteOrder.BIG_ENDIAN).frame(T0, q).frame(T0 + 5, ack, 1514)
                .toByteArray()));
        final PcapWriter ng = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
        final int eth = ng.interfaceBlock(LinkType.ETHERNET);
        final int raw = ng.interfaceBlock(LinkType.RAW, 0x80 | 20, 3600);
        ng.enhancedPacket(eth, T0, q).enhancedPacket(raw, T0 + 1000, query4().ip()).obsoletePacket(eth, T0 + 2000, ack)
            .block(4, "name resolution".getBytes(StandardCharsets.US_ASCII)).section(ByteOrder.BIG_ENDIAN);
        final int sll = ng.interfaceBlock(LinkType.LINUX_SLL, 9, 0);
        ng.simplePacket(query4().sll()).enhancedPacket(sll, T0 + 3000, query6().sll(), 4000);
        write(c, m, "pcapng-two-sections", cat(bytes(0, 0, 2), ng.toByteArray()));
        // Bodies behind the target's own headers (kinds 1 and 3).
        final byte[] pcapBody = PcapWriter.pcap(LinkType.ETHERNET).frame(T0, q).frame(T0 + 7000, ack).toByteArray();
        write(c, m, "header-pcap-le", cat(bytes(1, linkIndex(LinkType.ETHERNET), 0),
            java.util.Arrays.copyOfRange(pcapBody, 24, pcapBody.length)));
        final PcapWriter ngBody = PcapWriter.pcapng(ByteOrder.LITTLE_ENDIAN);
        final int id = ngBody.interfaceBlock(LinkType.ETHERNET, 9, 0);
        ngBody.enhancedPacket(id, T0, q).enhancedPacket(id, T0 + 1, ack);
        final byte[] ngBytes = ngBody.toByteArray();
        write(c, m, "header-pcapng-le", cat(bytes(3, linkIndex(LinkType.ETHERNET), 4),
            java.util.Arrays.copyOfRange(ngBytes, 28 + 24, ngBytes.length)));
        write(c, m, "header-pcap-cut-short", cat(bytes(2, linkIndex(LinkType.RAW), 0),
            java.util.Arrays.copyOfRange(pcapBody, 24, pcapBody.length - 9)));
    }

    // ------------------------------------------------------------------ MysqlConversationFuzzTest

    /** Builds the step language documented on {@link MysqlConversationFuzzTest}. */
    private static final class Steps {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Steps(final int flags, final String secret, final String digits) {
            out.write(flags);
            out.write(secret.length() - 6);
            for (final char ch : secret.toCharArray()) {
                out.write("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".indexOf(ch));
            }
            out.write(digits.charAt(0) - '1');
            out.write(digits.length() - 6);
            for (int i = 1; i < digits.length(); i++) {
                out.write(digits.charAt(i) - '0');
            }
        }

        private Steps op(final int kind, final int piece, final int dt) {
            out.write(kind | piece << 3);
            out.write(dt);
            return this;
        }

        Steps command(final int commandIndex, final String body, final int piece) {
            op(0, piece, 20).out.write(0);
            out.write(commandIndex);
            final byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(b.length);
            out.writeBytes(b);
            return this;
        }

        Steps serverPacket(final int seq, final byte[] payload) {
            op(1, 0, 30).out.write(seq);
            out.write(payload.length);
            out.writeBytes(payload);
            return this;
        }

        Steps raw(final boolean client, final byte[] bytes) {
            for (int at = 0; at < bytes.length; at += 255) {
                final int n = Math.min(255, bytes.length - at);
                op(client ? 2 : 3, 0, 10).out.write(n);
                out.write(bytes, at, n);
            }
            return this;
        }

        Steps gap(final boolean client) {
            op(4, 0, 50).out.write(client ? 1 : 0);
            return this;
        }

        Steps planted(final boolean prepare, final int split) {
            op(5, 0, 40).out.write((prepare ? 1 : 0) | split << 1);
            return this;
        }

        Steps canned(final int kind, final int seq, final int status, final int count) {
            op(6, 0, 60).out.write(kind);
            out.write(seq);
            out.write(status & 0xFF);
            out.write(status >> 8);
            out.write(count);
            return this;
        }

        Steps followUp(final int seq, final byte[] body) {
            return followUp(seq, body, 0);
        }

        Steps followUp(final int seq, final byte[] body, final int piece) {
            op(7, piece, 5).out.write(seq);
            out.write(body.length);
            out.writeBytes(body);
            return this;
        }

        /** Empty server chunks whose time bytes step back 15 microseconds each (flag bit 2 set). */
        Steps backInTime(final int steps) {
            for (int i = 0; i < steps; i++) {
                op(3, 0, 0xFF).out.write(0);
            }
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    private void conversation() throws IOException {
        final String c = "MysqlConversationFuzzTest";
        final String m = "conversation";
        write(c, m, "login-queries", new Steps(0, "zqSecret42", "4711000815")
            .command(0, "SELECT a, b FROM t WHERE id = 7", 0).canned(2, 1, 0x22, 14)
            .planted(false, 0).canned(0, 1, 0x02, 1)
            .planted(true, 20).canned(5, 1, 0x02, 0x05)
            .command(4, "\u0001\u0000\u0000\u0000\u0000\u0001\u0000\u0000\u0000", 3).canned(0, 1, 0x02, 1)
            .gap(true).planted(false, 0).canned(1, 1, 0x02, 3)
            .command(7, "", 0).build());
        write(c, m, "deprecate-eof-multi-results", new Steps(0x40, "zqAbcdef", "123456")
            .command(0, "CALL p(1)", 0).canned(3, 1, 0x0A, 9).canned(0, 3, 0x02, 0)
            .planted(false, 0).canned(3, 1, 0x02, 4)
            .command(3, "SELECT ? FROM t", 0).canned(5, 1, 0x02, 0x15)
            .command(5, "shop", 0).canned(0, 1, 0x02, 0).build());
        write(c, m, "midstream-resync", new Steps(1, "zqMidstream", "9876543")
            .raw(true, bytes(0x10, 0, 0, 3, 'x', 'y')).planted(false, 0).canned(0, 1, 0x02, 0)
            .raw(false, MysqlWire.packet(1, MysqlWire.ok(0, 0, 0x202, 0))).gap(false)
            .planted(false, 3).canned(2, 1, 0x02, 5).build());
        write(c, m, "local-infile", new Steps(0, "zqInfile", "55555555")
            .command(0, "LOAD DATA LOCAL INFILE '/tmp/x' INTO TABLE t", 0).canned(6, 1, 0, 0)
            .followUp(2, "1,2\n3,4\n".getBytes(StandardCharsets.US_ASCII)).followUp(3, new byte[0])
            .serverPacket(4, MysqlWire.ok(2, 0, 0x02, 0)).planted(false, 0).canned(7, 1, 0, 3).canned(0, 2, 0x02, 0)
            .build());
        write(c, m, "small-statement-cap", new Steps(1 << 3, "zqTruncated", "31415926")
            .planted(false, 0).canned(0, 1, 0x02, 0).planted(true, 0).canned(1, 1, 0, 0).build());
        write(c, m, "change-user", new Steps(0, "zqChangeUser", "27182818")
            .command(16, "bob\u0000\u0014abcdefghijklmnopqrstshop\u0000", 0).canned(8, 1, 0, 0)
            .followUp(3, new byte[20]).serverPacket(4, MysqlWire.ok(0, 0, 0x02, 0)).planted(false, 0)
            .canned(0, 1, 0x02, 0).build());
        // Findings, as small as they go: a server packet begun before the request (stray bytes after a
        // response the tracker thought complete) gives a negative ttfb; a capture timestamp stepping back
        // gives a negative think time.
        write(c, m, "finding-negative-ttfb", new Steps(0, "zqFinding1", "1234567")
            .raw(false, bytes(7, 0, 0, 1)).command(0, "SELECT 1", 0)
            .raw(false, bytes(0, 0, 0, 2, 0, 0, 0)).build());
        write(c, m, "finding-negative-think", new Steps(4, "zqFinding2", "1234567")
            .command(0, "SELECT 1", 0).canned(0, 1, 0x02, 0)
            .command(0, "SELECT 2", 0).canned(0, 1, 0x02, 0).backInTime(6).command(0, "SELECT 3", 0)
            .canned(0, 1, 0x02, 0).build());
        // A false resync: after a loss, a segment that starts inside a client packet with bytes that look
        // like a COM_QUERY header is taken for a command start; that packet's length then runs over the
        // next, real command, whose string literal is read as a name and kept.
        final byte[] fake = cat(bytes(0x58, 0, 0, 0, 3), "INSERT INTO t VALUES ('a', '".getBytes(StandardCharsets.US_ASCII));
        write(c, m, "finding-false-resync-leak", new Steps(0, "zqFinding3", "1234567")
            .gap(true).followUp(5, cat("AAAAAAAAAAAA".getBytes(StandardCharsets.US_ASCII), fake), 16)
            .planted(false, 0).canned(0, 1, 0x02, 0).build());
        realConversation(c, m, "real-mariadb-cli", Path.of("src/test/resources/captures/mariadb-cli/capture.pcap"));
        realConversation(c, m, "real-connector-j", Path.of("src/test/resources/captures/connector-j/capture.pcap"));
    }

    /** A real capture's TCP payloads as raw steps (handshake left to the steps), with planted queries. */
    private void realConversation(final String c, final String m, final String name, final Path pcap) throws IOException {
        final Steps steps = new Steps(2, "zqRealCapture", "6660666");
        final PacketDecoder decoder = new PacketDecoder();
        final TcpSegment segment = new TcpSegment();
        int serverPort = -1;
        int payloads = 0;
        for (final byte[] frame : framesOfWithLink(pcap)) {
            final int link = frame[0] & 0xFF | (frame[1] & 0xFF) << 8;
            final byte[] f = java.util.Arrays.copyOfRange(frame, 2, frame.length);
            if (decoder.decode(new UnsafeBuffer(f), 0, f.length, f.length, 0, link, segment) != PacketDecoder.OK) {
                continue;
            }
            if (serverPort < 0 && segment.hasFlag(TcpSegment.SYN) && !segment.hasFlag(TcpSegment.ACK)) {
                serverPort = segment.dstPort;
            }
            if (segment.payloadLength == 0 || serverPort < 0) {
                continue;
            }
            final byte[] payload = new byte[segment.payloadLength];
            segment.payloadBuffer.getBytes(segment.payloadOffset, payload);
            final boolean client = segment.dstPort == serverPort;
            steps.raw(client, payload);
            if (++payloads == 12) {
                steps.planted(false, 0).canned(0, 1, 0x02, 0);
            }
        }
        steps.planted(false, 0).canned(0, 1, 0x02, 0);
        write(c, m, name, steps.build());
    }

    private static java.util.List<byte[]> framesOfWithLink(final Path pcap) {
        final java.util.List<byte[]> frames = new java.util.ArrayList<>();
        try (PcapFileSource source = new PcapFileSource(pcap)) {
            while (source.poll((buffer, offset, length, original, ts, link) -> {
                final byte[] b = new byte[length + 2];
                b[0] = (byte) link;
                b[1] = (byte) (link >> 8);
                buffer.getBytes(offset, b, 2, length);
                frames.add(b);
            }, 100) >= 0) {
                // all frames
            }
        }
        return frames;
    }

    // ------------------------------------------------------------------ SqlRedactorFuzzTest

    private void redactor() throws IOException {
        final String c = "SqlRedactorFuzzTest";
        final String[][] statements = {
            {"0", "SELECT a, `b c`, t1.col2 FROM shop.t WHERE id = 42 AND name = 'it''s' OR x IN (1, -2.5e3, 0x1F, X'0A', b'01', N'n', _utf8mb4'u', TRUE)"},
            {"0", "INSERT INTO t (a, b) VALUES (1, 'a\\'b'), (2, \"c\") ON DUPLICATE KEY UPDATE b = VALUES(b)"},
            {"1", "SELECT 'a\\' , 'zz-secret' FROM t -- trailing\n# hash\n/* block */"},
            {"2", "SELECT 'it\\'s' , 'zz-secret' FROM t"},
            {"0", "SELECT /*+ MAX_EXECUTION_TIME(1000) */ /*!50001 SQL_NO_CACHE */ /*M!100101 x */ @v := @@session.sql_mode, :name, ? FROM t"},
            {"0", "UPDATE t SET a = a-5, b = -.5, c = 1e10x, d = 2fa_codes WHERE e BETWEEN 0b101 AND 0xfg LIMIT 10"},
            {"0", "SELECT 名前, émoji😀, `a\u0001b` FROM tâble WHERE j->'$.k' = \"v\" AND k->>'$.l' <=> NULL"},
            {"0", "SELECT a FROM t WHERE b = 'unclosed"},
            {"0", "SELECT `unclosed FROM t /* unclosed comment"},
        };
        int i = 0;
        for (final String[] s : statements) {
            final byte[] sql = s[1].getBytes(StandardCharsets.UTF_8);
            write(c, "anyBytes", "statement-" + i, cat(bytes(Integer.parseInt(s[0]), 0xFF, 0xFF), sql));
            write(c, "anyBytes", "statement-" + i + "-cut", cat(bytes(Integer.parseInt(s[0]) + 4, sql.length / 2, 0), sql));
            i++;
        }
        // plantedLiteralNeverSurvives: mode, capacity (0xFFFF ample), prefix count, (separator, token)*, context,
        // literal kind, length, characters..., suffix count, (separator, token)*.
        for (int kind = 0; kind < 20; kind++) {
            final ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(kind % 3);
            b.write(0xFF);
            b.write(0xFF);
            b.write(3);
            b.writeBytes(bytes(0, 0, 0, 34, 0, 2)); // " SELECT t WHERE"
            b.write(kind % SqlRedactorFuzzTest.CONTEXTS.length);
            b.write(kind);
            b.write(kind * 7);
            for (int k = 0; k < 40; k++) {
                b.write(k * 13 + kind);
            }
            b.write(2);
            b.writeBytes(bytes(0, 3, 0, 12));
            write(c, "plantedLiteralNeverSurvives", "literal-kind-" + kind, b.toByteArray());
        }
    }
}
