/* source.c: capture files and live interfaces behind source.h, through libpcap; the records of
 * a classic pcap file are read here. */
#include "capture/source.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/decode.h"
#include "core/cursor.h"

/* The longest a live read waits before handing control back. */
#define SOURCE_IDLE_MS 100
/* The stdio buffer a capture file is read through. */
#define SOURCE_FILE_BUFFER (1u << 16)
/* The records of a classic pcap file are read in chunks of up to this much. */
#define SOURCE_READ_BUFFER (1u << 20)
/* libpcap's largest sane record (MAXIMUM_SNAPLEN): a longer one is a damaged file. */
#define SOURCE_MAX_CAPLEN 262144u
#define SOURCE_RECORD_HEADER 16u
_Static_assert(SOURCE_READ_BUFFER >= SOURCE_RECORD_HEADER + SOURCE_MAX_CAPLEN, "a record fits");

/* A classic pcap file (format 2.4, micro- or nanosecond stamps) whose records misroute reads
 * itself once libpcap has checked its header. libpcap reads a record with two fread calls,
 * each a copy out of stdio's buffer: a fifth of a replay's instructions. Here a chunk of the
 * file is read at once and each record is lent where read(2) put it. */
struct source_pcap {
	int fd;                          /* read directly: the stdio buffer is emptied first */
	uint8_t *buf;                    /* SOURCE_READ_BUFFER bytes */
	size_t have, at;                 /* bytes in buf; where the next record starts */
	uint64_t pos;                    /* file offset of buf[0] */
	uint32_t snaplen;                /* libpcap's, from the file header */
	bool big, nano;                  /* big-endian; nanosecond stamps */
	bool filtered;
	struct bpf_program prog;         /* the filter, when filtered */
};

struct source {
	pcap_t *pcap;
	int dlt;
	bool live;
	char name[256];
	struct pcap_stat last;           /* libpcap's 32-bit counters when last asked */
	uint64_t received, dropped, ifdropped;
	char *file_buffer;               /* the stdio buffer of a capture file (not stdin's) */
	struct source_pcap *own;         /* a classic pcap file read here; NULL: by libpcap */
};

/* Joins the fanout group: the kernel hashes each packet's addresses and ports symmetrically
 * (both directions alike), reassembles IP fragments first so they follow their flow, and
 * gives the packet to one socket of the group. */
