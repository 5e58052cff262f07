/* quic.c: QUIC client Initial decryption and CRYPTO stream gathering (RFC 9000 §12.4, §16,
 * §17.2.2, §19.6; RFC 9001 §5.2-5.4; RFC 9369 §3; draft-ietf-quic-tls-29 §5.2). */
#include "dissectors/quic.h"

#include <gcrypt.h>
#include <string.h>

#include "core/cursor.h"

/* Long header (RFC 9000 §17.2), Initial (§17.2.2):
 *
 *   |1|1|T T|R R|P P|  Version (32)  | DCID Len (8) | DCID (0..160) | SCID Len (8) | SCID |
 *   | Token Length (i) | Token | Length (i) | Packet Number (8..32) | Payload (AEAD) |
 *
 * T is the packet type, R and P (reserved bits, packet number length - 1) are under header
 * protection, Length covers packet number and payload. */
#define QUIC_HDR_LONG 0x80u
#define QUIC_HDR_FIXED 0x40u
#define QUIC_HDR_TYPE(b) (((unsigned)(b) >> 4) & 0x3u)
#define QUIC_LONG_PROTECTED 0x0fu  /* header protection masks the low 4 bits of a long header */
#define QUIC_PN_LEN(b) (((unsigned)(b) & 0x3u) + 1)
#define QUIC_SAMPLE_LEN 16
#define QUIC_TAG_LEN 16
#define QUIC_PN_MAX_LEN 4

/* Frame types allowed in an Initial packet (RFC 9000 §12.4, Table 3). */
#define QUIC_FRAME_PADDING 0x00
#define QUIC_FRAME_PING 0x01
#define QUIC_FRAME_ACK 0x02
#define QUIC_FRAME_ACK_ECN 0x03
#define QUIC_FRAME_CRYPTO 0x06
#define QUIC_FRAME_CLOSE 0x1c

#define QUIC_VARINT_MAX ((1ull << 62) - 1)

static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
static const uint8_t salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};
static const uint8_t salt_draft23[20] = {
	0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
	0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
};
static const uint8_t salt_draft29[20] = {
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};

/* What differs between the versions we decrypt. */
struct quic_ver {
	const uint8_t *salt;
	unsigned initial_type;     /* long-header type bits of an Initial */
	const char *key, *iv, *hp; /* HKDF labels, without "tls13 " */
};

static const struct quic_ver ver_v1 = { salt_v1, 0, "quic key", "quic iv", "quic hp" };
static const struct quic_ver ver_v2 = { salt_v2, 1, "quicv2 key", "quicv2 iv", "quicv2 hp" };
static const struct quic_ver ver_d29 = { salt_draft29, 0, "quic key", "quic iv", "quic hp" };
static const struct quic_ver ver_d23 = { salt_draft23, 0, "quic key", "quic iv", "quic hp" };

static const struct quic_ver *quic_version(uint32_t v)
{
	if (v == QUIC_V1)
		return &ver_v1;
	if (v == QUIC_V2)
		return &ver_v2;
	/* Drafts 29 to 32 share the draft-29 salt and labels. */
	if (v >= QUIC_DRAFT_29 && v <= QUIC_DRAFT_32)
		return &ver_d29;
	/* Drafts 23 to 28 (still seen from old quic-go/ngtcp2 builds) use the draft-23 salt. */
	if (v >= QUIC_DRAFT_23 && v < QUIC_DRAFT_29)
		return &ver_d23;
	return NULL;
}

void quic_crypto_reset(struct quic_crypto *acc)
{
	memset(acc, 0, sizeof(*acc));
}

bool quic_is_initial(const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	uint8_t b = cur_u8(&c);
	uint32_t v = cur_be32(&c);
	if (!cur_ok(&c))
		return false;
	const struct quic_ver *qv = quic_version(v);
	return (b & (QUIC_HDR_LONG | QUIC_HDR_FIXED)) == (QUIC_HDR_LONG | QUIC_HDR_FIXED) &&
	       qv != NULL && QUIC_HDR_TYPE(b) == qv->initial_type;
}

/* Reads a variable-length integer (RFC 9000 §16); the cursor's error on truncation. */
static uint64_t quic_varint(struct cur *c)
{
	uint8_t b = cur_u8(c);
	unsigned extra = (1u << (b >> 6)) - 1;   /* 0, 1, 3 or 7 more bytes */
	uint64_t v = b & 0x3fu;
	for (unsigned i = 0; i < extra; i++)
		v = v << 8 | cur_u8(c);
	return v;
}

