/* tls.h: TLS ClientHello dissector — SNI, ALPN, versions, JA3 and JA4 (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301, RFC 8701). */
#ifndef MISROUTE_TLS_H
#define MISROUTE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dissect.h"
#include "core/limits.h"

/* Lists kept per ClientHello. Real clients stay far below these (browsers send ~16 ciphers,
 * ~16 extensions, ~10 groups and signature algorithms; an OpenSSL "ALL" list is ~140
 * ciphers); entries past a cap are counted, not kept, and `truncated` is set. */
#define TLS_MAX_CIPHERS 160
#define TLS_MAX_EXTS 64
#define TLS_MAX_GROUPS 32
#define TLS_MAX_POINT_FORMATS 8
#define TLS_MAX_SIG_ALGS 64
#define TLS_MAX_VERSIONS 16
/* ALPN protocols kept, and text bytes for each after \DDD escaping (registered ids are at most
 * 18 bytes; a longer one is cut and `truncated` set). */
#define TLS_MAX_ALPN 8
#define TLS_ALPN_TEXT 64
/* A host name is at most 255 bytes (RFC 1035 2.3.4); escaped, each byte may take 4. */
#define TLS_MAX_SNI 255
#define TLS_SNI_TEXT (TLS_MAX_SNI * 4 + 1)
/* "771," + every kept cipher, extension, group and point format as decimal with a '-'. */
#define TLS_JA3_TEXT (8 + 6 * (TLS_MAX_CIPHERS + TLS_MAX_EXTS + TLS_MAX_GROUPS) + \
                      4 * TLS_MAX_POINT_FORMATS)
/* "t13d1516h2_" + 12 + "_" + 12. */
#define TLS_JA4_TEXT 37

/* One parsed ClientHello. The caller owns it; it is large (it holds a TLS_MAX_HELLO scratch
 * buffer for hellos spread over several records), so keep one per worker, not per flow.
 * Every list is in wire order and keeps GREASE values (RFC 8701); the fingerprints skip them.
 * Holds no pointers: it may be copied. */
struct tls_hello {
	uint16_t record_version;   /* legacy_record_version of the first record (0x0301 usually) */
	uint16_t hello_version;    /* ClientHello.legacy_version (0x0303 for TLS 1.2 and 1.3) */
	uint16_t version;          /* highest non-GREASE supported_versions entry, else hello_version */
	uint16_t versions[TLS_MAX_VERSIONS];   /* supported_versions (0x002b) */
	uint16_t ciphers[TLS_MAX_CIPHERS];
	uint16_t exts[TLS_MAX_EXTS];           /* extension types */
	uint16_t groups[TLS_MAX_GROUPS];       /* supported_groups (0x000a) */
	uint16_t sig_algs[TLS_MAX_SIG_ALGS];   /* signature_algorithms (0x000d) */
	uint8_t point_formats[TLS_MAX_POINT_FORMATS]; /* ec_point_formats (0x000b) */
	uint16_t n_versions, n_ciphers, n_exts, n_groups, n_sig_algs, n_point_formats; /* kept */
	uint16_t ciphers_total, exts_total;    /* on the wire, kept or not */
	bool truncated;            /* a list, the SNI or an ALPN id exceeded its cap */
	bool has_sni_ext;          /* a server_name extension was present (JA4 "d") */
	bool has_sni;              /* ...and it held a non-empty host_name: sni is set */
	bool ech;                  /* encrypted_client_hello (0xfe0d): sni is the outer, public name */
	bool has_alpn;             /* an ALPN extension was present */
	uint8_t n_alpn;            /* ALPN protocol ids kept in alpn[] */
	uint32_t n_records;        /* TLS records the hello arrived in */
	bool sslv2;                /* DIS_MALFORMED because this is an SSLv2-compatible hello */
	size_t consumed;           /* bytes of the input taken by those records (DIS_OK) */
	/* Host name of the first host_name entry: lower-cased (ASCII), one trailing dot removed,
	 * '\' as "\\", bytes outside 0x21..0x7e as \DDD; "" when none. */
	char sni[TLS_SNI_TEXT];
	/* ALPN protocol ids (RFC 7301 3.1) escaped as the SNI, case kept; alpn[0] is the first one
	 * offered, the ECS tls.next_protocol. */
	char alpn[TLS_MAX_ALPN][TLS_ALPN_TEXT];
	char alpn_ja4[3];          /* JA4's first and last character of alpn[0]; "00" when none */
	/* The fingerprints, set by tls_fingerprints only (hashing is not free). */
	char ja3[TLS_JA3_TEXT];    /* "771,4865-4866,0-23-65281,29-23,0" */
	char ja3_md5[33];          /* its MD5, lower-case hex */
	char ja4[TLS_JA4_TEXT];    /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */
	const char *reason;        /* static text: why, for DIS_MALFORMED and DIS_SHORT */
	size_t hs_len;             /* scratch bytes in use */
	uint8_t hs[TLS_MAX_HELLO]; /* the handshake message gathered from several records */
};

/* Parses the ClientHello at the start of a TLS byte stream, p[0..len): the client's bytes
 * from the first byte of TLS on (for STARTTLS: the first byte after the command line).
 * Fills *out (reset first). The hello may be spread over several handshake records; a
 * caller that gets DIS_SHORT calls again with the same start and more bytes.
 * Returns DIS_OK with every field but the fingerprints set; DIS_SHORT when the records so far end before the
 * hello does; DIS_MALFORMED (out->reason) when the bytes are not a TLS ClientHello: another
 * record or handshake type, a length that lies, a hello over TLS_MAX_HELLO, or an
 * SSLv2-compatible hello (out->sslv2; it has no extensions, so no SNI).
 * The fingerprints use libgcrypt, which main must initialise (gcry_check_version) first. */
__attribute__((warn_unused_result))
enum dis_status tls_client_hello(const uint8_t *p, size_t len, struct tls_hello *out);

/* Fingerprints already computed. Hellos from the same client software carry the same lists
 * (GREASE values aside, which the fingerprints skip), so their fingerprints repeat: they are
 * remembered in TLS_FP_MEMO direct-mapped slots keyed by every input of JA3 and JA4 with
 * GREASE left out, and a slot answers only for a key equal to its own, byte for byte. A hello
 * whose key or JA3 text would not fit a slot is fingerprinted every time. One per thread;
 * zeroed memory is an empty memo. */
#define TLS_FP_MEMO 256
#define TLS_FP_MEMO_KEY 320
#define TLS_FP_MEMO_JA3 384
struct tls_fp_slot {
	uint16_t key_len;          /* 0: empty */
	uint8_t key[TLS_FP_MEMO_KEY];
	char ja3[TLS_FP_MEMO_JA3];
	char ja3_md5[33];
	char ja4[TLS_JA4_TEXT];
};
struct tls_fp_memo {
	struct tls_fp_slot slot[TLS_FP_MEMO];
};

/* Sets ja3, ja3_md5 and ja4 of a hello tls_client_hello returned DIS_OK for. memo may be
 * NULL. */
void tls_fingerprints(struct tls_hello *h, struct tls_fp_memo *memo);

/* Writes the raw JA4 (FoxIO "JA4_r": sorted lists, not hashed) of a parsed hello to buf,
 * NUL-terminated and cut to size. Returns the length it needed, without the NUL. */
size_t tls_ja4_raw(const struct tls_hello *h, char *buf, size_t size);

/* True for the RFC 8701 GREASE values 0x0a0a, 0x1a1a, ... 0xfafa. */
bool tls_is_grease(uint16_t v);

#endif
