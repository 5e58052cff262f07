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

#endif