/* ---- key schedule: HKDF (RFC 5869) with HMAC-SHA256, HKDF-Expand-Label (RFC 8446 §7.1) ---- */

/* out[0..32) = HMAC-SHA256(key, a || b). Returns false when libgcrypt fails. */
static bool quic_hmac(const uint8_t *key, size_t key_len, const uint8_t *a, size_t a_len,
		      const uint8_t *b, size_t b_len, uint8_t out[32])
{
	gcry_md_hd_t h;
	if (gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC))
		return false;
	bool ok = !gcry_md_setkey(h, key, key_len);
	if (ok) {
		gcry_md_write(h, a, a_len);
		gcry_md_write(h, b, b_len);
		const unsigned char *d = gcry_md_read(h, GCRY_MD_SHA256);
		ok = d != NULL;
		if (ok)
			memcpy(out, d, 32);
	}
	gcry_md_close(h);
	return ok;
}

/* out[0..len) = HKDF-Expand-Label(secret, label, "", len) for len <= 32: one HMAC block,
 * T(1) = HMAC(secret, HkdfLabel || 0x01). */
static bool quic_expand_label(const uint8_t secret[32], const char *label, uint8_t *out,
			      size_t len)
{
	uint8_t info[2 + 1 + 6 + 32 + 1 + 1];
	size_t label_len = strlen(label);
	if (len > 32 || label_len > 32)
		return false;
	size_t n = 0;
	info[n++] = 0;
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + label_len);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = 0;   /* empty context */
	info[n++] = 1;   /* HKDF-Expand block counter */
	uint8_t t[32];
	if (!quic_hmac(secret, 32, info, n, NULL, 0, t))
		return false;
	memcpy(out, t, len);
	return true;
}

/* Derives the client Initial key, IV and header-protection key for a version and DCID
 * (RFC 9001 §5.2). */
static bool quic_derive(const struct quic_ver *qv, const uint8_t *dcid, size_t dcid_len,
			struct quic_keys *k)
{
	uint8_t initial[32], client[32];
	/* HKDF-Extract(salt, dcid) is HMAC(salt, dcid). */
	return quic_hmac(qv->salt, 20, dcid, dcid_len, NULL, 0, initial) &&
	       quic_expand_label(initial, "client in", client, 32) &&
	       quic_expand_label(client, qv->key, k->key, sizeof(k->key)) &&
	       quic_expand_label(client, qv->iv, k->iv, sizeof(k->iv)) &&
	       quic_expand_label(client, qv->hp, k->hp, sizeof(k->hp));
}

/* mask[0..16) = AES-128-ECB(hp, sample) (RFC 9001 §5.4.3). */
static bool quic_hp_mask(const uint8_t hp[16], const uint8_t *sample, uint8_t mask[16])
{
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0))
		return false;
	bool ok = !gcry_cipher_setkey(h, hp, 16) &&
		  !gcry_cipher_encrypt(h, mask, 16, sample, QUIC_SAMPLE_LEN);
	gcry_cipher_close(h);
	return ok;
}

/* AES-128-GCM open (RFC 9001 §5.3): out[0..ct_len) = plaintext of ct with aad, tag after ct.
 * Returns 0, -1 for a library error, -2 when the tag does not verify. */
static int quic_open(const struct quic_keys *k, uint64_t pn, const uint8_t *aad,
		     size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag,
		     uint8_t *out)
{
	uint8_t nonce[12];
	memcpy(nonce, k->iv, sizeof(nonce));
	for (unsigned i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0))
		return -1;
	int rc = -1;
	if (!gcry_cipher_setkey(h, k->key, 16) && !gcry_cipher_setiv(h, nonce, sizeof(nonce)) &&
	    !gcry_cipher_authenticate(h, aad, aad_len) &&
	    !gcry_cipher_decrypt(h, out, ct_len, ct, ct_len))
		rc = gcry_cipher_checktag(h, tag, QUIC_TAG_LEN) ? -2 : 0;
	gcry_cipher_close(h);
	return rc;
}

/* ---- CRYPTO stream ---- */

static bool quic_has_byte(const struct quic_crypto *acc, size_t i)
{
	return acc->have[i / 8] & (1u << (i % 8));
}

