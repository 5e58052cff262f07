/* fuzz_quic.c: libFuzzer target for QUIC Initial decryption (RFC 9001 5): each input is a
 * run of datagrams, each behind a 2-byte length, fed to one accumulator as one flow's are. */
#include <gcrypt.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/quic.h"

static struct quic_crypto acc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		gcry_check_version(NULL);
		ready = 1;
	}
	quic_crypto_reset(&acc);
	size_t off = 0;
	while (size - off >= 2) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		enum dis_status st = quic_initial(data + off, n, &acc);
		if (st == DIS_OK && acc.contig > sizeof acc.bytes)
			__builtin_trap();
		off += n;
	}
	return 0;
}
