/* fuzz_dns.c: libFuzzer target for the DNS message parser (RFC 1035 4.1). Besides the
 * sanitizers it checks that every kept string lies inside the message's arena and is as long
 * as the message says. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dissectors/dns.h"

static struct dns_msg m;

static void fuzz_in_arena(const char *s, size_t len)
{
	if (s < m.arena || s >= m.arena + sizeof m.arena || !memchr(s, '\0', (size_t)(m.arena + sizeof m.arena - s)))
		__builtin_trap();
	if (strlen(s) != len)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dns_parse(data, size, &m) != DIS_OK)
		return 0;
	for (uint16_t i = 0; i < m.n_q; i++)
		fuzz_in_arena(m.q[i].name, m.q[i].name_len);
	for (uint16_t i = 0; i < m.n_rr; i++) {
		fuzz_in_arena(m.rr[i].name, m.rr[i].name_len);
		fuzz_in_arena(m.rr[i].data, m.rr[i].data_len);
	}
	return 0;
}
