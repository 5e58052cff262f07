/* decode.h: link layer -> IPv4/IPv6 (+ fragments, tunnels) -> UDP/TCP, into a struct packet.
 * Link types: Ethernet (802.1Q, QinQ, 802.3 LLC/SNAP, PPPoE), Linux SLL and SLL2, raw IP (RAW,
 * IPV4, IPV6), BSD loopback (NULL, LOOP), PPP (and Cisco HDLC), NFLOG. */
#ifndef MISROUTE_DECODE_H
#define MISROUTE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/stats.h"

struct frag_table;

/* The decoded view of one packet. Pointers lend bytes of the capture buffer (or of the
 * fragment table's buffer for a reassembled datagram) until the next decode call. */
struct packet {
	uint64_t ts_us;      /* capture time, microseconds since the epoch */
	uint32_t wirelen;    /* original length on the wire */
	uint16_t vlan[2];    /* outermost two 802.1Q ids (12 bits), 0 when absent */
	uint8_t n_vlan;      /* tags seen, up to LINK_MAX_VLAN_TAGS */
	uint8_t ip_version;  /* 4 or 6 (innermost IP header when tunnelled) */
	uint8_t src[16];     /* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint8_t proto;       /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t ttl;         /* hop limit */
	bool reassembled;    /* built from IP fragments */
	const uint8_t *l3;   /* innermost IP header, the whole datagram (for nDPI) */
	size_t l3_len;
	uint16_t sport, dport;
	uint32_t seq, ack;   /* TCP only */
	uint8_t tcp_flags;   /* TCP_FIN ... as on the wire */
	const uint8_t *payload; /* transport payload, bounded by IP (and UDP) length and caplen */
	size_t payload_len;
	bool payload_cut;    /* caplen cut the payload short of what IP said */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

enum decode_result {
	DECODE_OK = 0,       /* a TCP or UDP packet: pkt is filled */
	DECODE_SKIP = 1,     /* counted under a skip reason (or a fragment held for later) */
};

/* Whether misroute can decode this pcap DLT_* link type. */
bool decode_link_supported(int dlt);

/* Decodes one captured frame of link type dlt. On DECODE_OK fills *pkt, whose pointers lend
 * frame bytes or, for a reassembled datagram, the fragment table's buffer, until the next
 * decode_packet call. Every other outcome counts exactly one skip reason in st, except a
 * fragment kept in frags waiting for the rest of its datagram (frags NULL: fragments are
 * counted as FRAG_TOO_MANY and skipped). A packet decoded despite malformed IPv4 options
 * also counts IP4_OPTIONS. st->ip_packets counts packets whose outer IP header passed its
 * checks, st->frag_reassembled the datagrams rebuilt; st may be NULL. The caller sets
 * pkt->ts_us and pkt->wirelen before the call; fragment timeouts use pkt->ts_us (the call
 * runs frag_expire itself). wirelen tells a snaplen cut (an IP length within it: decoded, the
 * payload marked cut) from a lie (an IP length past it: skipped); a wirelen below caplen is
 * taken as caplen. */
enum decode_result decode_packet(int dlt, const uint8_t *frame, size_t caplen,
				 struct frag_table *frags, struct packet *pkt,
				 struct stats *st);

/* IP fragment reassembly (RFC 791, RFC 8200 section 4.5, RFC 5722), bounded by FRAG_* in
 * limits.h. frag_new returns NULL when out of memory; frag_free frees every datagram held. */
struct frag_table *frag_new(void);
void frag_free(struct frag_table *ft);
/* Drops datagrams older than FRAG_TIMEOUT_US at time now_us, counting FRAG_TIMEOUT. */
void frag_expire(struct frag_table *ft, uint64_t now_us, struct stats *st);

#endif