static int source_fanout(struct source *s, int group, char *err, size_t errlen)
{
	uint32_t arg = (uint32_t)(group & 0xffff) |
		       (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
	if (setsockopt(pcap_fileno(s->pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		snprintf(err, errlen, "%s: cannot join fanout group %d: %s", s->name, group,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Checks the link type and installs the filter: what every opened source needs. */
static int source_setup(struct source *s, const char *filter, char *err, size_t errlen)
{
	s->dlt = pcap_datalink(s->pcap);
	if (!decode_link_supported(s->dlt)) {
		const char *n = pcap_datalink_val_to_name(s->dlt);
		snprintf(err, errlen, "%s: unsupported link type %s (%d)", s->name, n ? n : "unknown",
			 s->dlt);
		return -1;
	}
	if (!filter)
		return 0;
	struct bpf_program prog;
	if (pcap_compile(s->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(s->pcap));
		return -1;
	}
	if (s->own) {
		s->own->prog = prog;
		s->own->filtered = true;
		return 0;
	}
	int rc = pcap_setfilter(s->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(s->pcap));
		return -1;
	}
	return 0;
}

/* Takes over the reading of f when libpcap opened it as a classic pcap file of format 2.4:
 * 0 either way, -1 out of memory. Its magic number, which says whether the stamps are micro-
 * or nanoseconds, is read again from the file, so a pipe stays with libpcap. */
static int source_own(struct source *s, FILE *f)
{
	if (pcap_major_version(s->pcap) != 2 || pcap_minor_version(s->pcap) != 4)
		return 0;
	off_t end = ftello(f); /* of the 24-byte file header libpcap read */
	uint8_t m[4];
	if (end < 24 || pread(fileno(f), m, sizeof m, end - 24) != sizeof m)
		return 0;
	struct cur le = cur_make(m, sizeof m), be = le;
	uint32_t magic = cur_le32(&le);
	bool big = false;
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		magic = cur_be32(&be);
		big = true;
	}
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
		return 0; /* a variant with longer record headers */
	/* fflush drops what stdio read ahead and puts the file offset at the stream's position:
	 * from there the records are read without stdio, and stdio stays consistent with it. */
	if (fflush(f) != 0 || lseek(fileno(f), 0, SEEK_CUR) != end)
		return 0;
	struct source_pcap *r = calloc(1, sizeof *r);
	if (!r || !(r->buf = malloc(SOURCE_READ_BUFFER))) {
		free(r);
		return -1;
	}
	r->fd = fileno(f);
	r->pos = (uint64_t)end;
	r->snaplen = (uint32_t)pcap_snapshot(s->pcap);
	r->big = big;
	r->nano = magic == 0xa1b23c4d;
	s->own = r;
	return 0;
}

struct source *source_open_file(const char *path, const char *filter, char *err, size_t errlen)
{
	struct source *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	snprintf(s->name, sizeof s->name, "%s", strcmp(path, "-") ? path : "(stdin)");
	/* libpcap reads a file through stdio; its default 4 KiB buffer costs one read(2) per
	 * 4 KiB, a quarter of a replay's time. */
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", s->name, strerror(errno));
		free(s);
		return NULL;
	}
	/* glibc takes the size only with a buffer of the caller's. libpcap leaves stdin open
	 * when it closes, so stdin's buffer must outlive every source: a static one, set before
	 * its first read. */
	static char stdin_buffer[SOURCE_FILE_BUFFER];
	static bool stdin_buffered;
	if (f == stdin) {
		if (!stdin_buffered)
			setvbuf(stdin, stdin_buffer, _IOFBF, sizeof stdin_buffer);
		stdin_buffered = true;
	} else if ((s->file_buffer = malloc(SOURCE_FILE_BUFFER)) != NULL) {
		setvbuf(f, s->file_buffer, _IOFBF, SOURCE_FILE_BUFFER);
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	s->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!s->pcap) {
		snprintf(err, errlen, "%s: %s", s->name, perr);
		if (f != stdin)
			fclose(f);
		free(s->file_buffer);
		free(s);
		return NULL;
	}
	if (source_own(s, f) < 0) {
		snprintf(err, errlen, "%s: out of memory", s->name);
		source_close(s);
		return NULL;
	}
	if (source_setup(s, filter, err, errlen) < 0) {
		source_close(s);
		return NULL;
	}
	return s;
}

struct source *source_open_live(const struct live_opts *o, const char *filter, char *err,
				size_t errlen)
{
	struct source *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", o->iface);
		return NULL;
	}
	s->live = true;
	snprintf(s->name, sizeof s->name, "%s", o->iface);
	char perr[PCAP_ERRBUF_SIZE] = "";
	s->pcap = pcap_create(o->iface, perr);
	if (!s->pcap) {
		snprintf(err, errlen, "%s: %s", o->iface, perr);
		free(s);
		return NULL;
	}
	pcap_set_snaplen(s->pcap, o->snaplen);
	pcap_set_promisc(s->pcap, o->promisc);
	pcap_set_timeout(s->pcap, o->timeout_ms);
	pcap_set_buffer_size(s->pcap, o->buffer_mib << 20);
	pcap_set_tstamp_precision(s->pcap, PCAP_TSTAMP_PRECISION_MICRO);
	int rc = pcap_activate(s->pcap);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", o->iface,
			 rc == PCAP_ERROR ? pcap_geterr(s->pcap) : pcap_statustostr(rc));
		source_close(s);
		return NULL;
	}
	/* Non-blocking, so that an idle link still hands control back (see source_next). */
	if (pcap_setnonblock(s->pcap, 1, perr) < 0) {
		snprintf(err, errlen, "%s: %s", o->iface, perr);
		source_close(s);
		return NULL;
	}
	if (source_setup(s, filter, err, errlen) < 0 ||
	    (o->fanout_group > 0 && source_fanout(s, o->fanout_group, err, errlen) < 0)) {
		source_close(s);
		return NULL;
	}
	return s;
}

