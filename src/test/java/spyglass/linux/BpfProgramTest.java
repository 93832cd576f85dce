package spyglass.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import spyglass.testing.FrameBuilder;

/**
 * spyglass's filter accepts exactly the frames tcpdump's own compilation of the same expression
 * accepts: both programs run in {@link ClassicBpf} over hand-built and random frames.
 */
class BpfProgramTest {
    private static final String EXPRESSION = "tcp and (port 3306 or port 3307)";

    @Test
    void verdictsOnKnownFramesMatchTcpdump() throws Exception {
        final BpfProgram ours = BpfProgram.tcpPorts(3306, 3307);
        assertEquals(EXPRESSION, ours.expression());
        final ClassicBpf mine = ClassicBpf.of(ours);
        final ClassicBpf tcpdump = tcpdump(EXPRESSION);

        final List<Object[]> cases = List.of(
            c("ipv4 to 3306", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).payload("x").ethernet(), true),
            c("ipv4 from 3307", FrameBuilder.tcp4("10.0.0.2", 3307, "10.0.0.1", 40000).ethernet(), true),
            c("ipv4 other port", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3308).ethernet(), false),
            c("ipv4 with options", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ipv4Options(8).ethernet(), true),
            c("ipv4 options, other port", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 80).ipv4Options(8).ethernet(), false),
            c("ipv4 udp 3306", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ipProtocol(17).ethernet(), false),
            c("ipv4 first fragment", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ipv4Fragment(0, true).ethernet(), true),
            c("ipv4 later fragment", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ipv4Fragment(185, false).ethernet(), false),
            c("ipv6 to 3306", FrameBuilder.tcp6("fd00::1", 40000, "fd00::2", 3306).payload("y").ethernet(), true),
            c("ipv6 from 3307", FrameBuilder.tcp6("fd00::2", 3307, "fd00::1", 40000).ethernet(), true),
            c("ipv6 other port", FrameBuilder.tcp6("fd00::1", 40000, "fd00::2", 5432).ethernet(), false),
            c("ipv6 hop-by-hop", FrameBuilder.tcp6("fd00::1", 40000, "fd00::2", 3306).ipv6Extensions(0).ethernet(), false),
            c("vlan tagged (kernel strips tags first)", FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).vlan(10).ethernet(), false),
            c("cut short", cut(FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ethernet(), 30), false),
            c("ethernet only", cut(FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ethernet(), 14), false),
            c("ipv4, ports cut off", cut(FrameBuilder.tcp4("10.0.0.1", 40000, "10.0.0.2", 3306).ethernet(), 36), false),
            c("arp", arp(), false));
        for (final Object[] testCase : cases) {
            final byte[] frame = (byte[]) testCase[1];
            final boolean expected = (Boolean) testCase[2];
            assertEquals(expected, tcpdump.run(frame) != 0, "tcpdump on " + testCase[0]);
            assertEquals(expected, mine.run(frame) != 0, "spyglass on " + testCase[0]);
            if (expected) {
                assertEquals(BpfProgram.SNAP_LENGTH, mine.run(frame), testCase[0].toString());
            }
        }
    }

    @Test
    void randomFramesGetTheSameVerdict() throws Exception {
        final ClassicBpf mine = ClassicBpf.of(BpfProgram.tcpPorts(3306, 3307));
        final ClassicBpf tcpdump = tcpdump(EXPRESSION);
        final SplittableRandom random = new SplittableRandom(42);
        final int[] ports = {3306, 3307, 3308, 80, 0x0CEB};
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            final boolean v6 = random.nextBoolean();
            final int src = random.nextInt(4) == 0 ? ports[random.nextInt(ports.length)] : 1024 + random.nextInt(60000);
            final int dst = ports[random.nextInt(ports.length)];
            FrameBuilder builder = v6 ? FrameBuilder.tcp6("fd00::1", src, "fd00::2", dst)
                : FrameBuilder.tcp4("10.0.0.1", src, "10.0.0.2", dst);
            if (random.nextInt(8) == 0) {
                builder = builder.ipProtocol(random.nextBoolean() ? 17 : 6);
            }
            if (!v6 && random.nextInt(8) == 0) {
                builder = builder.ipv4Options(4 * random.nextInt(11));
            }
            if (!v6 && random.nextInt(8) == 0) {
                builder = builder.ipv4Fragment(random.nextInt(3), random.nextBoolean());
            }
            byte[] frame = builder.payload(new byte[random.nextInt(4)]).ethernet();
            if (random.nextInt(6) == 0) {
                frame = cut(frame, 1 + random.nextInt(frame.length - 1));
            }
            if (random.nextInt(10) == 0) {
                frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
            }
            final int theirs = tcpdump.run(frame);
            assertEquals(theirs != 0, mine.run(frame) != 0, "frame " + i + " " + java.util.HexFormat.of().formatHex(frame));
            accepted += theirs != 0 ? 1 : 0;
        }
        assertTrue(accepted > 3000 && accepted < 17000, "a useful mix: " + accepted + " accepted");
    }

    @Test
    void instructionsForOnePort() {
        final BpfProgram program = BpfProgram.tcpPorts(3306);
        assertEquals(20, program.length());
        assertEquals("{ 0x28, 0, 0, 0x0000000c },", program.toString().lines().findFirst().orElseThrow());
        assertEquals(0x6, program.code(19));
        assertEquals(0, program.constant(19));
        assertEquals(BpfProgram.SNAP_LENGTH, program.constant(18));
        assertEquals(16 + 4 * BpfProgram.MAX_PORTS, BpfProgram.tcpPorts(ports(BpfProgram.MAX_PORTS)).length());
    }

    @Test
    void badPortListsAreRefusedWithClearMessages() {
        assertEquals("the capture filter needs at least one server port",
            assertThrows(IllegalArgumentException.class, BpfProgram::tcpPorts).getMessage());
        assertEquals("port 0 is not a TCP port (1..65535)",
            assertThrows(IllegalArgumentException.class, () -> BpfProgram.tcpPorts(3306, 0)).getMessage());
        assertEquals("port 65536 is not a TCP port (1..65535)",
            assertThrows(IllegalArgumentException.class, () -> BpfProgram.tcpPorts(65536)).getMessage());
        assertEquals("the capture filter takes at most 48 ports, not 49",
            assertThrows(IllegalArgumentException.class, () -> BpfProgram.tcpPorts(ports(49))).getMessage());
    }

    private static int[] ports(final int count) {
        final int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = 3306 + i;
        }
        return ports;
    }

    private static Object[] c(final String name, final byte[] frame, final boolean accepted) {
        return new Object[] {name, frame, accepted};
    }

    private static byte[] cut(final byte[] frame, final int length) {
        return java.util.Arrays.copyOf(frame, length);
    }

    private static byte[] arp() {
        final byte[] frame = new byte[42];
        frame[12] = 0x08;
        frame[13] = 0x06;
        return frame;
    }

    /** tcpdump's compilation of the expression for an Ethernet link (lo is one on Linux). */
    static ClassicBpf tcpdump(final String expression) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(new ArrayList<>(List.of("tcpdump", "-i", "lo", "-dd", expression)))
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "tcpdump -dd failed: " + output);
        final Matcher m = Pattern.compile("\\{ 0x([0-9a-f]+), (\\d+), (\\d+), 0x([0-9a-f]+) \\}").matcher(output);
        final List<int[]> instructions = new ArrayList<>();
        while (m.find()) {
            instructions.add(new int[] {Integer.parseInt(m.group(1), 16), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), (int) Long.parseLong(m.group(4), 16)});
        }
        assertTrue(instructions.size() > 10, output);
        return new ClassicBpf(instructions.toArray(int[][]::new));
    }
}
