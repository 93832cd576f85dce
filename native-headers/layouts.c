/*
 * Prints the sizes, field offsets and constants spyglass's FFM bindings (package spyglass.linux)
 * depend on, from the real kernel and libc headers of the machine that compiles it.
 *
 * Output, one item a line:
 *   struct NAME SIZE
 *   field NAME PATH OFFSET SIZE      (PATH is dotted for nested members: hdr.bh1.seq_num)
 *   const NAME VALUE                 (decimal)
 *
 * LayoutsTest (src/test/java/spyglass/linux) compiles this with gcc, runs it and checks that every
 * Java MemoryLayout and constant equals what is printed here, and that nothing printed here is
 * missing on the Java side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>

#define STRUCT(s) printf("struct %s %zu\n", #s, sizeof(struct s))
#define FIELD(s, path) printf("field %s %s %zu %zu\n", #s, #path, offsetof(struct s, path), sizeof(((struct s *)0)->path))
#define CONST(c) printf("const %s %lld\n", #c, (long long)(c))

int main(void) {
    STRUCT(tpacket_req3);
    FIELD(tpacket_req3, tp_block_size);
    FIELD(tpacket_req3, tp_block_nr);
    FIELD(tpacket_req3, tp_frame_size);
    FIELD(tpacket_req3, tp_frame_nr);
    FIELD(tpacket_req3, tp_retire_blk_tov);
    FIELD(tpacket_req3, tp_sizeof_priv);
    FIELD(tpacket_req3, tp_feature_req_word);

    STRUCT(tpacket_bd_ts);
    FIELD(tpacket_bd_ts, ts_sec);
    FIELD(tpacket_bd_ts, ts_nsec);

    STRUCT(tpacket_hdr_v1);
    FIELD(tpacket_hdr_v1, block_status);
    FIELD(tpacket_hdr_v1, num_pkts);
    FIELD(tpacket_hdr_v1, offset_to_first_pkt);
    FIELD(tpacket_hdr_v1, blk_len);
    FIELD(tpacket_hdr_v1, seq_num);
    FIELD(tpacket_hdr_v1, ts_first_pkt);
    FIELD(tpacket_hdr_v1, ts_first_pkt.ts_sec);
    FIELD(tpacket_hdr_v1, ts_first_pkt.ts_nsec);
    FIELD(tpacket_hdr_v1, ts_last_pkt);
    FIELD(tpacket_hdr_v1, ts_last_pkt.ts_sec);
    FIELD(tpacket_hdr_v1, ts_last_pkt.ts_nsec);

    STRUCT(tpacket_block_desc);
    FIELD(tpacket_block_desc, version);
    FIELD(tpacket_block_desc, offset_to_priv);
    FIELD(tpacket_block_desc, hdr);
    FIELD(tpacket_block_desc, hdr.bh1);
    FIELD(tpacket_block_desc, hdr.bh1.block_status);
    FIELD(tpacket_block_desc, hdr.bh1.num_pkts);
    FIELD(tpacket_block_desc, hdr.bh1.offset_to_first_pkt);
    FIELD(tpacket_block_desc, hdr.bh1.blk_len);
    FIELD(tpacket_block_desc, hdr.bh1.seq_num);
    FIELD(tpacket_block_desc, hdr.bh1.ts_first_pkt);
    FIELD(tpacket_block_desc, hdr.bh1.ts_first_pkt.ts_sec);
    FIELD(tpacket_block_desc, hdr.bh1.ts_first_pkt.ts_nsec);
    FIELD(tpacket_block_desc, hdr.bh1.ts_last_pkt);
    FIELD(tpacket_block_desc, hdr.bh1.ts_last_pkt.ts_sec);
    FIELD(tpacket_block_desc, hdr.bh1.ts_last_pkt.ts_nsec);

    STRUCT(tpacket_hdr_variant1);
    FIELD(tpacket_hdr_variant1, tp_rxhash);
    FIELD(tpacket_hdr_variant1, tp_vlan_tci);
    FIELD(tpacket_hdr_variant1, tp_vlan_tpid);
    FIELD(tpacket_hdr_variant1, tp_padding);

    STRUCT(tpacket3_hdr);
    FIELD(tpacket3_hdr, tp_next_offset);
    FIELD(tpacket3_hdr, tp_sec);
    FIELD(tpacket3_hdr, tp_nsec);
    FIELD(tpacket3_hdr, tp_snaplen);
    FIELD(tpacket3_hdr, tp_len);
    FIELD(tpacket3_hdr, tp_status);
    FIELD(tpacket3_hdr, tp_mac);
    FIELD(tpacket3_hdr, tp_net);
    FIELD(tpacket3_hdr, hv1);
    FIELD(tpacket3_hdr, hv1.tp_rxhash);
    FIELD(tpacket3_hdr, hv1.tp_vlan_tci);
    FIELD(tpacket3_hdr, hv1.tp_vlan_tpid);
    FIELD(tpacket3_hdr, hv1.tp_padding);
    FIELD(tpacket3_hdr, tp_padding);

    STRUCT(sockaddr_ll);
    FIELD(sockaddr_ll, sll_family);
    FIELD(sockaddr_ll, sll_protocol);
    FIELD(sockaddr_ll, sll_ifindex);
    FIELD(sockaddr_ll, sll_hatype);
    FIELD(sockaddr_ll, sll_pkttype);
    FIELD(sockaddr_ll, sll_halen);
    FIELD(sockaddr_ll, sll_addr);

    STRUCT(tpacket_stats_v3);
    FIELD(tpacket_stats_v3, tp_packets);
    FIELD(tpacket_stats_v3, tp_drops);
    FIELD(tpacket_stats_v3, tp_freeze_q_cnt);

    STRUCT(sock_filter);
    FIELD(sock_filter, code);
    FIELD(sock_filter, jt);
    FIELD(sock_filter, jf);
    FIELD(sock_filter, k);

    STRUCT(sock_fprog);
    FIELD(sock_fprog, len);
    FIELD(sock_fprog, filter);

    STRUCT(packet_mreq);
    FIELD(packet_mreq, mr_ifindex);
    FIELD(packet_mreq, mr_type);
    FIELD(packet_mreq, mr_alen);
    FIELD(packet_mreq, mr_address);

    STRUCT(pollfd);
    FIELD(pollfd, fd);
    FIELD(pollfd, events);
    FIELD(pollfd, revents);

    /* Sizes that are not structs spyglass lays out field by field. */
    CONST(TPACKET_ALIGNMENT);
    CONST(TPACKET3_HDRLEN);
    printf("const SIZEOF_CPU_SET_T %zu\n", sizeof(cpu_set_t));

    /* Sockets. */
    CONST(AF_PACKET);
    CONST(SOCK_RAW);
    CONST(SOCK_CLOEXEC);
    CONST(SOL_SOCKET);
    CONST(SO_ATTACH_FILTER);
    CONST(SO_RCVBUF);
    CONST(SO_ERROR);
    CONST(SOL_PACKET);
    CONST(PACKET_ADD_MEMBERSHIP);
    CONST(PACKET_MR_PROMISC);
    CONST(PACKET_RX_RING);
    CONST(PACKET_STATISTICS);
    CONST(PACKET_VERSION);
    CONST(PACKET_RESERVE);
    CONST(TPACKET_V3);
    CONST(PACKET_HOST);
    CONST(PACKET_BROADCAST);
    CONST(PACKET_MULTICAST);
    CONST(PACKET_OTHERHOST);
    CONST(PACKET_OUTGOING);
    CONST(ARPHRD_ETHER);
    CONST(ARPHRD_LOOPBACK);

    /* Ethernet and IP numbers the filter and the ring walk use. */
    CONST(ETH_P_ALL);
    CONST(ETH_P_IP);
    CONST(ETH_P_IPV6);
    CONST(ETH_P_8021Q);
    CONST(ETH_P_8021AD);
    CONST(ETH_ALEN);
    CONST(ETH_HLEN);
    CONST(IPPROTO_TCP);

    /* Ring status words. */
    CONST(TP_STATUS_KERNEL);
    CONST(TP_STATUS_USER);
    CONST(TP_STATUS_LOSING);
    CONST(TP_STATUS_CSUMNOTREADY);
    CONST(TP_STATUS_VLAN_VALID);
    CONST(TP_STATUS_BLK_TMO);
    CONST(TP_STATUS_VLAN_TPID_VALID);
    CONST(TP_STATUS_CSUM_VALID);

    /* poll, mmap. */
    CONST(POLLIN);
    CONST(POLLERR);
    CONST(POLLHUP);
    CONST(POLLNVAL);
    CONST(PROT_READ);
    CONST(PROT_WRITE);
    CONST(MAP_SHARED);
    CONST(MAP_LOCKED);
    CONST(MAP_POPULATE);
    CONST(MAP_NORESERVE);

    /* Classic BPF opcodes (linux/filter.h, linux/bpf_common.h). */
    CONST(BPF_LD);
    CONST(BPF_LDX);
    CONST(BPF_ST);
    CONST(BPF_STX);
    CONST(BPF_ALU);
    CONST(BPF_JMP);
    CONST(BPF_RET);
    CONST(BPF_MISC);
    CONST(BPF_W);
    CONST(BPF_H);
    CONST(BPF_B);
    CONST(BPF_IMM);
    CONST(BPF_ABS);
    CONST(BPF_IND);
    CONST(BPF_MEM);
    CONST(BPF_LEN);
    CONST(BPF_MSH);
    CONST(BPF_ADD);
    CONST(BPF_SUB);
    CONST(BPF_MUL);
    CONST(BPF_DIV);
    CONST(BPF_OR);
    CONST(BPF_AND);
    CONST(BPF_LSH);
    CONST(BPF_RSH);
    CONST(BPF_NEG);
    CONST(BPF_MOD);
    CONST(BPF_XOR);
    CONST(BPF_JA);
    CONST(BPF_JEQ);
    CONST(BPF_JGT);
    CONST(BPF_JGE);
    CONST(BPF_JSET);
    CONST(BPF_K);
    CONST(BPF_X);
    CONST(BPF_A);
    CONST(BPF_TAX);
    CONST(BPF_TXA);
    CONST(BPF_MAXINSNS);
    CONST(BPF_MEMWORDS);

    /* errno values spyglass names in its messages. */
    CONST(EPERM);
    CONST(ENOENT);
    CONST(ESRCH);
    CONST(EINTR);
    CONST(EIO);
    CONST(ENXIO);
    CONST(EBADF);
    CONST(EAGAIN);
    CONST(ENOMEM);
    CONST(EACCES);
    CONST(EFAULT);
    CONST(EBUSY);
    CONST(EEXIST);
    CONST(ENODEV);
    CONST(EINVAL);
    CONST(ENFILE);
    CONST(EMFILE);
    CONST(ENOSPC);
    CONST(ERANGE);
    CONST(ENOSYS);
    CONST(ENOPROTOOPT);
    CONST(EPROTONOSUPPORT);
    CONST(EOPNOTSUPP);
    CONST(EAFNOSUPPORT);
    CONST(EADDRINUSE);
    CONST(ENETDOWN);
    CONST(ENOBUFS);
    CONST(ENOTCONN);
    return 0;
}
