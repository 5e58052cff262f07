/* source.h: where packets come from — capture files (pcap, pcapng, '-' for stdin) or a live
 * interface, opened through libpcap. */
#ifndef MISROUTE_SOURCE_H
#define MISROUTE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source;

struct live_opts {
	const char *iface;
	int snaplen;        /* bytes kept per packet */
	int buffer_mib;     /* kernel ring buffer */
	bool promisc;
	int timeout_ms;     /* how long a read waits before the caller gets control back */
	int fanout_group;   /* > 0: join this AF_PACKET fanout group (hashed by flow) */
};

/* Opens a capture file (or stdin for "-"), applying the BPF filter when not NULL. NULL with a
 * one-line reason naming the file in err when it cannot be read or its link type is not one
 * misroute decodes. */
struct source *source_open_file(const char *path, const char *filter, char *err, size_t errlen);

/* Opens a live capture (a TPACKET_V3 ring of buffer_mib); NULL with a reason naming the
 * interface in err. With fanout_group, every source opened on the interface with the same
 * group gets its share of the packets, both directions of a flow in the same share. */
struct source *source_open_live(const struct live_opts *o, const char *filter, char *err,
				size_t errlen);

int source_datalink(const struct source *s);
/* True when the file's records are read by misroute (a classic pcap file), false when by
 * libpcap (pcapng, other formats, a pipe, a live interface). */
bool source_reads_itself(const struct source *s);
const char *source_name(const struct source *s);

/* The next packet: 1 with the packet's bytes (lent until the next call), 0 when nothing came
 * within a tenth of a second (live), -1 at the end of a file, -2 on an error (reason in err). */
int source_next(struct source *s, const uint8_t **data, size_t *caplen, uint32_t *wirelen,
		uint64_t *ts_us, char *err, size_t errlen);

/* Capture statistics since the source opened (live only), in 64 bits although libpcap's
 * wrap at 2^32: call at least once per 2^32 packets. False when the source has none. */
bool source_stats(struct source *s, uint64_t *received, uint64_t *dropped, uint64_t *ifdropped);

/* Bytes of the file read so far (0 when unknown, as for a pipe). */
uint64_t source_position(struct source *s);

void source_close(struct source *s);

#endif
