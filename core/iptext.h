/* iptext.h: IPv4 and IPv6 addresses as text. */
#ifndef MISROUTE_IPTEXT_H
#define MISROUTE_IPTEXT_H

#include <stddef.h>
#include <stdint.h>

/* An IPv4 (version 4: a[0..4)) or IPv6 address (a[0..16)) as text, exactly as inet_ntop
 * writes it (RFC 5952 for IPv6, with its "::ffff:1.2.3.4" forms), NUL-terminated. buf holds
 * at least IP_TEXT_MAX bytes; returns the length. A tenth of inet_ntop's cost: records and
 * DNS answers write an address each. */
#define IP_TEXT_MAX 46
size_t ip_text(int version, const uint8_t *a, char *buf);

#endif
