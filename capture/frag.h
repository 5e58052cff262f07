/* frag.h: the fragment table's interface to decode.c (RFC 791 section 3.2, RFC 8200 section
 * 4.5, RFC 5722). frag_new, frag_free and frag_expire are public in decode.h. */
#ifndef MISROUTE_FRAG_H
#define MISROUTE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"
#include "core/stats.h"

/* One fragment as decode.c found it. Every pointer lends bytes for the call only. */
struct frag_in {
	uint8_t version;      /* 4 or 6 */
	uint8_t src[16];      /* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint32_t id;          /* IPv4: 16-bit identification; IPv6: the Fragment header's */
	uint8_t proto;        /* IPv4: the protocol (part of the key); IPv6: the Fragment
			       * header's Next Header (only the first fragment's counts) */
	uint32_t offset;      /* of data in the datagram's fragmentable part, in bytes */
	bool more;            /* MF / M flag: more fragments follow */
	const uint8_t *hdr;   /* IPv4 header with options; IPv6 header with the extension */
	size_t hdr_len;       /* headers before the Fragment header (the unfragmentable part) */
	size_t nh_off;        /* IPv6: offset in hdr of the Next Header byte naming Fragment */
	const uint8_t *data;  /* the fragment's data */
	size_t data_len;
};

enum frag_status {
	FRAG_HELD = 0,    /* kept, or an exact duplicate absorbed: wait for the rest */
	FRAG_DONE = 1,    /* the datagram is complete: *whole holds it */
	FRAG_DROPPED = 2, /* counted under one FRAG_* skip reason */
};

/* Adds one fragment to its datagram. The bytes are copied, so the caller's buffer may go
 * (it may even be the table's own output buffer: it is read before being written).
 * On FRAG_DONE *whole / *whole_len hold the whole datagram: the first fragment's IP header
 * fixed up (IPv4: total length, MF and offset cleared, checksum; IPv6: Fragment header
 * removed, Next Header and payload length fixed) followed by all the data. That buffer
 * belongs to the table and stays valid until the next frag_add. now_us starts the
 * datagram's timeout when it is the first fragment seen. */
__attribute__((warn_unused_result))
enum frag_status frag_add(struct frag_table *ft, const struct frag_in *in, uint64_t now_us,
			  struct stats *st, const uint8_t **whole, size_t *whole_len);

/* Datagrams waiting for fragments, and the bytes they hold (for tests and the metric record). */
size_t frag_pending(const struct frag_table *ft);
size_t frag_memory(const struct frag_table *ft);

#endif
