/* stats.h: counters, and the one list of reasons a packet or message is skipped.
 * SKIP_REASONS generates the enum, the names in the metric record and the counters. */
#ifndef MISROUTE_STATS_H
#define MISROUTE_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* X(ENUM, "name in metric records") */
#define SKIP_REASONS(X)                                                      \
	X(CAPLEN_SHORT, "caplen_short")               /* snaplen cut the packet */        \
	X(LINK_SHORT, "link_short")                   /* truncated link header */         \
	X(LINK_NOT_IP, "link_not_ip")                 /* ARP, LLDP, ...: not our business */ \
	X(LINK_VLAN_DEPTH, "link_vlan_depth")         /* too many stacked tags */         \
	X(IP4_SHORT, "ip4_short")                                                          \
	X(IP4_VERSION, "ip4_version")                                                      \
	X(IP4_HLEN, "ip4_hlen")                                                            \
	X(IP4_TOTLEN, "ip4_totlen")                                                        \
	X(IP4_OPTIONS, "ip4_options")                                                      \
	X(IP6_SHORT, "ip6_short")                                                          \
	X(IP6_VERSION, "ip6_version")                                                      \
	X(IP6_PLEN, "ip6_plen")                                                            \
	X(IP6_EXT, "ip6_ext")                         /* malformed extension header */    \
	X(IP6_EXT_DEPTH, "ip6_ext_depth")             /* too many extension headers */    \
	X(IP_TUNNEL_DEPTH, "ip_tunnel_depth")                                              \
	X(IP_PROTO_OTHER, "ip_proto_other")           /* ICMP, ESP, ...: not analysed */  \
	X(TUNNEL_BAD, "tunnel_bad")                   /* GRE, ERSPAN, VXLAN, Geneve or MPLS \
	                                               * header we cannot follow */           \
	X(FRAG_BAD, "frag_bad")                       /* offsets or lengths that lie */   \
	X(FRAG_OVERLAP, "frag_overlap")               /* overlapping fragments disagree */ \
	X(FRAG_TOO_BIG, "frag_too_big")               /* datagram over 64 KiB */          \
	X(FRAG_TOO_MANY, "frag_too_many")             /* pieces or pending datagrams cap */ \
	X(FRAG_TIMEOUT, "frag_timeout")               /* never completed */               \
	X(UDP_SHORT, "udp_short")                                                          \
	X(UDP_LEN, "udp_len")                                                              \
	X(TCP_SHORT, "tcp_short")                                                          \
	X(TCP_HLEN, "tcp_hlen")                                                            \
	X(FLOW_EVICTED, "flow_evicted")               /* table full: oldest flow dropped */ \
	X(TCP_OLD_DATA, "tcp_old_data")               /* before the stream start we saw */ \
	X(TCP_GAP, "tcp_gap")                         /* a hole that never filled */      \
	X(TCP_OVERLAP, "tcp_overlap")                 /* retransmission with other bytes */ \
	X(TCP_OOO_CAP, "tcp_ooo_cap")                 /* too many out-of-order segments */ \
	X(TCP_DEPTH, "tcp_depth")                     /* past --stream-depth */           \
	X(TCP_MEMCAP, "tcp_memcap")                   /* reassembly memory exhausted */   \
	X(TCP_PENDING_CAP, "tcp_pending_cap")         /* message longer than we buffer */ \
	X(TCP_UNFINISHED, "tcp_unfinished")           /* the stream ended inside a message */ \
	X(DNS_SHORT, "dns_short")                                                          \
	X(DNS_MALFORMED, "dns_malformed")                                                  \
	X(DNS_TCP_LEN, "dns_tcp_len")                 /* DNS/TCP length prefix that lies */ \
	X(DNS_RR_CAP, "dns_rr_cap")                   /* records beyond DNS_MAX_RRS */    \
	X(HTTP_MALFORMED, "http_malformed")           /* start line, framing, chunk size */ \
	X(HTTP_HEAD_CAP, "http_head_cap")             /* head over the byte or line caps */ \
	X(HTTP_BODY_CAP, "http_body_cap")             /* kept body cut at HTTP_MAX_BODY */ \
	X(HTTP_DECODE, "http_decode")                 /* corrupt gzip/deflate body */     \
	X(HTTP_ALLOC, "http_alloc")                   /* message state not allocated */   \
	X(TLS_MALFORMED, "tls_malformed")             /* not a ClientHello we can read */ \
	X(MAIL_LINE_CAP, "mail_line_cap")             /* mail line over MAIL_MAX_LINE */ \
	X(MAIL_BAD_VALUE, "mail_bad_value")           /* bad base64, literal or reply */ \
	X(APP_ALLOC, "app_alloc")                     /* per-flow dissector state refused */ \
	X(NDPI_ALLOC, "ndpi_alloc")                   /* nDPI state could not be allocated */ \
	X(DETECT_EVICTED, "detect_evicted")           /* detector table full: a client's context \
	                                               * or an address's names made room, or a  \
	                                               * name's record was written over */      \
	X(RECORD_TRUNCATED, "record_truncated")        /* a record over RECORD_MAX */

enum skip_reason {
#define X(e, n) SKIP_##e,
	SKIP_REASONS(X)
#undef X
	SKIP_MAX
};

extern const char *const skip_names[SKIP_MAX];

struct stats {
	uint64_t packets;       /* records read from the capture */
	uint64_t bytes;         /* their wire length */
	uint64_t ip_packets;    /* decoded down to IPv4/IPv6 */
	uint64_t frag_reassembled;
	uint64_t flows_created;
	uint64_t flows_active;
	uint64_t flows_expired;
	uint64_t tcp_bytes_reassembled;
	uint64_t obs_dns;
	uint64_t obs_http;
	uint64_t obs_tls;
	uint64_t obs_quic;
	uint64_t obs_mail;
	uint64_t obs_login;
	uint64_t records_written;
	uint64_t alerts[7];      /* incident records written, by enum alert_kind */
	uint64_t skip[SKIP_MAX];
};

/* What a live capture says of itself (pcap_stats), and the packets its engine took. */
struct capture_counters {
	bool valid;
	uint64_t received, dropped, ifdropped;
	uint64_t packets;
};

static inline void stats_skip(struct stats *st, enum skip_reason r)
{
	if (st)
		st->skip[r]++;
}

#endif
