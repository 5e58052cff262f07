/* floor.c: the benchmark's floor — a bare libpcap read loop that parses Ethernet/802.1Q,
 * IPv4/IPv6 and TCP/UDP headers and counts packets per flow in a hash table, nothing more.
 * misroute's packet rate is measured against it. With --source, the same loop gets its
 * packets from misroute's capture/source.c instead, which reads a classic pcap file's
 * records itself: what misroute's own per-packet work costs beside the same reading.
 * Usage: floor [--source] FILE */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/source.h"
#include "core/cursor.h"

#define FLOOR_BUCKETS (1u << 20)

struct floor_key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint8_t proto;
};

static uint32_t floor_counts[FLOOR_BUCKETS];

static uint64_t floor_hash(const struct floor_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < sizeof *k; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Parses one Ethernet frame down to its ports; false for anything that is not TCP/UDP. */
static bool floor_parse(const uint8_t *p, size_t len, struct floor_key *k)
{
	struct cur c = cur_make(p, len);
	cur_skip(&c, 12);
	uint16_t type = cur_be16(&c);
	for (int i = 0; i < 4 && (type == 0x8100 || type == 0x88a8); i++) {
		cur_skip(&c, 2);
		type = cur_be16(&c);
	}
	memset(k, 0, sizeof *k);
	if (type == 0x0800) {
		uint8_t vihl = cur_u8(&c);
		cur_skip(&c, 8);
		k->proto = cur_u8(&c);
		cur_skip(&c, 2);
		cur_copy(&c, k->a, 4);
		cur_copy(&c, k->b, 4);
		cur_skip(&c, ((size_t)(vihl & 15) * 4) - 20);
	} else if (type == 0x86dd) {
		cur_skip(&c, 6);
		k->proto = cur_u8(&c);
		cur_skip(&c, 1);
		cur_copy(&c, k->a, 16);
		cur_copy(&c, k->b, 16);
	} else {
		return false;
	}
	if (k->proto != 6 && k->proto != 17)
		return false;
	k->pa = cur_be16(&c);
	k->pb = cur_be16(&c);
	/* Both directions of a flow land in the same bucket. */
	if (memcmp(k->a, k->b, 16) > 0 || (memcmp(k->a, k->b, 16) == 0 && k->pa > k->pb)) {
		uint8_t t[16];
		memcpy(t, k->a, 16);
		memcpy(k->a, k->b, 16);
		memcpy(k->b, t, 16);
		uint16_t tp = k->pa;
		k->pa = k->pb;
		k->pb = tp;
	}
	return cur_ok(&c);
}

/* The next packet of p or, when p is NULL, of src: 1, or 0 at the end. */
static int floor_next(pcap_t *p, struct source *src, const uint8_t **data, size_t *caplen,
		      uint32_t *len)
{
	if (p) {
		struct pcap_pkthdr *h;
		if (pcap_next_ex(p, &h, data) != 1)
			return 0;
		*caplen = h->caplen;
		*len = h->len;
		return 1;
	}
	uint64_t ts_us;
	char err[512];
	return source_next(src, data, caplen, len, &ts_us, err, sizeof err) == 1;
}

int main(int argc, char **argv)
{
	bool use_source = argc == 3 && !strcmp(argv[1], "--source");
	if (argc != 2 && !use_source) {
		fprintf(stderr, "usage: floor [--source] FILE\n");
		return 2;
	}
	const char *path = argv[argc - 1];
	pcap_t *p = NULL;
	struct source *src = NULL;
	char err[PCAP_ERRBUF_SIZE + 512];
	if (use_source) {
		src = source_open_file(path, NULL, err, sizeof err);
	} else {
		/* Through a 64 KiB stdio buffer, as misroute opens a file (source.c). */
		static char buffer[1u << 16];
		FILE *f = fopen(path, "rb");
		if (!f) {
			perror(path);
			return 1;
		}
		setvbuf(f, buffer, _IOFBF, sizeof buffer);
		if (!(p = pcap_fopen_offline(f, err)))
			fclose(f);
	}
	if (!p && !src) {
		fprintf(stderr, "floor: %s: %s\n", path, err);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const uint8_t *data;
	size_t caplen;
	uint32_t len;
	uint64_t packets = 0, bytes = 0, parsed = 0;
	while (floor_next(p, src, &data, &caplen, &len)) {
		packets++;
		bytes += len;
		struct floor_key k;
		if (floor_parse(data, caplen, &k)) {
			floor_counts[floor_hash(&k) & (FLOOR_BUCKETS - 1)]++;
			parsed++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (p)
		pcap_close(p);
	source_close(src);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("packets %llu bytes %llu parsed %llu seconds %.6f\n", (unsigned long long)packets,
	       (unsigned long long)bytes, (unsigned long long)parsed, secs);
	return 0;
}