/* Stores CRYPTO data for stream offsets [off, off + n), clipped to QUIC_MAX_CRYPTO, and moves
 * acc->contig over the bytes now held without a hole. The caller checked off + n <= 2^62. */
static void quic_crypto_add(struct quic_crypto *acc, uint64_t off, const uint8_t *d, size_t n)
{
	if (off >= QUIC_MAX_CRYPTO) {
		if (n > 0)
			acc->truncated = true;
		return;
	}
	size_t room = QUIC_MAX_CRYPTO - (size_t)off;
	if (n > room) {
		n = room;
		acc->truncated = true;
	}
	memcpy(acc->bytes + off, d, n);
	for (size_t i = (size_t)off; i < (size_t)off + n; i++)
		acc->have[i / 8] |= (uint8_t)(1u << (i % 8));
	if ((size_t)off + n > acc->highest)
		acc->highest = (size_t)off + n;
	while (acc->contig < QUIC_MAX_CRYPTO && quic_has_byte(acc, acc->contig))
		acc->contig++;
}

/* Walks the frames of a decrypted Initial payload. Returns NULL, or why it stopped. */
static const char *quic_frames(struct quic_crypto *acc, const uint8_t *p, size_t len)
{
	struct cur c = cur_make(p, len);
	while (cur_left(&c) > 0) {
		uint64_t type = quic_varint(&c);
		switch (type) {
		case QUIC_FRAME_PADDING:
		case QUIC_FRAME_PING:
			break;
		case QUIC_FRAME_ACK:
		case QUIC_FRAME_ACK_ECN: {
			(void)quic_varint(&c);                /* largest acknowledged */
			(void)quic_varint(&c);                /* ACK delay */
			uint64_t ranges = quic_varint(&c);
			(void)quic_varint(&c);                /* first ACK range */
			/* Each range is >= 2 bytes: a count beyond what is left is a lie. */
			if (!cur_ok(&c) || ranges > cur_left(&c) / 2)
				return "ACK range count past the packet";
			for (uint64_t i = 0; i < ranges; i++) {
				(void)quic_varint(&c);        /* gap */
				(void)quic_varint(&c);        /* range length */
			}
			if (type == QUIC_FRAME_ACK_ECN) {
				(void)quic_varint(&c);        /* ECT0, ECT1, ECN-CE counts */
				(void)quic_varint(&c);
				(void)quic_varint(&c);
			}
			break;
		}
		case QUIC_FRAME_CRYPTO: {
			uint64_t off = quic_varint(&c);
			uint64_t n = quic_varint(&c);
			if (!cur_ok(&c))
				return "CRYPTO frame truncated";
			/* RFC 9000 §19.6: offset + length must not exceed 2^62 - 1. */
			if (n > cur_left(&c) || off > QUIC_VARINT_MAX - n)
				return "CRYPTO length past the packet";
			const uint8_t *d = cur_take(&c, (size_t)n);
			quic_crypto_add(acc, off, d, (size_t)n);
			acc->pkt.crypto_bytes += (size_t)n;
			break;
		}
		case QUIC_FRAME_CLOSE: {
			(void)quic_varint(&c);                /* error code */
			(void)quic_varint(&c);                /* frame type */
			uint64_t n = quic_varint(&c);
			if (!cur_ok(&c) || n > cur_left(&c))
				return "CONNECTION_CLOSE reason past the packet";
			cur_skip(&c, (size_t)n);
			break;
		}
		default:
			/* RFC 9000 §12.4: any other frame in an Initial is a protocol violation. */
			return "frame type not allowed in an Initial";
		}
		if (!cur_ok(&c))
			return "frame truncated";
	}
	return NULL;
}

/* ---- packets ---- */

/* The parsed, still protected, long header of one packet. */
struct quic_long {
	uint8_t first;
	uint32_t version;
	const uint8_t *dcid, *scid;
	uint8_t dcid_len, scid_len;
	uint64_t token_len;
	size_t pn_off;    /* packet number offset, from the packet start */
	size_t end;       /* packet length, pn_off + Length */
};

/* Parses the long header at the start of c's window (a whole packet or more). Returns NULL, or
 * why not. Version Negotiation (version 0) and Retry have no Length field: they end the walk. */
