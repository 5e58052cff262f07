/* source_compare.h: a capture file read through capture/source.c and through libpcap side by
 * side, for test_source and fuzz_source: the same packets (stamp, lengths, bytes), then the
 * same end, or the same error in the same words. */
#ifndef MISROUTE_SOURCE_COMPARE_H
#define MISROUTE_SOURCE_COMPARE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/source.h"

/* libpcap reads a classic pcap file's seconds and fraction, unsigned 32-bit fields, as signed
 * in a file of this machine's byte order: what a negative value from libpcap stands for
 * (source.c reads times past 2038 as such, and divides a nanosecond fraction of 2^31 or more,
 * which no capture holds, as libpcap does). */
static inline uint64_t source_compare_field(long v)
{
	return v < 0 ? (uint32_t)v : (uint64_t)v;
}

/* NULL when both read path (with the BPF filter, when not NULL) alike, else what differed.
 * *packets: the packets read; *own: whether source.c read the records itself (false when
 * the file did not open). */
static inline const char *source_compare(const char *path, const char *filter,
					 unsigned *packets, bool *own)
{
	char err[PCAP_ERRBUF_SIZE + 300] = "", perr[PCAP_ERRBUF_SIZE] = "";
	const char *why = NULL;
	*packets = 0;
	*own = false;
	struct source *s = source_open_file(path, filter, err, sizeof err);
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		why = s || !strstr(err, perr) ? "a file libpcap does not open" : NULL;
		source_close(s);
		return why;
	}
	if (!s) {
		/* A link type misroute does not decode: refused whichever way it is read. */
		pcap_close(p);
		return strstr(err, "unsupported link type") ? NULL : "a file only libpcap opens";
	}
	*own = source_reads_itself(s);
	if (source_datalink(s) != pcap_datalink(p))
		why = "the link type";
	if (!why && filter) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			why = "the filter";
		} else {
			if (pcap_setfilter(p, &prog) < 0)
				why = "the filter";
			pcap_freecode(&prog);
		}
	}
	while (!why) {
		const uint8_t *data;
		size_t caplen;
		uint32_t wirelen;
		uint64_t ts_us;
		int rc = source_next(s, &data, &caplen, &wirelen, &ts_us, err, sizeof err);
		struct pcap_pkthdr *h;
		const u_char *pdata;
		int prc = pcap_next_ex(p, &h, &pdata);
		if (rc != (prc == 1 ? 1 : prc == PCAP_ERROR_BREAK ? -1 : -2)) {
			why = "the result of a read";
		} else if (rc == -2) {
			char want[sizeof err];
			snprintf(want, sizeof want, "%s: %s", path, pcap_geterr(p));
			why = strcmp(err, want) ? "the error" : NULL;
			break;
		} else if (rc != 1) {
			break;
		} else if (ts_us != source_compare_field(h->ts.tv_sec) * 1000000u +
					    source_compare_field(h->ts.tv_usec)) {
			why = "a time stamp";
		} else if (caplen != h->caplen || wirelen != h->len) {
			why = "a packet's lengths";
		} else if (memcmp(data, pdata, caplen)) {
			why = "a packet's bytes";
		} else {
			(*packets)++;
		}
	}
	source_close(s);
	pcap_close(p);
	return why;
}

#endif
