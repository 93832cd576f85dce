package spyglass.linux;

/**
 * Kernel and libc constants spyglass uses, named exactly as in the C headers so that
 * {@code LayoutsTest} can check every one against {@code native-headers/layouts.c}.
 * Values are those of Linux on x86-64 and aarch64 (the generic ABI); the test proves them on the
 * machine that builds.
 */
public final class LinuxConstants {

    // Sizes and alignment.
    public static final int TPACKET_ALIGNMENT = 16;
    public static final int TPACKET3_HDRLEN = 68;
    public static final int SIZEOF_CPU_SET_T = 128;

    // Sockets (sys/socket.h, linux/if_packet.h, linux/if_arp.h).
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 524288;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_RCVBUF = 8;
    public static final int SO_ERROR = 4;
    public static final int SOL_PACKET = 263;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_MR_PROMISC = 1;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_RESERVE = 12;
    public static final int TPACKET_V3 = 2;
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;
    public static final int ARPHRD_ETHER = 1;
    public static final int ARPHRD_LOOPBACK = 772;

    // Ethernet and IP numbers (linux/if_ether.h, netinet/in.h); ETH_P_* are host order here, the wire wants them big-endian.
    public static final int ETH_P_ALL = 3;
    public static final int ETH_P_IP = 2048;
    public static final int ETH_P_IPV6 = 34525;
    public static final int ETH_P_8021Q = 33024;
    public static final int ETH_P_8021AD = 34984;
    public static final int ETH_ALEN = 6;
    public static final int ETH_HLEN = 14;
    public static final int IPPROTO_TCP = 6;

    // Ring status words (linux/if_packet.h).
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_LOSING = 4;
    public static final int TP_STATUS_CSUMNOTREADY = 8;
    public static final int TP_STATUS_VLAN_VALID = 16;
    public static final int TP_STATUS_BLK_TMO = 32;
    public static final int TP_STATUS_VLAN_TPID_VALID = 64;
    public static final int TP_STATUS_CSUM_VALID = 128;

    // poll(2) and mmap(2).
    public static final int POLLIN = 1;
    public static final int POLLERR = 8;
    public static final int POLLHUP = 16;
    public static final int POLLNVAL = 32;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_LOCKED = 8192;
    public static final int MAP_POPULATE = 32768;
    public static final int MAP_NORESERVE = 16384;

    // Classic BPF opcodes (linux/filter.h, linux/bpf_common.h).
    public static final int BPF_LD = 0;
    public static final int BPF_LDX = 1;
    public static final int BPF_ST = 2;
    public static final int BPF_STX = 3;
    public static final int BPF_ALU = 4;
    public static final int BPF_JMP = 5;
    public static final int BPF_RET = 6;
    public static final int BPF_MISC = 7;
    public static final int BPF_W = 0;
    public static final int BPF_H = 8;
    public static final int BPF_B = 16;
    public static final int BPF_IMM = 0;
    public static final int BPF_ABS = 32;
    public static final int BPF_IND = 64;
    public static final int BPF_MEM = 96;
    public static final int BPF_LEN = 128;
    public static final int BPF_MSH = 160;
    public static final int BPF_ADD = 0;
    public static final int BPF_SUB = 16;
    public static final int BPF_MUL = 32;
    public static final int BPF_DIV = 48;
    public static final int BPF_OR = 64;
    public static final int BPF_AND = 80;
    public static final int BPF_LSH = 96;
    public static final int BPF_RSH = 112;
    public static final int BPF_NEG = 128;
    public static final int BPF_MOD = 144;
    public static final int BPF_XOR = 160;
    public static final int BPF_JA = 0;
    public static final int BPF_JEQ = 16;
    public static final int BPF_JGT = 32;
    public static final int BPF_JGE = 48;
    public static final int BPF_JSET = 64;
    public static final int BPF_K = 0;
    public static final int BPF_X = 8;
    public static final int BPF_A = 16;
    public static final int BPF_TAX = 0;
    public static final int BPF_TXA = 128;
    public static final int BPF_MAXINSNS = 4096;
    public static final int BPF_MEMWORDS = 16;

    private LinuxConstants() {
    }
}
