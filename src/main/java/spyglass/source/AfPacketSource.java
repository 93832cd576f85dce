package spyglass.source;

import static spyglass.linux.Structs.BLOCK_FIRST_PKT_OFFSET;
import static spyglass.linux.Structs.BLOCK_NUM_PKTS_OFFSET;
import static spyglass.linux.Structs.BLOCK_STATUS_OFFSET;
import static spyglass.linux.Structs.FRAME_LEN_OFFSET;
import static spyglass.linux.Structs.FRAME_MAC_OFFSET;
import static spyglass.linux.Structs.FRAME_NEXT_OFFSET;
import static spyglass.linux.Structs.FRAME_NSEC_OFFSET;
import static spyglass.linux.Structs.FRAME_SEC_OFFSET;
import static spyglass.linux.Structs.FRAME_SNAPLEN_OFFSET;
import static spyglass.linux.Structs.FRAME_SOCKADDR_OFFSET;
import static spyglass.linux.Structs.FRAME_STATUS_OFFSET;
import static spyglass.linux.Structs.FRAME_VLAN_TCI_OFFSET;
import static spyglass.linux.Structs.FRAME_VLAN_TPID_OFFSET;
import static spyglass.linux.Structs.SLL_HATYPE_OFFSET;
import static spyglass.linux.Structs.SLL_PKTTYPE_OFFSET;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.linux.BpfProgram;
import spyglass.linux.Errno;
import spyglass.linux.Libc;
import spyglass.linux.LinuxConstants;
import spyglass.linux.LinuxException;
import spyglass.linux.PacketSocket;
import spyglass.linux.Structs;
import spyglass.packet.LinkType;

/**
 * Live capture from an AF_PACKET socket through a TPACKET_V3 ring, read in place.
 *
 * <p>The kernel runs spyglass's BPF filter ({@link BpfProgram#tcpPorts}) and copies only the
 * MySQL ports' TCP frames into the ring. {@link #poll} walks the blocks the kernel has handed over,
 * shows each frame to the handler through one reused view of the mapped ring (no copy), and gives
 * each block back to the kernel as soon as its last frame has been shown.
 *
 * <p>What the ring holds that a pcap of the wire would not:
 * <ul>
 *   <li>on loopback each packet is seen twice, going out and coming in: the outgoing copy is
 *       skipped, so each packet counts once ({@link #loopbackCopiesSkipped()});</li>
 *   <li>the kernel takes the outer 802.1Q/802.1ad tag out of the frame: it is put back in place
 *       (the two MAC addresses move 4 bytes into room the kernel leaves in front of the frame, as
 *       libpcap does), so the decoder sees the frame as it was on the wire ({@link #vlanTagsRestored()});</li>
 *   <li>on all interfaces, frames of interfaces without an Ethernet header (tun, wireguard, ...)
 *       are skipped and counted ({@link #nonEthernetFrames()}): the filter reads Ethernet offsets.</li>
 * </ul>
 *
 * <p>States: OPEN (polling) → CLOSED ({@link #poll} returns -1). One thread polls and closes. The
 * frame counters are plain fields written by the polling thread (no fence per frame): another
 * thread reading them may see a slightly old value. The kernel counters are safe from any thread.
 */
public final class AfPacketSource implements PacketSource {
    /** Room asked in front of each frame: a VLAN tag's worth. */
    private static final int VLAN_TAG = 4;
    private static final int MAC_ADDRESSES = 12;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final AfPacketOptions options;
    private final PacketSocket socket;
    private final int ifindex;
    private final String description;
    private final UnsafeBuffer ring;
    private final int blockSize;
    private final int blockCount;
    private final int pollTimeoutMillis;

    // Ring walk: the block being walked and where in it.
    private int block;
    private boolean inBlock;
    private int framesLeft;
    private int frameOffset;
    private int blockEnd;
    private boolean closed;

    private long framesDelivered;
    private long loopbackCopiesSkipped;
    private long vlanTagsRestored;
    private long nonEthernetFrames;
    private long malformedFrames;
    private long socketErrors;
    private volatile long kernelPackets;
    private volatile long kernelDrops;
    private volatile long kernelFreezes;

    private AfPacketSource(final AfPacketOptions options, final PacketSocket socket, final int ifindex,
                           final MemorySegment mapping) {
        this.options = options;
        this.socket = socket;
        this.ifindex = ifindex;
        this.description = "afpacket:" + (options.interfaceName() == null ? "any" : options.interfaceName());
        this.ring = new UnsafeBuffer(mapping.address(), Math.toIntExact(mapping.byteSize()));
        this.blockSize = options.blockSize();
        this.blockCount = options.blockCount();
        this.pollTimeoutMillis = options.blockTimeoutMillis();
    }