int source_datalink(const struct source *s) { return s->dlt; }
const char *source_name(const struct source *s) { return s->name; }
bool source_reads_itself(const struct source *s) { return s->own != NULL; }

/* At least n bytes of the file from r->at in the buffer, reading more when there are fewer: 1,
 * or 0 when the file ends first, -1 on a read error. */
static int source_fill(struct source_pcap *r, size_t n)
{
	memmove(r->buf, r->buf + r->at, r->have - r->at);
	r->pos += r->at;
	r->have -= r->at;
	r->at = 0;
	while (r->have < n) {
		ssize_t got = read(r->fd, r->buf + r->have, SOURCE_READ_BUFFER - r->have);
		if (got <= 0)
			return got < 0 ? -1 : 0;
		r->have += (size_t)got;
	}
	return 1;
}

static uint32_t source_u32(struct cur *c, bool big)
{
	return big ? cur_be32(c) : cur_le32(c);
}

/* A classic pcap file's seconds and fraction are unsigned 32-bit fields (the seconds run to
 * 2106), which libpcap reads as signed in a file of this machine's byte order: a negative
 * value is read back as such a field past 2^31. */
static uint64_t source_u32_field(long v)
{
	return v < 0 ? (uint32_t)v : (uint64_t)v;
}

/* source_next of a classic pcap file, with libpcap's checks and its words for what fails. */
static int source_next_own(struct source *s, const uint8_t **data, size_t *caplen,
			   uint32_t *wirelen, uint64_t *ts_us, char *err, size_t errlen)
{
	struct source_pcap *r = s->own;
	for (;;) {
		int rc = 1;
		if (r->have - r->at < SOURCE_RECORD_HEADER)
			rc = source_fill(r, SOURCE_RECORD_HEADER);
		if (rc == 0 && r->have == r->at)
			return -1;
		if (rc == 0) {
			snprintf(err, errlen,
				 "%s: truncated dump file; tried to read %u header bytes, only got %zu",
				 s->name, SOURCE_RECORD_HEADER, r->have - r->at);
			return -2;
		}
		if (rc < 0)
			break;
		struct cur c = cur_make(r->buf + r->at, r->have - r->at);
		uint32_t sec = source_u32(&c, r->big), frac = source_u32(&c, r->big);
		uint32_t cap = source_u32(&c, r->big), len = source_u32(&c, r->big);
		if (cap > SOURCE_MAX_CAPLEN) {
			snprintf(err, errlen, "%s: invalid packet capture length %u, bigger than %s of %u",
				 s->name, cap, cap > r->snaplen ? "snaplen" : "maximum",
				 cap > r->snaplen ? r->snaplen : SOURCE_MAX_CAPLEN);
			return -2;
		}
		if (r->have - r->at < SOURCE_RECORD_HEADER + cap) {
			rc = source_fill(r, SOURCE_RECORD_HEADER + cap);
			c = cur_make(r->buf + r->at, r->have - r->at); /* the bytes moved */
			cur_skip(&c, SOURCE_RECORD_HEADER);
		}
		if (rc == 0) {
			/* libpcap reads a record over the snapshot length in two steps, its first
			 * snaplen bytes and the rest, and names the step that came up short. */
			size_t got = r->have - r->at - SOURCE_RECORD_HEADER;
			snprintf(err, errlen,
				 "%s: truncated dump file; tried to read %u captured bytes, only got %zu",
				 s->name, cap > r->snaplen && got < r->snaplen ? r->snaplen : cap, got);
			return -2;
		}
		if (rc < 0)
			break;
		/* Whole: the refill made sure of cap bytes after the header. */
		const uint8_t *p = cur_take(&c, cap);
		r->at += SOURCE_RECORD_HEADER + cap;
		/* A record longer than the file's snapshot length is cut to it, as libpcap does. */
		struct pcap_pkthdr ph = { .caplen = cap < r->snaplen ? cap : r->snaplen, .len = len };
		if (r->filtered && !pcap_offline_filter(&r->prog, &ph, p))
			continue;
		/* libpcap divides a nanosecond fraction as signed in a file of this machine's byte
		 * order and as unsigned in the other. Only a fraction of 2^31 or more, which no
		 * capture holds, tells them apart; it is divided here as libpcap does. */
		bool host_order = r->big == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
		long usec = !r->nano ? (long)frac
			  : host_order ? (long)((int32_t)frac / 1000) : (long)(frac / 1000);
		*data = p;
		*caplen = ph.caplen;
		*wirelen = ph.len;
		*ts_us = (uint64_t)sec * 1000000u + source_u32_field(usec);
		return 1;
	}
	snprintf(err, errlen, "%s: error reading dump file: %s", s->name, strerror(errno));
	return -2;
}

