/* iptext.c: addresses as text, as inet_ntop writes them, without its cost. */
#include "core/iptext.h"

#include <stdbool.h>

/* Each byte value's digits and a dot, as the bytes of a word (the first in the lowest), and
 * how many of them there are: built when compiling, so a byte is written with one load and
 * one store. */
#define IP4_WORD(v)                                                                           \
	((v) >= 100 ? ((uint32_t)'0' + (v) / 100) | ((uint32_t)'0' + (v) / 10 % 10) << 8 |      \
			      ((uint32_t)'0' + (v) % 10) << 16 | (uint32_t)'.' << 24               \
	 : (v) >= 10 ? ((uint32_t)'0' + (v) / 10) | ((uint32_t)'0' + (v) % 10) << 8 |           \
			       (uint32_t)'.' << 16                                                  \
		     : ((uint32_t)'0' + (v)) | (uint32_t)'.' << 8)
#define IP4_LEN(v) (2 + ((v) >= 10) + ((v) >= 100))
#define IP4_4(f, n) f(n), f((n) + 1), f((n) + 2), f((n) + 3)
#define IP4_16(f, n) IP4_4(f, n), IP4_4(f, (n) + 4), IP4_4(f, (n) + 8), IP4_4(f, (n) + 12)
#define IP4_64(f, n) IP4_16(f, n), IP4_16(f, (n) + 16), IP4_16(f, (n) + 32), IP4_16(f, (n) + 48)
#define IP4_256(f) IP4_64(f, 0), IP4_64(f, 64), IP4_64(f, 128), IP4_64(f, 192)

static const uint32_t ip4_word[256] = { IP4_256(IP4_WORD) };
static const uint8_t ip4_len[256] = { IP4_256(IP4_LEN) };

/* The last dot becomes the NUL, so 16 bytes (INET_ADDRSTRLEN) are enough. */
static size_t ip4_text(const uint8_t *a, char *buf)
{
	char *p = buf;
	for (int i = 0; i < 4; i++) {
		uint32_t w = ip4_word[a[i]];
		for (int k = 0; k < 4; k++) /* one store */
			p[k] = (char)(w >> 8 * k);
		p += ip4_len[a[i]];
	}
	*--p = '\0';
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