    /**
     * Opens the socket, attaches the filter, maps the ring and binds to the interface.
     *
     * @throws CapturePermissionException when the process may not capture (no CAP_NET_RAW)
     * @throws CaptureException when the interface does not exist or the ring cannot be set up
     */
    public static AfPacketSource open(final AfPacketOptions options) {
        final int ifindex = resolve(options.interfaceName());
        final PacketSocket socket;
        try {
            socket = PacketSocket.open();
        } catch (final LinuxException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new CapturePermissionException(permissionMessage(), e);
            }
            throw new CaptureException("cannot open a packet socket: " + e.getMessage(), e);
        }
        try {
            socket.useTpacketV3();
            socket.reserve(VLAN_TAG);
            socket.attachFilter(BpfProgram.tcpPorts(options.ports()));
            final MemorySegment mapping = ringOf(socket, options);
            socket.bind(ifindex);
            if (options.promiscuous()) {
                socket.promiscuous(ifindex);
            }
            return new AfPacketSource(options, socket, ifindex, mapping);
        } catch (final LinuxException e) {
            socket.close();
            throw new CaptureException("cannot start capturing on " + nameOf(options.interfaceName()) + ": "
                + e.getMessage(), e);
        } catch (final RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The one sentence a user without the privilege sees. Not setcap on the java binary: file
     * capabilities make the loader ignore the JDK's $ORIGIN library path, and java then cannot start.
     */
    static String permissionMessage() {
        return "capturing needs root or CAP_NET_RAW: run `sudo scripts/spyglass capture ...`, or run it as a "
            + "service that has only that capability (systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN)";
    }

    private static int resolve(final String interfaceName) {
        if (interfaceName == null) {
            return 0;
        }
        final int index = Libc.ifNameToIndex(interfaceName);
        if (index == 0) {
            throw new CaptureException("there is no network interface named '" + interfaceName
                + "' on this host (see `ip link` for the names)");
        }
        return index;
    }

    private static MemorySegment ringOf(final PacketSocket socket, final AfPacketOptions options) {
        try {
            return socket.mapRxRing(options.blockSize(), options.blockCount(), options.frameSize(), options.blockTimeoutMillis());
        } catch (final LinuxException e) {
            throw new CaptureException("cannot set up a capture ring of " + options.blockCount() + " blocks of "
                + options.blockSize() + " bytes on " + nameOf(options.interfaceName()) + ": " + e.getMessage()
                + (e.errno() == Errno.ENOMEM ? "; try fewer or smaller blocks" : ""), e);
        }
    }

    private static String nameOf(final String interfaceName) {
        return interfaceName == null ? "all interfaces" : "interface " + interfaceName;
    }

    @Override
    public int poll(final FrameHandler handler, final int limit) {
        return poll(handler, limit, true);
    }

    /**
     * As {@link #poll}, but never waits: the frames of blocks the kernel has already handed over,
     * or 0. For draining the ring after a stop.
     */
    public int pollNow(final FrameHandler handler, final int limit) {
        return poll(handler, limit, false);
    }

    private int poll(final FrameHandler handler, final int limit, final boolean mayWait) {
        if (closed) {
            return -1;
        }
        int delivered = 0;
        boolean waited = !mayWait;
        while (delivered < limit) {
            if (!inBlock && !enterBlock()) {
                if (delivered > 0 || waited) {
                    break;
                }
                waitForBlock();
                waited = true;
                continue;
            }
            while (framesLeft > 0 && delivered < limit) {
                final int frame = frameOffset;
                framesLeft--;
                frameOffset = frame + ring.getInt(frame + FRAME_NEXT_OFFSET);
                if (deliver(frame, handler)) {
                    delivered++;
                }
            }
            if (framesLeft == 0) {
                releaseBlock();
            }
        }
        framesDelivered += delivered;
        return delivered;
    }

    /** True when the current block is the user's; then the walk is set to its first frame. */
    private boolean enterBlock() {
        final int base = block * blockSize;
        if ((ring.getIntVolatile(base + BLOCK_STATUS_OFFSET) & LinuxConstants.TP_STATUS_USER) == 0) {
            return false;
        }
        framesLeft = ring.getInt(base + BLOCK_NUM_PKTS_OFFSET);
        frameOffset = base + ring.getInt(base + BLOCK_FIRST_PKT_OFFSET);
        blockEnd = base + blockSize;
        inBlock = true;
        return true;
    }

    private void releaseBlock() {
        ring.putIntOrdered(block * blockSize + BLOCK_STATUS_OFFSET, LinuxConstants.TP_STATUS_KERNEL);
        block = block + 1 == blockCount ? 0 : block + 1;
        inBlock = false;
    }

    private void waitForBlock() {
        final int events = socket.pollIn(pollTimeoutMillis);
        if ((events & LinuxConstants.POLLERR) != 0) {
            // e.g. ENETDOWN when the interface goes down: reading the error clears it, so poll does not spin.
            socket.takeError();
            socketErrors++;
        }
    }

    private boolean deliver(final int frame, final FrameHandler handler) {
        final int address = frame + FRAME_SOCKADDR_OFFSET;
        final int hatype = ring.getShort(address + SLL_HATYPE_OFFSET) & 0xFFFF;
        if (hatype == LinuxConstants.ARPHRD_LOOPBACK) {
            if ((ring.getByte(address + SLL_PKTTYPE_OFFSET) & 0xFF) == LinuxConstants.PACKET_OUTGOING) {
                loopbackCopiesSkipped++;
                return false;
            }
        } else if (hatype != LinuxConstants.ARPHRD_ETHER) {
            nonEthernetFrames++;
            return false;
        }
        int mac = frame + (ring.getShort(frame + FRAME_MAC_OFFSET) & 0xFFFF);
        int captured = ring.getInt(frame + FRAME_SNAPLEN_OFFSET);
        int original = ring.getInt(frame + FRAME_LEN_OFFSET);
        if (captured < 0 || mac + captured > blockEnd || mac < address) {
            malformedFrames++;
            return false;
        }
        final int status = ring.getInt(frame + FRAME_STATUS_OFFSET);
        if ((status & LinuxConstants.TP_STATUS_VLAN_VALID) != 0 && captured >= MAC_ADDRESSES
            && mac - VLAN_TAG >= address + (int) Structs.SOCKADDR_LL.byteSize()) {
            final int tpid = (status & LinuxConstants.TP_STATUS_VLAN_TPID_VALID) != 0
                ? ring.getShort(frame + FRAME_VLAN_TPID_OFFSET) & 0xFFFF
                : LinuxConstants.ETH_P_8021Q;
            final int tci = ring.getInt(frame + FRAME_VLAN_TCI_OFFSET) & 0xFFFF;
            // Ascending copy of the 12 address bytes 4 bytes down: each source byte is read before it is overwritten.
            ring.putLong(mac - VLAN_TAG, ring.getLong(mac));
            ring.putInt(mac + 4, ring.getInt(mac + 8));
            ring.putShort(mac + 8, (short) tpid, ByteOrder.BIG_ENDIAN);
            ring.putShort(mac + 10, (short) tci, ByteOrder.BIG_ENDIAN);
            mac -= VLAN_TAG;
            captured += VLAN_TAG;
            original += VLAN_TAG;
            vlanTagsRestored++;
        }
        final long timestamp = (ring.getInt(frame + FRAME_SEC_OFFSET) & 0xFFFF_FFFFL) * NANOS_PER_SECOND
            + (ring.getInt(frame + FRAME_NSEC_OFFSET) & 0xFFFF_FFFFL);
        handler.onFrame(ring, mac, captured, Math.max(original, captured), timestamp, LinkType.ETHERNET);
        return true;
    }

    /**
     * Reads the kernel's PACKET_STATISTICS (which it resets on each read) and adds them to the
     * totals {@link #kernelPackets()}, {@link #kernelDrops()} and {@link #kernelFreezes()}.
     */
    public synchronized void refreshKernelStatistics() {
        if (closed) {
            return;
        }
        socket.readStatistics();
        kernelPackets += socket.lastPackets();
        kernelDrops += socket.lastDrops();
        kernelFreezes += socket.lastFreezes();
    }

    /** Frames the filter accepted since the socket opened, those dropped included (as of the last refresh). */
    public long kernelPackets() {
        return kernelPackets;
    }

    /** Frames the kernel dropped because the ring was full (as of the last refresh). */
    public long kernelDrops() {
        return kernelDrops;
    }

    /** Times the ring was found full and frozen (as of the last refresh). */
    public long kernelFreezes() {
        return kernelFreezes;
    }

    public long framesDelivered() {
        return framesDelivered;
    }

    /** Loopback frames skipped because they were the outgoing copy of a packet also seen incoming. */
    public long loopbackCopiesSkipped() {
        return loopbackCopiesSkipped;
    }

    /** Frames whose 802.1Q/802.1ad tag, taken out by the kernel, was put back. */
    public long vlanTagsRestored() {
        return vlanTagsRestored;
    }

    /** Frames of interfaces without an Ethernet header, skipped (only when capturing on all interfaces). */
    public long nonEthernetFrames() {
        return nonEthernetFrames;
    }

    /** Times poll(2) reported a socket error (such as the interface going down). */
    public long socketErrors() {
        return socketErrors;
    }

    /** The interface index captured on, 0 for all interfaces. */
    public int ifindex() {
        return ifindex;
    }

    public AfPacketOptions options() {
        return options;
    }

    /** The filter in tcpdump syntax, for {@code capture_start.filter}. */
    public String filterExpression() {
        return BpfProgram.tcpPorts(options.ports()).expression();
    }

    /** {@code afpacket:eth0}, or {@code afpacket:any} on all interfaces. */
    @Override
    public String description() {
        return description;
    }

    @Override
    public long malformedFrames() {
        return malformedFrames;
    }

    /** Unmaps the ring and closes the socket; idempotent. Call it on the polling thread, or once polling has stopped. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        socket.close();
    }
}
