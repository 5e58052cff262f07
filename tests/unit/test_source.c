/* test_source.c: capture files read by source.c against the same files read by libpcap —
 * every packet's stamp, lengths and bytes, and the error that ends a damaged file. Without
 * arguments it writes its own files (both byte orders, micro- and nanosecond stamps, cut and
 * damaged records, a filter, a pipe); with arguments it compares those capture files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/source.h"
#include "tests/unit/source_compare.h"

#define LATE_SECONDS 0xb8675869u /* 2068-01-14 */

static char dir[] = "/tmp/test_source.XXXXXX";
static char path[sizeof dir + 32];

/* A little- or big-endian classic pcap file under construction. */
struct file {
	uint8_t b[1u << 18];
	size_t n;
	bool big;
};

static void put32(struct file *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		f->b[f->n++] = (uint8_t)(f->big ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(struct file *f, uint16_t v)
{
	f->b[f->n++] = (uint8_t)(f->big ? v >> 8 : v);
	f->b[f->n++] = (uint8_t)(f->big ? v : v >> 8);
}

static void header(struct file *f, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	f->n = 0;
	put32(f, magic);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, snaplen);
	put32(f, linktype);
}

/* One record: an Ethernet frame of an IPv4 UDP datagram to port dport, n bytes in all
 * (n >= 42), of which caplen are in the file. */
static void record(struct file *f, uint32_t sec, uint32_t frac, uint16_t dport, size_t n,
		   size_t caplen)
{
	put32(f, sec);
	put32(f, frac);
	put32(f, (uint32_t)caplen);
	put32(f, (uint32_t)n);
	uint8_t *p = f->b + f->n;
	const uint8_t head[42] = { [12] = 0x08, [13] = 0x00, [14] = 0x45, [22] = 64, [23] = 17,
				   [26] = 192, [27] = 0, [28] = 2, [29] = 1, [30] = 198, [31] = 51,
				   [32] = 100, [33] = 7, [34] = 0x30, [35] = 0x39 };
	uint8_t whole[42];
	memcpy(whole, head, sizeof whole);
	whole[16] = (uint8_t)((n - 14) >> 8);
	whole[17] = (uint8_t)(n - 14);
	whole[36] = (uint8_t)(dport >> 8);
	whole[37] = (uint8_t)dport;
	whole[38] = (uint8_t)((n - 34) >> 8);
	whole[39] = (uint8_t)(n - 34);
	for (size_t i = 0; i < caplen; i++)
		p[i] = i < sizeof whole ? whole[i] : (uint8_t)(i * 31 + sec);
	f->n += caplen;
}

static const char *save(const struct file *f, size_t n)
{
	snprintf(path, sizeof path, "%s/t.pcap", dir);
	FILE *o = fopen(path, "wb");
	assert_non_null(o);
	assert_int_equal(fwrite(f->b, 1, n, o), n);
	fclose(o);
	return path;
}

/* Reads path through source.c and through libpcap side by side (source_compare.h): the
 * same packets, then the same end or error. Returns the packets read. */
static unsigned compare(const char *file, const char *filter, bool expect_own)
{
	unsigned packets;
	bool own;
	const char *why = source_compare(file, filter, &packets, &own);
	if (why)
		fail_msg("%s: source.c and libpcap differ: %s", file, why);
	assert_int_equal(own, expect_own);
	return packets;
}

/* Four records, the third 2 s later, the last in 2068 (past 2^31 seconds): micro- or
 * nanosecond stamps, either byte order. */
static size_t four(struct file *f, bool big, bool nano)
{
	f->big = big;
	header(f, nano ? 0xa1b23c4d : 0xa1b2c3d4, 65535, 1);
	uint32_t frac = nano ? 999999999 : 999999;
	record(f, 1700000000, frac, 53, 80, 80);
	record(f, 1700000000, nano ? 1234567 : 1234, 80, 1500, 1500);
	record(f, 1700000002, 0, 53, 42, 42);
	record(f, LATE_SECONDS, 7, 443, 60, 60);
	return f->n;
}

static void test_orders_and_stamps(void **state)
{
	(void)state;
	static struct file f;
	for (int big = 0; big < 2; big++)
		for (int nano = 0; nano < 2; nano++)
			assert_int_equal(compare(save(&f, four(&f, big, nano)), NULL, true), 4);
	/* The last stamp, read by source.c itself. */
	char err[512];
	struct source *s = source_open_file(save(&f, four(&f, true, true)), NULL, err, sizeof err);
	assert_non_null(s);
	const uint8_t *data;
	size_t caplen;
	uint32_t wirelen;
	uint64_t ts_us = 0, last = 0;
	while (source_next(s, &data, &caplen, &wirelen, &ts_us, err, sizeof err) == 1)
		last = ts_us;
	assert_int_equal(last, (uint64_t)LATE_SECONDS * 1000000u);
	source_close(s);
}

static void test_filter(void **state)
{
	(void)state;
	static struct file f;
	assert_int_equal(compare(save(&f, four(&f, false, false)), "udp port 53", true), 2);
	assert_int_equal(compare(save(&f, four(&f, true, true)), "udp port 80", true), 1);
}

/* Records longer than the file's snapshot length are cut to it; one over libpcap's largest
 * sane length ends the file; so does one cut short by the end of the file, or its header. */
static void test_damaged(void **state)
{
	(void)state;
	static struct file f;
	f.big = false;
	header(&f, 0xa1b2c3d4, 100, 1);
	record(&f, 1, 0, 53, 80, 80);
	record(&f, 2, 0, 53, 300, 300);
	record(&f, 3, 0, 53, 60, 60);
	size_t whole = f.n;
	assert_int_equal(compare(save(&f, whole), NULL, true), 3);
	assert_int_equal(compare(save(&f, whole - 10), NULL, true), 2);
	assert_int_equal(compare(save(&f, whole - 60 - 9), NULL, true), 2);
	/* Cut inside the long record: before its first 100 bytes, and after them. */
	size_t second = 24 + 16 + 80 + 16;
	assert_int_equal(compare(save(&f, second + 50), NULL, true), 1);
	assert_int_equal(compare(save(&f, second + 200), NULL, true), 1);
	assert_int_equal(compare(save(&f, 24), NULL, true), 0);
	put32(&f, 4);
	put32(&f, 0);
	put32(&f, 300000);
	put32(&f, 300000);
	assert_int_equal(compare(save(&f, f.n), NULL, true), 3);
	/* A snapshot length over the largest sane one: a long record ends it in other words. */
	header(&f, 0xa1b2c3d4, 1u << 20, 1);
	record(&f, 1, 0, 53, 80, 80);
	put32(&f, 4);
	put32(&f, 0);
	put32(&f, 300000);
	put32(&f, 300000);
	assert_int_equal(compare(save(&f, f.n), NULL, true), 1);
	/* Cut inside the file header: libpcap refuses to open it. */
	assert_int_equal(compare(save(&f, 10), NULL, false), 0);
}

/* LINKTYPE_RAW (101) is libpcap's DLT_RAW; another link type is refused either way. */
static void test_link_types(void **state)
{
	(void)state;
	static struct file f;
	f.big = false;
	header(&f, 0xa1b2c3d4, 65535, 101);
	put32(&f, 1);
	put32(&f, 0);
	put32(&f, 20);
	put32(&f, 20);
	memset(f.b + f.n, 0x45, 20);
	f.n += 20;
	assert_int_equal(compare(save(&f, f.n), NULL, true), 1);
	header(&f, 0xa1b2c3d4, 65535, 147);
	record(&f, 1, 0, 53, 80, 80);
	assert_int_equal(compare(save(&f, f.n), NULL, false), 0);
}

/* What the reader leaves to libpcap: an older format, a magic number with longer record
 * headers, and a pipe, where the file header cannot be read twice. */
static void test_left_to_libpcap(void **state)
{
	(void)state;
	static struct file f;
	four(&f, false, false);
	f.b[6] = 3; /* format 2.3 */
	assert_int_equal(compare(save(&f, f.n), NULL, false), 4);

	f.big = false;
	header(&f, 0xa1b2cd34, 65535, 1); /* Alexey Kuznetzov's, 24-byte record headers */
	for (uint32_t i = 0; i < 2; i++) {
		record(&f, 10 + i, 0, 53, 60, 60);
		memmove(f.b + f.n - 60 + 8, f.b + f.n - 60, 60);
		memset(f.b + f.n - 60, 0, 8);
		f.n += 8;
	}
	assert_int_equal(compare(save(&f, f.n), NULL, false), 2);

	four(&f, false, false);
	snprintf(path, sizeof path, "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *o = fopen(path, "wb");
		_exit(o && fwrite(f.b, 1, f.n, o) == f.n && fclose(o) == 0 ? 0 : 1);
	}
	char err[512];
	struct source *s = source_open_file(path, NULL, err, sizeof err);
	assert_non_null(s);
	assert_false(source_reads_itself(s));
	unsigned n = 0;
	const uint8_t *data;
	size_t caplen;
	uint32_t wirelen;
	uint64_t ts_us;
	while (source_next(s, &data, &caplen, &wirelen, &ts_us, err, sizeof err) == 1)
		n++;
	assert_int_equal(n, 4);
	assert_int_equal(ts_us, (uint64_t)LATE_SECONDS * 1000000u + 7);
	source_close(s);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(path);
}

/* Records that straddle the reader's chunks: a file of 5 MiB in records of every length from
 * 42 to 1500 bytes, and 15 of 13 to 69 KB. */
static void test_long_file(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "%s/long.pcap", dir);
	FILE *o = fopen(path, "wb");
	assert_non_null(o);
	static struct file f;
	f.big = true;
	header(&f, 0xa1b2c3d4, 65535, 1);
	unsigned want = 0;
	for (size_t n = 42; n <= 1500; n++) {
		for (int k = 0; k < 3; k++) {
			record(&f, 1000 + (uint32_t)n, (uint32_t)k, 53, n, n);
			want++;
		}
		if (n % 100 == 0) {
			record(&f, 2000 + (uint32_t)n, 0, 53, 9000 + 40 * n, 9000 + 40 * n);
			want++;
		}
		if (f.n > sizeof f.b - 3 * 1600 - 70000) {
			assert_int_equal(fwrite(f.b, 1, f.n, o), f.n);
			f.n = 0;
		}
	}
	assert_int_equal(fwrite(f.b, 1, f.n, o), f.n);
	fclose(o);
	assert_int_equal(compare(path, NULL, true), want);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "%s/t.pcap", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/long.pcap", dir);
	unlink(path);
	return rmdir(dir);
}

