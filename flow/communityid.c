/* communityid.c: Community ID v1 (corelight community-id-spec, "Community ID flow hashing"). */
#include "flow/communityid.h"

#include <gcrypt.h>
#include <string.h>

/* Base64 (RFC 4648 section 4) of the 20-byte SHA-1 digest: 28 characters with one '='. */
static void cid_base64(const uint8_t in[20], char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < 18; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	uint32_t v = (uint32_t)in[18] << 16 | (uint32_t)in[19] << 8;
	out[o++] = tab[v >> 18 & 63];
	out[o++] = tab[v >> 12 & 63];
	out[o++] = tab[v >> 6 & 63];
	out[o++] = '=';
	out[o] = '\0';
}

void community_id_v1(uint16_t seed, int ip_version, const uint8_t *src, const uint8_t *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN])
{
	size_t alen = ip_version == 6 ? 16 : 4;
	/* The spec orders the endpoints so both directions hash alike: the lower address
	 * first, the lower port first when the addresses are equal. */
	int c = memcmp(src, dst, alen);
	if (c > 0 || (c == 0 && sport > dport)) {
		const uint8_t *t = src;
		src = dst;
		dst = t;
		uint16_t p = sport;
		sport = dport;
		dport = p;
	}
	uint8_t buf[2 + 16 + 16 + 2 + 4];
	size_t n = 0;
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, src, alen);
	n += alen;
	memcpy(buf + n, dst, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0; /* padding */
	buf[n++] = (uint8_t)(sport >> 8);
	buf[n++] = (uint8_t)sport;
	buf[n++] = (uint8_t)(dport >> 8);
	buf[n++] = (uint8_t)dport;

	uint8_t digest[20];
	gcry_md_hash_buffer(GCRY_MD_SHA1, digest, buf, n);
	out[0] = '1';
	out[1] = ':';
	cid_base64(digest, out + 2);
}

const char *community_id_memo(struct community_id_memo *m, uint32_t hint, int ip_version,
			      const uint8_t *src, const uint8_t *dst, uint8_t proto,
			      uint16_t sport, uint16_t dport)
{
	size_t alen = ip_version == 6 ? 16 : 4;
	struct community_id_slot *s = &m->slot[hint % COMMUNITY_ID_MEMO];
	if (ip_version != 0 && s->ip_version == ip_version && s->proto == proto &&
	    s->sport == sport && s->dport == dport && memcmp(s->src, src, alen) == 0 &&
	    memcmp(s->dst, dst, alen) == 0)
		return s->id;
	community_id_v1(0, ip_version, src, dst, proto, sport, dport, s->id);
	memcpy(s->src, src, alen);
	memcpy(s->dst, dst, alen);
	s->sport = sport;
	s->dport = dport;
	s->proto = proto;
	s->ip_version = (uint8_t)ip_version;
	return s->id;
}