int source_next(struct source *s, const uint8_t **data, size_t *caplen, uint32_t *wirelen,
		uint64_t *ts_us, char *err, size_t errlen)
{
	if (s->own)
		return source_next_own(s, data, caplen, wirelen, ts_us, err, errlen);
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc = pcap_next_ex(s->pcap, &h, &bytes);
	if (rc == 1) {
		*data = bytes;
		*caplen = h->caplen;
		*wirelen = h->len;
		*ts_us = source_u32_field(h->ts.tv_sec) * 1000000u + source_u32_field(h->ts.tv_usec);
		return 1;
	}
	if (rc == 0) {
		/* Nothing ready: wait for the ring, at most SOURCE_IDLE_MS. libpcap's own blocking
		 * read of a TPACKET_V3 ring would wait for ever on an idle link. */
		struct pollfd pfd = { .fd = pcap_get_selectable_fd(s->pcap), .events = POLLIN };
		if (s->live && pfd.fd >= 0)
			poll(&pfd, 1, SOURCE_IDLE_MS);
		return 0;
	}
	if (rc == PCAP_ERROR_BREAK)
		return -1;
	snprintf(err, errlen, "%s: %s", s->name, pcap_geterr(s->pcap));
	return -2;
}

bool source_stats(struct source *s, uint64_t *received, uint64_t *dropped, uint64_t *ifdropped)
{
	struct pcap_stat ps;
	if (!s->live || pcap_stats(s->pcap, &ps) < 0)
		return false;
	/* Unsigned differences are right across one wrap of the 32-bit counters. */
	s->received += (u_int)(ps.ps_recv - s->last.ps_recv);
	s->dropped += (u_int)(ps.ps_drop - s->last.ps_drop);
	s->ifdropped += (u_int)(ps.ps_ifdrop - s->last.ps_ifdrop);
	s->last = ps;
	*received = s->received;
	*dropped = s->dropped;
	*ifdropped = s->ifdropped;
	return true;
}

uint64_t source_position(struct source *s)
{
	if (s->own)
		return s->own->pos + s->own->at;
	FILE *fp = s->live ? NULL : pcap_file(s->pcap);
	off_t at = fp ? ftello(fp) : -1;
	return at > 0 ? (uint64_t)at : 0;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	if (s->pcap)
		pcap_close(s->pcap);
	if (s->own) {
		if (s->own->filtered)
			pcap_freecode(&s->own->prog);
		free(s->own->buf);
		free(s->own);
	}
	free(s->file_buffer);
	free(s);
}
