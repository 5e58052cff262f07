/* limits.h: every cap misroute puts on work and memory, each with the reason for its value.
 * Values a user may change at run time are defaults here and options in main.c. */
#ifndef MISROUTE_LIMITS_H
#define MISROUTE_LIMITS_H

/* Link layer: 802.1Q/QinQ stacks deeper than this are not real networks. */
#define LINK_MAX_VLAN_TAGS 4
/* Tunnels (IP-in-IP, 6in4, GRE, ERSPAN, VXLAN, Geneve, Ethernet over MPLS) decoded inside
 * each other at most this deep. */
#define IP_MAX_TUNNEL_DEPTH 2
/* MPLS label stack entries (RFC 3032) before the packet is called malformed: real stacks
 * hold two or three (transport, service, entropy). */
#define LINK_MAX_MPLS_LABELS 8
/* IPv6 extension headers walked before the packet is called malformed (RFC 8200 allows
 * any number; real stacks send at most a handful, attackers send hundreds). */
#define IP6_MAX_EXT_HEADERS 8

/* IP fragment reassembly: a datagram is at most 64 KiB by definition; keep at most this many
 * half-built datagrams and this many bytes in all, and give each one this long to complete
 * (RFC 791 suggests 15 s as a lower bound; Linux uses 30 s). */
#define FRAG_MAX_DATAGRAM 65535
#define FRAG_MAX_PENDING 1024
#define FRAG_MAX_BYTES (16u << 20)
#define FRAG_MAX_PIECES 64
#define FRAG_TIMEOUT_US (30ull * 1000000)

/* Flow table: defaults for --max-flows and the idle timeouts (Zeek and Suricata use
 * similar values: long for TCP, short for UDP, very short once both sides closed). */
#define FLOW_DEFAULT_MAX 262144
#define FLOW_TIMEOUT_TCP_US (300ull * 1000000)
#define FLOW_TIMEOUT_TCP_CLOSED_US (10ull * 1000000)
#define FLOW_TIMEOUT_UDP_US (60ull * 1000000)
#define FLOW_TIMEOUT_OTHER_US (60ull * 1000000)
/* nDPI gets a flow's first packets with payload only; after this many it has had its chance. */
#define FLOW_NDPI_MAX_PACKETS 16

/* TCP reassembly: defaults for --stream-depth (bytes per direction reassembled from the start
 * of a stream: enough for a handshake, an autodiscover exchange and mail logins) and the total
 * memory all streams may hold. */
#define REASM_DEFAULT_DEPTH (64u << 10)
#define REASM_DEFAULT_MEMCAP (256u << 20)
/* Out-of-order segments held per direction while waiting for a hole to fill. */
#define REASM_MAX_OOO_SEGMENTS 64
/* Bytes per direction held for a dissector that has not consumed them (a message that spans
 * segments); a message bigger than this is skipped as a gap. */
#define REASM_MAX_PENDING (16u << 10)

/* DNS (RFC 1035 section 2.3.4): labels of 63 bytes, names of 255; a name may follow at most
 * this many compression pointers (each must point strictly backwards anyway). */
#define DNS_MAX_LABEL 63
#define DNS_MAX_NAME 255
#define DNS_MAX_POINTERS 32
/* Questions and records kept per message; the rest are counted, not kept. */
#define DNS_MAX_QUESTIONS 8
#define DNS_MAX_RRS 64
/* Text space for the names and presentation-form data of one message. */
#define DNS_ARENA 16384

/* HTTP/1.x (RFC 9112): a head is parsed in place from the reassembly window, so it can be at
 * most REASM_MAX_PENDING long; real browsers send 10 to 30 field lines. Kept strings are cut at
 * these lengths (servers refuse longer URLs too) into one arena per message. A body is kept
 * only when the engine asks (autodiscover replies are a few KiB), decoded, up to HTTP_MAX_BODY. */
#define HTTP_MAX_HEADER_BYTES (16u << 10)
#define HTTP_MAX_HEADERS 100
/* Bytes that are no start line within a direction's first 10 KiB, with none lost, mean it is
 * not HTTP (Zeek's DPD::ignore_violations_after); later, the parser resynchronises. */
#define HTTP_VIOLATION_WINDOW (10u << 10)
#define HTTP_MAX_TARGET 8192
#define HTTP_MAX_VALUE 1024
#define HTTP_ARENA (20u << 10)
#define HTTP_MAX_BODY (64u << 10)
#define TLS_MAX_HELLO (64u << 10) /* a TLS ClientHello gathered across records; real ones < 16 KiB */

/* Output: one record is at most this long; longer values are cut and marked. */
#define RECORD_MAX 65536
/* Names in records are at most this many bytes after \DDD escaping (255 * 4 + slack). */
#define NAME_TEXT_MAX 1100

#define AD_MAX_BODY (64u << 10) /* autodiscover: the HTTP body cap; a longer body is parsed as a cut prefix */
#define AD_MAX_DEPTH 32 /* autodiscover XML/JSON nesting: POX, autodetect and autoconfig documents nest under 10 */
#define AD_MAX_ELEMENTS 4096 /* autodiscover XML elements / JSON values walked: a real response has about a hundred */
#define AD_MAX_TEXT 2048 /* longest autodiscover text value kept (URLs are the longest); longer ones are cut and marked */
#define AD_MAX_SERVERS 32 /* autodiscover server/URL entries kept per body: a full EXCH/EXPR/WEB answer has about 15 */
#define AD_MAX_MAILBOXES 8 /* distinct autodiscover mailboxes kept per body: a request names one, a redirect two */
#define AD_ARENA 16384 /* text space for the strings of one autodiscover result */
#define MAIL_MAX_LINE 4096 /* mail command/reply line cap (RFC 5321 4.5.3.1: 1000); longer lines are skipped to their end and counted */

/* Rule files: */
#define RULES_MAX_LINE 4096              /* a rule line; real ones are under 300 bytes */
#define RULES_MAX_INCLUDE_DEPTH 8        /* nesting of include; deeper is a mistake or a loop */
#define RULES_MAX_FILE_BYTES (1ull << 30) /* a rule or intel file; 1M rules are ~100 MB */
#define RULES_MAX_RULES (1u << 24)       /* rule indices are 32-bit with room to spare */
#define RULES_MAX_INTEL_COLUMNS 64       /* Zeek intel files carry about ten */

/* Detection: an autodiscover lookup keeps a client suspect for 10 minutes (DESIGN.md); repeats
 * of one incident within 10 minutes are one record. Clients remembered (4 domains each), and
 * addresses in the passive DNS (4 names each, kept for their TTL within [1 min, 1 day]); the
 * client table evicts the least recently used entry of a probe window when full, the passive
 * DNS the one whose names expire first. The passive DNS's names and their evidence are
 * records in a ring of 8 MiB (about 90,000 names): the most recent answers. Incidents waiting
 * for their window to close: more are written early rather than lost. */
#define DETECT_DEFAULT_CONTEXT_US (600ull * 1000000)
#define DETECT_DEFAULT_WINDOW_US (600ull * 1000000)
#define DETECT_MAX_CLIENTS 8192
#define DETECT_CTX_PER_CLIENT 4
#define DETECT_MAX_PDNS 16384
#define DETECT_PDNS_NAMES 4
#define DETECT_PDNS_MIN_TTL 60
#define DETECT_PDNS_MAX_TTL 86400
#define DETECT_PDNS_RING (8u << 20)
#define DETECT_MAX_PENDING 1024
#endif