static const char *quic_long_header(struct cur c, struct quic_long *h)
{
	h->first = cur_u8(&c);
	h->version = cur_be32(&c);
	if (!cur_ok(&c))
		return "long header truncated";
	if (!(h->first & QUIC_HDR_LONG))
		return "short header packet, no Initial";
	if (h->version == 0)
		return "version negotiation packet";
	h->dcid_len = cur_u8(&c);
	if (h->dcid_len > QUIC_MAX_CID)
		return "connection ID over 20 bytes";
	h->dcid = cur_take(&c, h->dcid_len);
	h->scid_len = cur_u8(&c);
	if (h->scid_len > QUIC_MAX_CID)
		return "connection ID over 20 bytes";
	h->scid = cur_take(&c, h->scid_len);
	if (!cur_ok(&c))
		return "long header truncated";
	const struct quic_ver *qv = quic_version(h->version);
	if (!qv)
		return "unsupported QUIC version";
	unsigned type = QUIC_HDR_TYPE(h->first);
	/* Retry is type 3 in v1 and 0 in v2: no Length, nothing after it to skip to. */
	if (type == (qv->initial_type ^ 3u))
		return "retry packet";
	h->token_len = 0;
	if (type == qv->initial_type) {
		h->token_len = quic_varint(&c);
		if (!cur_ok(&c) || h->token_len > cur_left(&c))
			return "token length past the datagram";
		cur_skip(&c, (size_t)h->token_len);
	}
	uint64_t length = quic_varint(&c);
	if (!cur_ok(&c))
		return "long header truncated";
	if (length > cur_left(&c))
		return "packet length past the datagram";
	h->pn_off = cur_off(&c);
	h->end = h->pn_off + (size_t)length;
	return NULL;
}

/* Removes header and packet protection from the Initial p[0..h->end) with keys k:
 * buf[0..*hdr_len) gets the unprotected header, the plaintext follows it (*ct_len bytes).
 * Returns NULL, or why not. The caller checked the sample fits and h->end <= QUIC_MAX_PACKET. */
static const char *quic_unprotect(const uint8_t *p, const struct quic_long *h,
				  const struct quic_keys *k, uint8_t *buf, size_t *hdr_len,
				  size_t *ct_len, uint64_t *pn)
{
	uint8_t mask[16];
	if (!quic_hp_mask(k->hp, p + h->pn_off + QUIC_PN_MAX_LEN, mask))
		return "libgcrypt failed (header protection)";
	uint8_t first = h->first ^ (mask[0] & QUIC_LONG_PROTECTED);
	size_t pn_len = QUIC_PN_LEN(first);
	/* Cannot happen after the sample check (length >= 20), kept as the AEAD's own bound. */
	if (h->end - h->pn_off < pn_len + QUIC_TAG_LEN)
		return "packet shorter than its packet number and tag";
	*hdr_len = h->pn_off + pn_len;
	memcpy(buf, p, *hdr_len);
	buf[0] = first;
	*pn = 0;
	for (size_t i = 0; i < pn_len; i++) {
		buf[h->pn_off + i] ^= mask[1 + i];
		*pn = *pn << 8 | buf[h->pn_off + i];
	}
	*ct_len = h->end - *hdr_len - QUIC_TAG_LEN;
	int rc = quic_open(k, *pn, buf, *hdr_len, p + *hdr_len, *ct_len, p + h->end - QUIC_TAG_LEN,
			   buf + *hdr_len);
	if (rc == -2)
		return "authentication failed (not a client Initial?)";
	return rc ? "libgcrypt failed (AEAD)" : NULL;
}

/* Decrypts the Initial p[0..h->end), found at datagram offset start, and parses its frames
 * into acc. Initial keys come from the DCID of the client's first Initial (RFC 9001 §5.2): once
 * the server answered, the client's later Initials carry the server's chosen DCID but keep
 * the old keys, while after a Retry the client derives new keys from the new DCID and sends a
 * new ClientHello (RFC 9000 §17.2.5.2). So: keys of the packet's own DCID first — the held
 * keys when it is the held DCID —, then, for another DCID, the held keys. Only a packet that
 * authenticates under keys of a new DCID restarts the gathered bytes. */
