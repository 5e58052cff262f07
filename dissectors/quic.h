/* quic.h: the TLS ClientHello carried in QUIC client Initial packets (RFC 9000 §17.2.2, §19.6,
 * RFC 9001 §5 Initial protection, RFC 9369 QUIC v2, draft-ietf-quic-transport-23..32). */
#ifndef MISROUTE_QUIC_H
#define MISROUTE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dissect.h"

/* Caps. They live here rather than in core/limits.h only because this module was added
 * without touching shared headers; move them there on the next pass.
 * - CRYPTO bytes gathered per connection: real ClientHellos (even with post-quantum key
 *   shares, ~1.8 KiB, or large session tickets) stay far below 16 KiB; data past it is
 *   dropped and `truncated` set.
 * - One Initial packet is decrypted in a stack buffer of QUIC_MAX_PACKET bytes: Initials are
 *   padded to >= 1200 bytes and sent within the path MTU; 9216 covers jumbo frames.
 * - A connection ID is at most 20 bytes in every supported version (RFC 9000 §17.2).
 * - QUIC_MAX_PACKETS_PER_DATAGRAM bounds the walk over coalesced packets. */
#define QUIC_MAX_CRYPTO (16u << 10)
#define QUIC_MAX_PACKET 9216u
#define QUIC_MAX_CID 20
#define QUIC_MAX_PACKETS_PER_DATAGRAM 16

#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu
#define QUIC_DRAFT_23 0xff000017u
#define QUIC_DRAFT_29 0xff00001du
#define QUIC_DRAFT_32 0xff000020u

/* The header of the last client Initial decrypted. Holds no pointers. */
struct quic_initial {
	uint32_t version;
	uint8_t dcid[QUIC_MAX_CID], dcid_len;
	uint8_t scid[QUIC_MAX_CID], scid_len;
	uint64_t token_len;        /* non-zero after a Retry (or with a NEW_TOKEN token) */
	uint64_t pn;               /* packet number as sent (truncated, 1..4 bytes) */
	size_t offset;             /* where the packet starts in the datagram */
	size_t consumed;           /* datagram bytes up to the end of this packet */
	size_t crypto_bytes;       /* CRYPTO frame bytes in this packet */
};

/* Gathers the client's Initial CRYPTO stream (the ClientHello) across packets of one
 * connection attempt. Caller-owned, ~19 KiB, zero it (or quic_crypto_reset) before first use;
 * keep one per flow that is still looking for its hello. Holds no pointers: it may be copied.
 * dcid is the DCID the Initial keys come from (the client's first one). A later Initial with
 * the server-chosen DCID still decrypts with those keys and adds to the same stream; one that
 * decrypts only with keys of its own new DCID, or has another version (after a Retry or a
 * Version Negotiation the client starts a new ClientHello), restarts the accumulator. */
struct quic_crypto {
	struct quic_initial pkt;   /* header of the last packet decrypted */
	uint32_t version;          /* version and DCID the gathered bytes belong to */
	uint8_t dcid[QUIC_MAX_CID], dcid_len;
	bool started;              /* version/dcid are set */
	bool keys_ready;           /* key/iv/hp derived for version/dcid */
	bool truncated;            /* CRYPTO data beyond QUIC_MAX_CRYPTO was dropped */
	uint32_t n_packets;        /* Initials decrypted into these bytes */
	size_t contig;             /* bytes[0..contig) are the stream from offset 0, no holes */
	size_t highest;            /* one past the highest byte held (>= contig) */
	const char *reason;        /* static text: why, for DIS_MALFORMED */
	struct quic_keys {         /* client Initial keys for version/dcid (RFC 9001 §5.2) */
		uint8_t key[16], iv[12], hp[16];
	} keys;
	uint8_t have[QUIC_MAX_CRYPTO / 8];   /* bitmap: which bytes[] are filled */
	uint8_t bytes[QUIC_MAX_CRYPTO];      /* the CRYPTO stream, by offset */
};

/* Empties the accumulator. */
void quic_crypto_reset(struct quic_crypto *acc);

/* True when the datagram p[0..len) starts with a QUIC long-header Initial packet of a
 * supported version: 1 and drafts 23..32 (type 0b00), 2 (type 0b01, RFC 9369 §3.2).
 * Looks at the first 5 bytes only. */
bool quic_is_initial(const uint8_t *p, size_t len);

/* Decrypts the first client Initial in the UDP payload p[0..len) (coalesced packets before it
 * are skipped by their Length field; those after it are ignored) and adds its CRYPTO frames to
 * *acc, in offset order, up to QUIC_MAX_CRYPTO; frames may come out of order and repeat.
 * *acc is restarted when the packet belongs to a new connection attempt (see above).
 * Returns DIS_OK when a packet was decrypted and its frames parsed (acc->pkt set; the
 * ClientHello is acc->bytes[0..acc->contig), maybe still partial); DIS_MALFORMED
 * (acc->reason) otherwise: no Initial, unsupported version, a length that lies, a packet
 * over QUIC_MAX_PACKET, failed authentication (e.g. a server Initial), or a bad frame — in
 * that last case CRYPTO frames before the bad one are kept, as they were authenticated.
 * Uses libgcrypt, which main must initialise (gcry_check_version) first. */
__attribute__((warn_unused_result))
enum dis_status quic_initial(const uint8_t *p, size_t len, struct quic_crypto *acc);

/* Wraps the bare TLS handshake bytes hs[0..len) (QUIC CRYPTO data) into TLS records of at
 * most 16384 bytes each (type 22, version 0x0303) in out[0..cap), so tls_client_hello()
 * can parse them. Returns the bytes written; 0 when len is 0 or out is too small. */
size_t quic_frame_as_record(const uint8_t *hs, size_t len, uint8_t *out, size_t cap);

/* Bytes quic_frame_as_record needs for len handshake bytes. */
static inline size_t quic_record_size(size_t len)
{
	return len + 5 * ((len + 16383) / 16384);
}

#endif
