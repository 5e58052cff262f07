/* communityid.h: Community ID v1 flow hashes (corelight community-id-spec). */
#ifndef MISROUTE_COMMUNITYID_H
#define MISROUTE_COMMUNITYID_H

#include <stdint.h>

#define COMMUNITY_ID_LEN 31 /* "1:" + 28 base64 characters + NUL */

/* Writes the Community ID of a TCP/UDP flow into out: "1:" and the base64 of
 * SHA-1(seed, lower endpoint, higher endpoint, proto, 0, ports). Addresses are 4 bytes
 * (ip_version 4) or 16 bytes (6) in network order; ports in host order. The same flow
 * gives the same ID from either direction. */
void community_id_v1(uint16_t seed, int ip_version, const uint8_t *src, const uint8_t *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN]);

/* Recent IDs (seed 0), direct-mapped: the records of one flow come close together (a query,
 * its answer, the flow's end), and each ID costs a SHA-1. A slot answers only for a tuple
 * equal to its own, so the hint that picks it (a flow's place in memory, say) needs only to
 * spread. Zero it before use. */
#define COMMUNITY_ID_MEMO 1024
struct community_id_memo {
	struct community_id_slot {
		uint8_t src[16], dst[16];
		uint16_t sport, dport;
		uint8_t proto, ip_version; /* 0: empty */
		char id[COMMUNITY_ID_LEN];
	} slot[COMMUNITY_ID_MEMO];
};

/* community_id_v1 with seed 0, remembered in m; the answer lives until the slot is reused. */
const char *community_id_memo(struct community_id_memo *m, uint32_t hint, int ip_version,
			      const uint8_t *src, const uint8_t *dst, uint8_t proto,
			      uint16_t sport, uint16_t dport);

#endif
