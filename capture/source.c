/* source.c: libpcap capture files and live interfaces behind source.h. */
#include "capture/source.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"

/* The longest a live read waits before handing control back. */
#define SOURCE_IDLE_MS 100
/* The stdio buffer a capture file is read through. */
#define SOURCE_FILE_BUFFER (1u << 16)

struct source {
	pcap_t *pcap;
	int dlt;
	bool live;
	char name[256];
	struct pcap_stat last;           /* libpcap's 32-bit counters when last asked */
	uint64_t received, dropped, ifdropped;
	char *file_buffer;               /* the stdio buffer of a capture file (not stdin's) */
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
	int rc = pcap_setfilter(s->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(s->pcap));
		return -1;
	}
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

int source_next(struct source *s, const uint8_t **data, size_t *caplen, uint32_t *wirelen,
		uint64_t *ts_us, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc = pcap_next_ex(s->pcap, &h, &bytes);
	if (rc == 1) {
		*data = bytes;
		*caplen = h->caplen;
		*wirelen = h->len;
		*ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
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
	free(s->file_buffer);
	free(s);
}
