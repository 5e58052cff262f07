/* fuzz_source.c: libFuzzer target for capture/source.c — an input is a capture file, read
 * both by source.c (which reads a classic pcap file's records itself) and by libpcap; the two
 * must agree on every packet (stamp, lengths, bytes) and on how the file ends, in the same
 * words (tests/unit/source_compare.h). Any difference aborts. The input is handed over as a
 * file in memory (memfd), which can be read twice like a file on disk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/source_compare.h"

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
	unsigned packets;
	bool own;
	const char *why = source_compare(path, NULL, &packets, &own);
	if (why) {
		fprintf(stderr, "fuzz_source: source.c and libpcap differ: %s\n", why);
		abort();
	}
	close(fd);
	return 0;
}
