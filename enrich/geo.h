/* geo.h: ASN and geolocation of IP addresses from MaxMind DB files (MaxMind DB format spec
 * 2.0, via libmaxminddb), with special-purpose addresses (RFC 6890, RFC 8190, IANA IPv4/IPv6
 * Special-Purpose Address Registries) marked instead of looked up. */
#ifndef MISROUTE_GEO_H
#define MISROUTE_GEO_H

#include <stdbool.h>
#include <stdint.h>

/* Cache entries (2-way set associative, so a power of two). 4096 entries of ~270 bytes is
 * about 1 MiB: enough for the busy addresses of a capture, small next to the flow table. */
#define GEO_CACHE_SIZE 4096

enum { GEO_DB_CITY = 0, GEO_DB_ASN = 1 };

struct geo_info {
	bool known;          /* some database had an entry for the address */
	const char *special; /* static name of the special-purpose block ("private",
			      * "loopback", "link-local", "documentation", "multicast",
			      * "cgnat", "unspecified", ...), NULL for a global address */
	uint32_t asn;        /* 0 when unknown */
	char as_org[128];    /* valid UTF-8 (cut at a character boundary), "" when unknown */
	char country[3];     /* ISO 3166-1 alpha-2, upper case, "" when unknown */
	char city[96];       /* English name, valid UTF-8, "" when unknown */
	double lat, lon;     /* meaningful only when has_location */
	bool has_location;
};

struct geo_stats {
	uint64_t lookups;    /* geo_lookup calls */
	uint64_t cache_hits; /* answered from the cache */
	uint64_t db_lookups; /* searches of one database (a cache miss costs up to two) */
	uint64_t not_found;  /* database searches with no entry for the address */
	uint64_t errors;     /* database searches or field reads the library refused */
};

struct geo;

/* Opens the City (or Country) database at city_path and the ASN database at asn_path. A NULL
 * path searches /usr/share/GeoIP and /var/lib/GeoIP for the usual file names (GeoLite2-City,
 * GeoIP2-City, GeoLite2-Country, dbip-city-lite*, dbip-country-lite*; GeoLite2-ASN,
 * dbip-asn-lite*). A missing, unreadable, broken or wrong-type database is not an error: it
 * is simply absent and geo_status() says why. Returns NULL only when out of memory. The
 * cache starts enabled. Free with geo_close(). */
struct geo *geo_open(const char *city_path, const char *asn_path);

/* "loaded PATH (TYPE)", "missing: ..." or "PATH: reason" for which = GEO_DB_CITY or
 * GEO_DB_ASN. The string belongs to g and lives until geo_close(). */
const char *geo_status(const struct geo *g, int which);

/* Fills *out for the address (ip_version 4 with 4 bytes, or 6 with 16 bytes; an IPv4-mapped
 * IPv6 address is treated as its IPv4 address). Special-purpose addresses get out->special
 * and are never searched for. Any other ip_version gives an empty, unknown answer. In an
 * empty field the bytes of a string after its first are left as they were. Not
 * thread-safe: the cache and counters are updated without locks, so use one geo per thread. */
void geo_lookup(struct geo *g, int ip_version, const uint8_t *addr, struct geo_info *out);

/* Turns the cache on or off (for benchmarks); turning it on starts from an empty cache. */
void geo_set_cache(struct geo *g, bool on);

void geo_stats(const struct geo *g, struct geo_stats *out);

/* Closes both databases and frees g. NULL is allowed. */
void geo_close(struct geo *g);

#endif