static enum dis_status quic_decrypt(const uint8_t *p, size_t start, const struct quic_long *h,
				    struct quic_crypto *acc)
{
	const struct quic_ver *qv = quic_version(h->version);
	/* The sample starts 4 bytes after the packet number (RFC 9001 §5.4.2). */
	if (h->end - h->pn_off < QUIC_PN_MAX_LEN + QUIC_SAMPLE_LEN) {
		acc->reason = "packet too short to sample";
		return DIS_MALFORMED;
	}
	if (h->end > QUIC_MAX_PACKET) {
		acc->reason = "Initial packet over QUIC_MAX_PACKET";
		return DIS_MALFORMED;
	}
	bool held = acc->started && acc->keys_ready && acc->version == h->version;
	bool same = held && acc->dcid_len == h->dcid_len &&
		    memcmp(acc->dcid, h->dcid, h->dcid_len) == 0;
	struct quic_keys keys = acc->keys;
	if (!same && !quic_derive(qv, h->dcid, h->dcid_len, &keys)) {
		acc->reason = "libgcrypt failed deriving keys";
		return DIS_MALFORMED;
	}
	/* buf holds the unprotected header (the AEAD's associated data), then the plaintext. */
	uint8_t buf[QUIC_MAX_PACKET];
	size_t hdr_len = 0, ct_len = 0;
	uint64_t pn = 0;
	const char *why = quic_unprotect(p, h, &keys, buf, &hdr_len, &ct_len, &pn);
	if (why && held && !same) {
		keys = acc->keys;
		why = quic_unprotect(p, h, &keys, buf, &hdr_len, &ct_len, &pn);
		same = why == NULL;
	}
	if (why) {
		acc->reason = why;
		return DIS_MALFORMED;
	}

	if (!same) {
		quic_crypto_reset(acc);
		acc->started = true;
		acc->version = h->version;
		acc->dcid_len = h->dcid_len;
		memcpy(acc->dcid, h->dcid, h->dcid_len);
		acc->keys = keys;
		acc->keys_ready = true;
	}
	memset(&acc->pkt, 0, sizeof(acc->pkt));
	acc->pkt.offset = start;
	acc->pkt.consumed = start + h->end;
	acc->pkt.version = h->version;
	acc->pkt.dcid_len = h->dcid_len;
	memcpy(acc->pkt.dcid, h->dcid, h->dcid_len);
	acc->pkt.scid_len = h->scid_len;
	memcpy(acc->pkt.scid, h->scid, h->scid_len);
	acc->pkt.token_len = h->token_len;
	acc->pkt.pn = pn;
	acc->n_packets++;
	acc->reason = quic_frames(acc, buf + hdr_len, ct_len);
	return acc->reason ? DIS_MALFORMED : DIS_OK;
}

enum dis_status quic_initial(const uint8_t *p, size_t len, struct quic_crypto *acc)
{
	struct cur c = cur_make(p, len);
	for (unsigned n = 0; n < QUIC_MAX_PACKETS_PER_DATAGRAM && cur_left(&c) > 0; n++) {
		size_t start = cur_off(&c);
		struct quic_long h;
		const char *why = quic_long_header(cur_sub(&c, cur_left(&c)), &h);
		cur_seek(&c, start);
		if (why) {
			acc->reason = why;
			return DIS_MALFORMED;
		}
		if (!(h.first & QUIC_HDR_FIXED)) {
			acc->reason = "fixed bit clear";
			return DIS_MALFORMED;
		}
		const uint8_t *pkt = cur_take(&c, h.end);   /* in the window: checked above */
		if (QUIC_HDR_TYPE(h.first) == quic_version(h.version)->initial_type) {
			return quic_decrypt(pkt, start, &h, acc);
		}
		/* 0-RTT or Handshake first: skip it by its Length. */
	}
	acc->reason = "no Initial packet in the datagram";
	return DIS_MALFORMED;
}

size_t quic_frame_as_record(const uint8_t *hs, size_t len, uint8_t *out, size_t cap)
{
	if (len == 0 || hs == NULL || out == NULL || len > cap || quic_record_size(len) > cap)
		return 0;
	size_t w = 0;
	for (size_t off = 0; off < len;) {
		size_t n = len - off < 16384 ? len - off : 16384;
		out[w++] = 22;     /* handshake */
		out[w++] = 0x03;   /* legacy_record_version 0x0303 */
		out[w++] = 0x03;
		out[w++] = (uint8_t)(n >> 8);
		out[w++] = (uint8_t)n;
		memcpy(out + w, hs + off, n);
		w += n;
		off += n;
	}
	return w;
}
