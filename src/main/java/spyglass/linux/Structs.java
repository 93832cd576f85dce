package spyglass.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;

/**
 * The kernel structs spyglass reads and writes, as {@link MemoryLayout}s named exactly like their C
 * declarations (struct and field names), so that {@code LayoutsTest} can check every one of them
 * against the offsets gcc prints from the real headers ({@code native-headers/layouts.c}).
 *
 * <p>The ring is read through plain offsets (the {@code *_OFFSET} constants, derived from the
 * layouts, never typed by hand): the hot path reads with Agrona's buffers at these offsets, which
 * costs nothing per frame, while cold paths may use the layouts' VarHandles.
 */
public final class Structs {
    /** {@code struct tpacket_req3}: the PACKET_RX_RING request for TPACKET_V3 (linux/if_packet.h). */
    public static final StructLayout TPACKET_REQ3 = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_block_size"),
        JAVA_INT.withName("tp_block_nr"),
        JAVA_INT.withName("tp_frame_size"),
        JAVA_INT.withName("tp_frame_nr"),
        JAVA_INT.withName("tp_retire_blk_tov"),
        JAVA_INT.withName("tp_sizeof_priv"),
        JAVA_INT.withName("tp_feature_req_word")).withName("tpacket_req3");

    /** {@code struct tpacket_bd_ts}; its {@code ts_usec}/{@code ts_nsec} union is modelled as ts_nsec (V3 fills nanoseconds). */
    public static final StructLayout TPACKET_BD_TS = MemoryLayout.structLayout(
        JAVA_INT.withName("ts_sec"),
        JAVA_INT.withName("ts_nsec")).withName("tpacket_bd_ts");

    /** {@code struct tpacket_hdr_v1}: a V3 block's header. */
    public static final StructLayout TPACKET_HDR_V1 = MemoryLayout.structLayout(
        JAVA_INT.withName("block_status"),
        JAVA_INT.withName("num_pkts"),
        JAVA_INT.withName("offset_to_first_pkt"),
        JAVA_INT.withName("blk_len"),
        JAVA_LONG.withName("seq_num"),
        TPACKET_BD_TS.withName("ts_first_pkt"),
        TPACKET_BD_TS.withName("ts_last_pkt")).withName("tpacket_hdr_v1");

    /** {@code union tpacket_bd_header_u}: only {@code bh1} exists. */
    public static final UnionLayout TPACKET_BD_HEADER_U = MemoryLayout.unionLayout(
        TPACKET_HDR_V1.withName("bh1")).withName("tpacket_bd_header_u");

    /** {@code struct tpacket_block_desc}: what every block of a V3 ring starts with. */
    public static final StructLayout TPACKET_BLOCK_DESC = MemoryLayout.structLayout(
        JAVA_INT.withName("version"),
        JAVA_INT.withName("offset_to_priv"),
        TPACKET_BD_HEADER_U.withName("hdr")).withName("tpacket_block_desc");

    /** {@code struct tpacket_hdr_variant1}: the V3 frame header's VLAN and hash part. */
    public static final StructLayout TPACKET_HDR_VARIANT1 = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_rxhash"),
        JAVA_INT.withName("tp_vlan_tci"),
        JAVA_SHORT.withName("tp_vlan_tpid"),
        JAVA_SHORT.withName("tp_padding")).withName("tpacket_hdr_variant1");

    /** {@code struct tpacket3_hdr}: the header in front of every frame in a V3 block (its anonymous union holds only hv1). */
    public static final StructLayout TPACKET3_HDR = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_next_offset"),
        JAVA_INT.withName("tp_sec"),
        JAVA_INT.withName("tp_nsec"),
        JAVA_INT.withName("tp_snaplen"),
        JAVA_INT.withName("tp_len"),
        JAVA_INT.withName("tp_status"),
        JAVA_SHORT.withName("tp_mac"),
        JAVA_SHORT.withName("tp_net"),
        TPACKET_HDR_VARIANT1.withName("hv1"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding")).withName("tpacket3_hdr");

    /** {@code struct sockaddr_ll} (linux/if_packet.h); the kernel puts one after each frame header. */
    public static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
        JAVA_SHORT.withName("sll_family"),
        JAVA_SHORT.withName("sll_protocol"),
        JAVA_INT.withName("sll_ifindex"),
        JAVA_SHORT.withName("sll_hatype"),
        JAVA_BYTE.withName("sll_pkttype"),
        JAVA_BYTE.withName("sll_halen"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr")).withName("sockaddr_ll");

    /** {@code struct tpacket_stats_v3}: PACKET_STATISTICS for a V3 socket (the kernel resets it on each read). */
    public static final StructLayout TPACKET_STATS_V3 = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_packets"),
        JAVA_INT.withName("tp_drops"),
        JAVA_INT.withName("tp_freeze_q_cnt")).withName("tpacket_stats_v3");

    /** {@code struct sock_filter}: one classic BPF instruction (linux/filter.h). */
    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
        JAVA_SHORT.withName("code"),
        JAVA_BYTE.withName("jt"),
        JAVA_BYTE.withName("jf"),
        JAVA_INT.withName("k")).withName("sock_filter");

    /** {@code struct sock_fprog}: SO_ATTACH_FILTER's argument. */
    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
        JAVA_SHORT.withName("len"),
        MemoryLayout.paddingLayout(6),
        ADDRESS.withName("filter")).withName("sock_fprog");

    /** {@code struct packet_mreq}: PACKET_ADD_MEMBERSHIP's argument. */
    public static final StructLayout PACKET_MREQ = MemoryLayout.structLayout(
        JAVA_INT.withName("mr_ifindex"),
        JAVA_SHORT.withName("mr_type"),
        JAVA_SHORT.withName("mr_alen"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address")).withName("packet_mreq");

    /** {@code struct pollfd} (poll.h). */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
        JAVA_INT.withName("fd"),
        JAVA_SHORT.withName("events"),
        JAVA_SHORT.withName("revents")).withName("pollfd");

    // Offsets the ring walk reads at (block descriptor, frame header, the sockaddr_ll after it).
    public static final int BLOCK_STATUS_OFFSET = offset(TPACKET_BLOCK_DESC, "hdr", "bh1", "block_status");
    public static final int BLOCK_NUM_PKTS_OFFSET = offset(TPACKET_BLOCK_DESC, "hdr", "bh1", "num_pkts");
    public static final int BLOCK_FIRST_PKT_OFFSET = offset(TPACKET_BLOCK_DESC, "hdr", "bh1", "offset_to_first_pkt");
    public static final int FRAME_NEXT_OFFSET = offset(TPACKET3_HDR, "tp_next_offset");
    public static final int FRAME_SEC_OFFSET = offset(TPACKET3_HDR, "tp_sec");
    public static final int FRAME_NSEC_OFFSET = offset(TPACKET3_HDR, "tp_nsec");
    public static final int FRAME_SNAPLEN_OFFSET = offset(TPACKET3_HDR, "tp_snaplen");
    public static final int FRAME_LEN_OFFSET = offset(TPACKET3_HDR, "tp_len");
    public static final int FRAME_STATUS_OFFSET = offset(TPACKET3_HDR, "tp_status");
    public static final int FRAME_MAC_OFFSET = offset(TPACKET3_HDR, "tp_mac");
    public static final int FRAME_VLAN_TCI_OFFSET = offset(TPACKET3_HDR, "hv1", "tp_vlan_tci");
    public static final int FRAME_VLAN_TPID_OFFSET = offset(TPACKET3_HDR, "hv1", "tp_vlan_tpid");
    /** Where the kernel writes the frame's sockaddr_ll: right after the aligned tpacket3_hdr. */
    public static final int FRAME_SOCKADDR_OFFSET = (int) align(TPACKET3_HDR.byteSize(), LinuxConstants.TPACKET_ALIGNMENT);
    public static final int SLL_IFINDEX_OFFSET = offset(SOCKADDR_LL, "sll_ifindex");
    public static final int SLL_HATYPE_OFFSET = offset(SOCKADDR_LL, "sll_hatype");
    public static final int SLL_PKTTYPE_OFFSET = offset(SOCKADDR_LL, "sll_pkttype");

    private Structs() {
    }

    /** Every layout above, for the layout test and for anyone who wants to print them. */
    public static MemoryLayout[] all() {
        return new MemoryLayout[] {
            TPACKET_REQ3, TPACKET_BD_TS, TPACKET_HDR_V1, TPACKET_BLOCK_DESC, TPACKET_HDR_VARIANT1, TPACKET3_HDR,
            SOCKADDR_LL, TPACKET_STATS_V3, SOCK_FILTER, SOCK_FPROG, PACKET_MREQ, POLLFD,
        };
    }

    static long align(final long value, final long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static int offset(final MemoryLayout layout, final String... path) {
        final MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return Math.toIntExact(layout.byteOffset(elements));
    }
}
