/* base64.h: the value of one base64 character (RFC 4648 section 4), shared by the parsers
 * that decode credentials a byte at a time (HTTP Basic, SASL). */
#ifndef MISROUTE_BASE64_H
#define MISROUTE_BASE64_H

#include <stdint.h>

/* 0..63, or -1 for '=' and anything that is not in the alphabet. Locale-free. */
static inline int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

#endif
