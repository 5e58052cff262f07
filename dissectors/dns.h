/* dns.h: DNS messages (RFC 1035, RFC 3596, RFC 2782, RFC 6891 EDNS, RFC 9460 SVCB/HTTPS). */
#ifndef MISROUTE_DNS_H
#define MISROUTE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dissect.h"
#include "core/limits.h"

enum dns_section { DNS_ANSWER = 1, DNS_AUTHORITY = 2, DNS_ADDITIONAL = 3 };

struct dns_question {
	const char *name;   /* normalised presentation form, in the message's arena */
	uint16_t name_len;  /* strlen(name) */
	uint16_t type, qclass;
};

struct dns_rr {
	const char *name;   /* normalised presentation form */
	const char *data;   /* presentation form of the RDATA (see dns_parse) */
	uint16_t name_len, data_len; /* their strlen */
	uint32_t ttl;
	uint16_t type, rclass;
	uint8_t section;    /* enum dns_section */
	bool has_addr;      /* an A or AAAA record: */
	uint8_t addr[16];   /* its address (A in the first 4 bytes, the rest zero) */
};

/* One parsed message. The caller owns it (it is large: keep one per worker, not per flow);
 * every string points into its arena and lives as long as the struct. */
struct dns_msg {
	uint16_t id;
	bool qr, aa, tc, rd, ra, ad, cd;
	uint8_t opcode;
	uint16_t rcode;            /* with the EDNS extended bits when an OPT record is present */
	uint16_t qdcount, ancount, nscount, arcount; /* as the header says */
	uint16_t n_q;              /* questions kept */
	uint16_t n_rr;             /* records kept, all sections, in wire order; OPT is not kept */
	uint16_t rr_dropped;       /* records parsed but not kept (over DNS_MAX_RRS, or no arena room) */
	bool edns;                 /* an OPT record was present */
	uint16_t edns_udp_size;
	uint8_t edns_version;
	bool edns_do;
	const char *reason;        /* why, on DIS_MALFORMED/DIS_SHORT, or why a DIS_OK result is partial */
	size_t used;               /* bytes read, to the end of the last record: a whole message's
	                            * length, less than len when bytes trail it */
	size_t arena_used;
	/* Only q[0..n_q), rr[0..n_rr) and what they point to hold anything. */
	struct dns_question q[DNS_MAX_QUESTIONS];
	struct dns_rr rr[DNS_MAX_RRS];
	char arena[DNS_ARENA];
};

/* Parses one DNS message from p[0..len). Fills *m (reset first).
 * Names: lower-cased, no trailing dot, the root as ".", bytes outside 0x21..0x7e written as
 * \DDD, a '.' or '\' inside a label escaped with '\'. Compression pointers must point strictly
 * backwards from the name they occur in, at most DNS_MAX_POINTERS per name; labels <= 63 and
 * names <= 255 bytes on the wire.
 * RDATA presentation (as tshark and dig print it): A/AAAA address text; CNAME/NS/PTR/DNAME
 * the target name; MX "pref exchange"; SRV "prio weight port target"; TXT/SPF each string
 * in double quotes, space separated; SOA "mname rname serial refresh retry expire minimum";
 * HTTPS/SVCB "prio target"; CAA `flags tag "value"`; URI `prio weight "target"`; any other type
 * no text at all (data_len 0).
 * Returns DIS_OK when the header and all questions parsed; records that fail to parse end the
 * parse but keep what came before (m->reason says why, and the return is DIS_MALFORMED only when
 * not even the header and questions parsed). DIS_SHORT when len < 12.
 * A DIS_OK result with m->reason set is partial: a record was bad or the counts lie (nothing
 * after it was read), or records were dropped (rr_dropped: over DNS_MAX_RRS, "more records than
 * DNS_MAX_RRS", or too big for the arena left, "arena full"; a later record that fits is still
 * kept). Questions past DNS_MAX_QUESTIONS are checked, not kept (qdcount - n_q). */
enum dis_status dns_parse(const uint8_t *p, size_t len, struct dns_msg *m);

/* "A", "AAAA", ... or "TYPE123" for a type without a mnemonic. buf holds at least 12 bytes. */
const char *dns_type_name(uint16_t type, char *buf, size_t size);
/* "NOERROR", "NXDOMAIN", ... (IANA names, 12 bits) or "RCODE12". */
const char *dns_rcode_name(uint16_t rcode, char *buf, size_t size);

#endif
