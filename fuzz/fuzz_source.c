/* fuzz_source.c: libFuzzer target for capture/source.c — an input is a capture file, read
 * both by source.c (which reads a classic pcap file's records itself) and by libpcap; the two
 * must agree on every packet (stamp, lengths, bytes) and on how the file ends, in the same
 * words. Any difference aborts. The input is handed over as a file in memory (memfd), which
 * can be read twice like a file on disk. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/source.h"

/* Records compared per input: keeps every input's run time bounded. */
#define FUZZ_MAX_RECORDS 4096

static void fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_source: source.c and libpcap differ: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("capture", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char err[PCAP_ERRBUF_SIZE + 300] = "", perr[PCAP_ERRBUF_SIZE] = "";
	struct source *s = source_open_file(path, NULL, err, sizeof err);
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		fuzz_check(!s, "a file only one of them opens");
	} else if (!s) {
		/* Opened by libpcap, refused by misroute: only for a link type it does not decode. */
		fuzz_check(strstr(err, "unsupported link type") != NULL, "the file open");
	} else {
		fuzz_check(source_datalink(s) == pcap_datalink(p), "the link type");
		for (unsigned n = 0; n < FUZZ_MAX_RECORDS; n++) {
			const uint8_t *d;
			size_t caplen;
			uint32_t wirelen;
			uint64_t ts_us;
			int rc = source_next(s, &d, &caplen, &wirelen, &ts_us, err, sizeof err);
			struct pcap_pkthdr *h;
			const u_char *pd;
			int prc = pcap_next_ex(p, &h, &pd);
			fuzz_check(rc == (prc == 1 ? 1 : prc == PCAP_ERROR_BREAK ? -1 : -2), "the result");
			if (rc == -2) {
				char want[sizeof err];
				snprintf(want, sizeof want, "%s: %s", path, pcap_geterr(p));
				fuzz_check(!strcmp(err, want), "the error");
			}
			if (rc != 1)
				break;
			/* libpcap reads a classic file's unsigned 32-bit seconds and fraction as
			 * signed; source.c reads a negative one back as the field it was. */
			uint64_t sec = h->ts.tv_sec < 0 ? (uint32_t)h->ts.tv_sec : (uint64_t)h->ts.tv_sec;
			uint64_t frac = h->ts.tv_usec < 0 ? (uint32_t)h->ts.tv_usec : (uint64_t)h->ts.tv_usec;
			fuzz_check(ts_us == sec * 1000000u + frac, "a time stamp");
			fuzz_check(caplen == h->caplen && wirelen == h->len, "a packet's lengths");
			fuzz_check(!memcmp(d, pd, caplen), "a packet's bytes");
		}
	}
	source_close(s);
	if (p)
		pcap_close(p);
	close(fd);
	return 0;
}
