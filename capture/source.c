/* source.c: libpcap capture files and live interfaces behind source.h. */
#include "capture/source.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"

struct source {
	pcap_t *pcap;
	int dlt;
	bool live;
	char name[256];
};

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
	char perr[PCAP_ERRBUF_SIZE] = "";
	s->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!s->pcap) {
		snprintf(err, errlen, "%s: %s", s->name, perr);
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
	if (source_setup(s, filter, err, errlen) < 0) {
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
	if (rc == 0)
		return 0;
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
	*received = ps.ps_recv;
	*dropped = ps.ps_drop;
	*ifdropped = ps.ps_ifdrop;
	return true;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	if (s->pcap)
		pcap_close(s->pcap);
	free(s);
}
