package spyglass.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static spyglass.linux.LinuxConstants.BPF_ABS;
import static spyglass.linux.LinuxConstants.BPF_B;
import static spyglass.linux.LinuxConstants.BPF_H;
import static spyglass.linux.LinuxConstants.BPF_IND;
import static spyglass.linux.LinuxConstants.BPF_JEQ;
import static spyglass.linux.LinuxConstants.BPF_JMP;
import static spyglass.linux.LinuxConstants.BPF_JSET;
import static spyglass.linux.LinuxConstants.BPF_K;
import static spyglass.linux.LinuxConstants.BPF_LD;
import static spyglass.linux.LinuxConstants.BPF_LDX;
import static spyglass.linux.LinuxConstants.BPF_MSH;
import static spyglass.linux.LinuxConstants.BPF_RET;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A classic BPF program, built by spyglass itself (no libpcap), that accepts exactly the frames
 * {@code tcpdump 'tcp and (port P1 or port P2 ...)'} accepts on an Ethernet link:
 * <ul>
 *   <li>IPv4 TCP with either port in the list; IPv4 options are honoured (the header length is
 *       read). Non-first fragments are rejected, as tcpdump does: they carry no TCP header.</li>
 *   <li>IPv6 TCP with either port in the list, when TCP is the fixed header's next header. Frames
 *       with extension headers (fragment, hop-by-hop, routing...) are rejected; such TCP is rare and
 *       tcpdump's own {@code port} test does not follow extension headers either.</li>
 * </ul>
 * Frames are read from the Ethernet header: the socket is SOCK_RAW, where loopback frames carry a
 * (zero-address) Ethernet header too. No 802.1Q tag is looked for, because on AF_PACKET the kernel
 * takes the outer tag out of the frame (into the ring's {@code tp_vlan_tci}) before the filter runs.
 * An accepted frame is kept up to {@link #SNAP_LENGTH} bytes.
 */
public final class BpfProgram {
    /** Bytes of an accepted frame the kernel copies, as tcpdump's default snap length. */
    public static final int SNAP_LENGTH = 262_144;
    /** The most ports one program tests: more would overflow classic BPF's 8-bit jump offsets. */
    public static final int MAX_PORTS = 48;

    private static final int ETHERTYPE = 12;
    private static final int IPV4_PROTOCOL = 14 + 9;
    private static final int IPV4_FRAGMENT = 14 + 6;
    private static final int IPV4_START = 14;
    private static final int IPV6_NEXT_HEADER = 14 + 6;
    private static final int IPV6_TCP = 14 + 40;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private final short[] codes;
    private final byte[] trueJumps;
    private final byte[] falseJumps;
    private final int[] constants;
    private final String expression;

    private BpfProgram(final Assembler assembler, final String expression) {
        final int length = assembler.length;
        codes = Arrays.copyOf(assembler.codes, length);
        trueJumps = new byte[length];
        falseJumps = new byte[length];
        constants = Arrays.copyOf(assembler.constants, length);
        for (int i = 0; i < length; i++) {
            trueJumps[i] = assembler.resolve(i, assembler.trueLabels[i]);
            falseJumps[i] = assembler.resolve(i, assembler.falseLabels[i]);
        }
        this.expression = expression;
    }

    /**
     * The program for {@code tcp and (port P1 or ...)}.
     *
     * @throws IllegalArgumentException when no port, more than {@link #MAX_PORTS}, or a port outside 1..65535 is given
     */
    public static BpfProgram tcpPorts(final int... ports) {
        if (ports.length == 0) {
            throw new IllegalArgumentException("the capture filter needs at least one server port");
        }
        if (ports.length > MAX_PORTS) {
            throw new IllegalArgumentException("the capture filter takes at most " + MAX_PORTS + " ports, not " + ports.length);
        }
        final StringBuilder expression = new StringBuilder("tcp and (");
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] < 1 || ports[i] > 65_535) {
                throw new IllegalArgumentException("port " + ports[i] + " is not a TCP port (1..65535)");
            }
            expression.append(i == 0 ? "" : " or ").append("port ").append(ports[i]);
        }
        expression.append(')');

        final Assembler a = new Assembler();
        final int ipv6 = a.label();
        final int accept = a.label();
        final int reject = a.label();

        a.load(BPF_H | BPF_ABS, ETHERTYPE);
        a.jump(BPF_JEQ, LinuxConstants.ETH_P_IP, Assembler.NEXT, ipv6);
        a.load(BPF_B | BPF_ABS, IPV4_PROTOCOL);
        a.jump(BPF_JEQ, LinuxConstants.IPPROTO_TCP, Assembler.NEXT, reject);
        a.load(BPF_H | BPF_ABS, IPV4_FRAGMENT);
        a.jump(BPF_JSET, FRAGMENT_OFFSET_MASK, reject, Assembler.NEXT);
        a.emit(BPF_LDX | BPF_B | BPF_MSH, IPV4_START);              // X = IPv4 header length
        a.load(BPF_H | BPF_IND, IPV4_START);                        // source port
        a.portChain(ports, accept, Assembler.NEXT);
        a.load(BPF_H | BPF_IND, IPV4_START + 2);                    // destination port
        a.portChain(ports, accept, reject);

        a.bind(ipv6);
        a.jump(BPF_JEQ, LinuxConstants.ETH_P_IPV6, Assembler.NEXT, reject);
        a.load(BPF_B | BPF_ABS, IPV6_NEXT_HEADER);
        a.jump(BPF_JEQ, LinuxConstants.IPPROTO_TCP, Assembler.NEXT, reject);
        a.load(BPF_H | BPF_ABS, IPV6_TCP);
        a.portChain(ports, accept, Assembler.NEXT);
        a.load(BPF_H | BPF_ABS, IPV6_TCP + 2);
        a.portChain(ports, accept, reject);

        a.bind(accept);
        a.emit(BPF_RET | BPF_K, SNAP_LENGTH);
        a.bind(reject);
        a.emit(BPF_RET | BPF_K, 0);
        return new BpfProgram(a, expression.toString());
    }

    /** The tcpdump expression this program is equivalent to, e.g. {@code tcp and (port 3306)}. */
    public String expression() {
        return expression;
    }

    public int length() {
        return codes.length;
    }

    public int code(final int index) {
        return codes[index] & 0xFFFF;
    }

    public int trueJump(final int index) {
        return trueJumps[index] & 0xFF;
    }

    public int falseJump(final int index) {
        return falseJumps[index] & 0xFF;
    }

    public int constant(final int index) {
        return constants[index];
    }

    /** Writes the program as an array of {@code struct sock_filter}. */
    public void writeTo(final MemorySegment instructions) {
        final long size = Structs.SOCK_FILTER.byteSize();
        for (int i = 0; i < codes.length; i++) {
            final long base = i * size;
            instructions.set(JAVA_SHORT, base, codes[i]);
            instructions.set(JAVA_BYTE, base + 2, trueJumps[i]);
            instructions.set(JAVA_BYTE, base + 3, falseJumps[i]);
            instructions.set(JAVA_INT, base + 4, constants[i]);
        }
    }

    /** The program in {@code tcpdump -dd} form, one instruction a line. */
    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < codes.length; i++) {
            out.append(String.format("{ 0x%x, %d, %d, 0x%08x },%n", code(i), trueJump(i), falseJump(i), constants[i]));
        }
        return out.toString();
    }

    /** Emits instructions with symbolic jump targets, resolved to 8-bit relative offsets at the end. */
    private static final class Assembler {
        static final int NEXT = -1;

        short[] codes = new short[64];
        int[] constants = new int[64];
        int[] trueLabels = new int[64];
        int[] falseLabels = new int[64];
        int length;
        private int[] labelPositions = new int[0];

        int label() {
            labelPositions = Arrays.copyOf(labelPositions, labelPositions.length + 1);
            labelPositions[labelPositions.length - 1] = -1;
            return labelPositions.length - 1;
        }

        void bind(final int label) {
            labelPositions[label] = length;
        }

        void load(final int code, final int offset) {
            emit(BPF_LD | code, offset);
        }

        void emit(final int code, final int constant) {
            add(code, constant, NEXT, NEXT);
        }

        void jump(final int test, final int constant, final int ifTrue, final int ifFalse) {
            add(BPF_JMP | test | BPF_K, constant, ifTrue, ifFalse);
        }

        /** Compares A with each port: a match goes to {@code match}, no match at all to {@code none}. */
        void portChain(final int[] ports, final int match, final int none) {
            for (int i = 0; i < ports.length; i++) {
                jump(BPF_JEQ, ports[i], match, i == ports.length - 1 ? none : NEXT);
            }
        }

        private void add(final int code, final int constant, final int ifTrue, final int ifFalse) {
            if (length == codes.length) {
                codes = Arrays.copyOf(codes, length * 2);
                constants = Arrays.copyOf(constants, length * 2);
                trueLabels = Arrays.copyOf(trueLabels, length * 2);
                falseLabels = Arrays.copyOf(falseLabels, length * 2);
            }
            codes[length] = (short) code;
            constants[length] = constant;
            trueLabels[length] = ifTrue;
            falseLabels[length] = ifFalse;
            length++;
        }

        byte resolve(final int index, final int label) {
            if (label == NEXT) {
                return 0;
            }
            final int jump = labelPositions[label] - index - 1;
            if (jump < 0 || jump > 255) {
                throw new IllegalStateException("BPF jump of " + jump + " from instruction " + index + " does not fit 8 bits");
            }
            return (byte) jump;
        }
    }
}
