package spyglass.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * An AF_PACKET SOCK_RAW socket and what is set on it: TPACKET_V3, the RX ring, the filter, the
 * binding, promiscuous membership, the kernel's statistics. Opened with protocol 0, so it sees
 * nothing until {@link #bind} names ETH_P_ALL: the filter is attached before any frame can arrive,
 * and nothing unfiltered reaches the ring.
 *
 * <p>{@link #pollIn} and {@link #readStatistics} allocate nothing; their structs are made once.
 */
public final class PacketSocket implements AutoCloseable {
    private static final VarHandle REQ_BLOCK_SIZE = handle(Structs.TPACKET_REQ3, "tp_block_size");
    private static final VarHandle REQ_BLOCK_NR = handle(Structs.TPACKET_REQ3, "tp_block_nr");
    private static final VarHandle REQ_FRAME_SIZE = handle(Structs.TPACKET_REQ3, "tp_frame_size");
    private static final VarHandle REQ_FRAME_NR = handle(Structs.TPACKET_REQ3, "tp_frame_nr");
    private static final VarHandle REQ_RETIRE_TOV = handle(Structs.TPACKET_REQ3, "tp_retire_blk_tov");
    private static final VarHandle SLL_FAMILY = handle(Structs.SOCKADDR_LL, "sll_family");
    private static final VarHandle SLL_PROTOCOL = handle(Structs.SOCKADDR_LL, "sll_protocol");
    private static final VarHandle SLL_IFINDEX = handle(Structs.SOCKADDR_LL, "sll_ifindex");
    private static final VarHandle MREQ_IFINDEX = handle(Structs.PACKET_MREQ, "mr_ifindex");
    private static final VarHandle MREQ_TYPE = handle(Structs.PACKET_MREQ, "mr_type");
    private static final VarHandle FPROG_LEN = handle(Structs.SOCK_FPROG, "len");
    private static final VarHandle FPROG_FILTER = handle(Structs.SOCK_FPROG, "filter");
    private static final VarHandle POLL_FD = handle(Structs.POLLFD, "fd");
    private static final VarHandle POLL_EVENTS = handle(Structs.POLLFD, "events");
    private static final VarHandle POLL_REVENTS = handle(Structs.POLLFD, "revents");
    private static final VarHandle STATS_PACKETS = handle(Structs.TPACKET_STATS_V3, "tp_packets");
    private static final VarHandle STATS_DROPS = handle(Structs.TPACKET_STATS_V3, "tp_drops");
    private static final VarHandle STATS_FREEZES = handle(Structs.TPACKET_STATS_V3, "tp_freeze_q_cnt");

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final MemorySegment pollFd;
    private final MemorySegment stats;
    private final MemorySegment errorValue;
    private MemorySegment ring;
    private boolean closed;

    private long lastPackets;
    private long lastDrops;
    private long lastFreezes;

    private PacketSocket(final int fd) {
        this.fd = fd;
        this.pollFd = arena.allocate(Structs.POLLFD);
        this.stats = arena.allocate(Structs.TPACKET_STATS_V3);
        this.errorValue = arena.allocate(JAVA_INT);
        POLL_FD.set(pollFd, 0L, fd);
        POLL_EVENTS.set(pollFd, 0L, (short) LinuxConstants.POLLIN);
    }

    /**
     * socket(AF_PACKET, SOCK_RAW, 0).
     *
     * @throws LinuxException EPERM when the process lacks CAP_NET_RAW
     */
    public static PacketSocket open() {
        return new PacketSocket(Libc.socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC, 0));
    }

    public int fd() {
        return fd;
    }

    /** PACKET_VERSION = TPACKET_V3. */
    public void useTpacketV3() {
        setInt(LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_VERSION, LinuxConstants.TPACKET_V3, "PACKET_VERSION");
    }

    /** PACKET_RESERVE: bytes the kernel leaves free in front of each frame (room to put a VLAN tag back). */
    public void reserve(final int bytes) {
        setInt(LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_RESERVE, bytes, "PACKET_RESERVE");
    }

    /** Attaches a classic BPF program (SO_ATTACH_FILTER). */
    public void attachFilter(final BpfProgram program) {
        try (Arena call = Arena.ofConfined()) {
            final MemorySegment instructions = call.allocate(Structs.SOCK_FILTER, program.length());
            program.writeTo(instructions);
            final MemorySegment fprog = call.allocate(Structs.SOCK_FPROG);
            FPROG_LEN.set(fprog, 0L, (short) program.length());
            FPROG_FILTER.set(fprog, 0L, instructions);
            Libc.setsockopt(fd, LinuxConstants.SOL_SOCKET, LinuxConstants.SO_ATTACH_FILTER, fprog, "SO_ATTACH_FILTER");
        }
    }

    /**
     * PACKET_RX_RING for TPACKET_V3, then maps it.
     *
     * @return the ring: {@code blockCount} blocks of {@code blockSize} bytes, valid until {@link #close}
     */
    public MemorySegment mapRxRing(final int blockSize, final int blockCount, final int frameSize, final int blockTimeoutMillis) {
        if (ring != null) {
            throw new IllegalStateException("the ring is already mapped");
        }
        try (Arena call = Arena.ofConfined()) {
            final MemorySegment request = call.allocate(Structs.TPACKET_REQ3);
            REQ_BLOCK_SIZE.set(request, 0L, blockSize);
            REQ_BLOCK_NR.set(request, 0L, blockCount);
            REQ_FRAME_SIZE.set(request, 0L, frameSize);
            // The kernel wants whole frames per block: (block / frame) * blocks, not (block * blocks) / frame.
            REQ_FRAME_NR.set(request, 0L, (blockSize / frameSize) * blockCount);
            REQ_RETIRE_TOV.set(request, 0L, blockTimeoutMillis);
            Libc.setsockopt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_RX_RING, request, "PACKET_RX_RING");
        }
        ring = Libc.mmap((long) blockSize * blockCount, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE,
            LinuxConstants.MAP_SHARED, fd, 0);
        return ring;
    }

    /** bind(2) to an interface (0: all of them) for every protocol (ETH_P_ALL). */
    public void bind(final int ifindex) {
        try (Arena call = Arena.ofConfined()) {
            final MemorySegment address = call.allocate(Structs.SOCKADDR_LL);
            SLL_FAMILY.set(address, 0L, (short) LinuxConstants.AF_PACKET);
            SLL_PROTOCOL.set(address, 0L, networkOrder((short) LinuxConstants.ETH_P_ALL));
            SLL_IFINDEX.set(address, 0L, ifindex);
            Libc.bind(fd, address);
        }
    }

    /** PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC: promiscuous mode, undone by the kernel when the socket closes. */
    public void promiscuous(final int ifindex) {
        try (Arena call = Arena.ofConfined()) {
            final MemorySegment request = call.allocate(Structs.PACKET_MREQ);
            MREQ_IFINDEX.set(request, 0L, ifindex);
            MREQ_TYPE.set(request, 0L, (short) LinuxConstants.PACKET_MR_PROMISC);
            Libc.setsockopt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_ADD_MEMBERSHIP, request,
                "PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC");
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the socket to be readable (a block is ready).
     *
     * @return the poll events that came (POLLIN, POLLERR...), 0 on timeout
     */
    public int pollIn(final int timeoutMillis) {
        POLL_REVENTS.set(pollFd, 0L, (short) 0);
        if (Libc.poll(pollFd, 1, timeoutMillis) <= 0) {
            return 0;
        }
        return (short) POLL_REVENTS.get(pollFd, 0L) & 0xFFFF;
    }

    /** Reads and clears the socket's pending error (SO_ERROR), e.g. ENETDOWN when the interface went down; 0 when none. */
    public int takeError() {
        Libc.getsockopt(fd, LinuxConstants.SOL_SOCKET, LinuxConstants.SO_ERROR, errorValue, "SO_ERROR");
        return errorValue.get(JAVA_INT, 0);
    }

    /**
     * Reads PACKET_STATISTICS, which the kernel resets on each read; the values read are then in
     * {@link #lastPackets()} (frames seen, drops included), {@link #lastDrops()} and {@link #lastFreezes()}.
     */
    public void readStatistics() {
        Libc.getsockopt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_STATISTICS, stats, "PACKET_STATISTICS");
        lastPackets = (int) STATS_PACKETS.get(stats, 0L) & 0xFFFF_FFFFL;
        lastDrops = (int) STATS_DROPS.get(stats, 0L) & 0xFFFF_FFFFL;
        lastFreezes = (int) STATS_FREEZES.get(stats, 0L) & 0xFFFF_FFFFL;
    }

    public long lastPackets() {
        return lastPackets;
    }

    public long lastDrops() {
        return lastDrops;
    }

    public long lastFreezes() {
        return lastFreezes;
    }

    /** Unmaps the ring and closes the socket; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (ring != null) {
                Libc.munmap(ring);
                ring = null;
            }
        } finally {
            try {
                Libc.close(fd);
            } finally {
                arena.close();
            }
        }
    }

    private void setInt(final int level, final int option, final int value, final String what) {
        try (Arena call = Arena.ofConfined()) {
            final MemorySegment segment = call.allocate(JAVA_INT);
            segment.set(JAVA_INT, 0, value);
            Libc.setsockopt(fd, level, option, segment, what);
        }
    }

    private static short networkOrder(final short value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value : Short.reverseBytes(value);
    }

    private static VarHandle handle(final MemoryLayout layout, final String name) {
        return layout.varHandle(groupElement(name));
    }
}