/* With arguments: each capture file read both ways gives the same packets, and a classic
 * pcap file of format 2.4 with packets is read by source.c itself. */
static const char *const *files;
static int n_files;

static void test_files(void **state)
{
	(void)state;
	for (int i = 0; i < n_files; i++) {
		FILE *f = fopen(files[i], "rb");
		uint8_t h[8] = { 0 };
		assert_non_null(f);
		size_t got = fread(h, 1, sizeof h, f);
		fclose(f);
		static const uint8_t le[2][4] = { { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0x4d, 0x3c, 0xb2, 0xa1 } };
		static const uint8_t be[2][4] = { { 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xa1, 0xb2, 0x3c, 0x4d } };
		bool is_le = !memcmp(h, le[0], 4) || !memcmp(h, le[1], 4);
		bool is_be = !memcmp(h, be[0], 4) || !memcmp(h, be[1], 4);
		bool classic = got == sizeof h &&
			       ((is_le && h[4] == 2 && h[5] == 0 && h[6] == 4 && h[7] == 0) ||
				(is_be && h[4] == 0 && h[5] == 2 && h[6] == 0 && h[7] == 4));
		unsigned n;
		bool own;
		const char *why = source_compare(files[i], NULL, &n, &own);
		if (why)
			fail_msg("%s: source.c and libpcap differ: %s", files[i], why);
		if (n > 0)
			assert_int_equal(own, classic);
		printf("%s: %u packets, read by %s\n", files[i], n, own ? "source.c" : "libpcap");
	}
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		files = (const char *const *)argv + 1;
		n_files = argc - 1;
		const struct CMUnitTest tests[] = { cmocka_unit_test(test_files) };
		return cmocka_run_group_tests(tests, NULL, NULL);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_and_stamps),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_left_to_libpcap),
		cmocka_unit_test(test_long_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
