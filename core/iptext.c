/* iptext.c: addresses as text, as inet_ntop writes them, without its cost. */
#include "core/iptext.h"

#include <stdbool.h>

static size_t ip4_text(const uint8_t *a, char *buf)
{
	char *p = buf;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t ip_text(int version, const uint8_t *a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	if (version != 6)
		return ip4_text(a, buf);
	uint16_t w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	/* The first longest run of two or more zero groups becomes "::". */
	int best = -1, blen = 0;
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !w[j])
			j++;
		if (j - i > blen) {
			best = i;
			blen = j - i;
		}
		i = j;
	}
	if (blen < 2)
		best = -1;
	char *p = buf;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + blen) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* IPv4-compatible and IPv4-mapped addresses end in dotted quad. */
		if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff)))
			return (size_t)(p - buf) + ip4_text(a + 12, p);
		bool lead = true;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned d = w[i] >> shift & 15;
			if (d || !lead || shift == 0) {
				*p++ = hex[d];
				lead = false;
			}
		}
	}
	if (best >= 0 && best + blen == 8)
		*p++ = ':';
	*p = '\0';
	return (size_t)(p - buf);
}
