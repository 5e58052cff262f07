/* fuzz_tls.c: libFuzzer target for the TLS ClientHello dissector (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301, RFC 8701).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_tls.c dissectors/tls.c \
 *         -lgcrypt -o build/fuzz_tls && build/fuzz_tls fuzz/corpus/tls
 *
 * Each input is tried twice: as the client's stream, the way the engine hands it over, and
 * (after its first byte, which picks a record size) as a handshake message cut into records,
 * so that mutations of a hello also reach the code that gathers it from several records.
 * Besides the sanitizers it checks the contract: an accepted hello is accepted again from
 * exactly its records, with the same fingerprint, and one byte less is "not yet". */
#include <gcrypt.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dissectors/tls.h"

static struct tls_hello h, again;
/* One-byte records cost five bytes of header each. */
static uint8_t framed[6 * TLS_MAX_HELLO];
static struct tls_fp_memo memo;

static void fuzz_check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void fuzz_stream(const uint8_t *p, size_t len)
{
	enum dis_status st = tls_client_hello(p, len, &h);
	if (st == DIS_OK)
		tls_fingerprints(&h, &memo);
	fuzz_check(st == DIS_OK || st == DIS_SHORT || st == DIS_MALFORMED);
	fuzz_check(st == DIS_OK || h.reason != NULL);
	fuzz_check(memchr(h.sni, '\0', sizeof(h.sni)) != NULL);
	fuzz_check(memchr(h.ja3, '\0', sizeof(h.ja3)) != NULL);
	if (st != DIS_OK)
		return;
	fuzz_check(h.consumed > 0 && h.consumed <= len);
	fuzz_check(strlen(h.ja4) == TLS_JA4_TEXT - 1 && strlen(h.ja3_md5) == 32);
	fuzz_check(tls_client_hello(p, h.consumed, &again) == DIS_OK);
	tls_fingerprints(&again, NULL); /* the memo may only ever give what computing gives */
	fuzz_check(strcmp(h.ja4, again.ja4) == 0 && strcmp(h.sni, again.sni) == 0);
	fuzz_check(strcmp(h.ja3_md5, again.ja3_md5) == 0 && strcmp(h.ja3, again.ja3) == 0);
	fuzz_check(tls_client_hello(p, h.consumed - 1, &again) == DIS_SHORT);
}

/* Cuts p[0..len) into handshake records of at most rsize bytes each. */
static size_t fuzz_frame(const uint8_t *p, size_t len, size_t rsize)
{
	size_t w = 0;
	for (size_t from = 0; from < len; from += rsize) {
		size_t n = len - from < rsize ? len - from : rsize;
		const uint8_t hdr[5] = { 22, 3, 1, (uint8_t)(n >> 8), (uint8_t)n };
		memcpy(framed + w, hdr, sizeof(hdr));
		memcpy(framed + w + sizeof(hdr), p + from, n);
		w += sizeof(hdr) + n;
	}
	return w;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gcry_check_version(NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_stream(data, size);
	if (size < 2 || size - 1 > TLS_MAX_HELLO)
		return 0;
	/* Record sizes 1..256 bytes, and whole records now and then. */
	size_t rsize = data[0] == 0xff ? 16384 : (size_t)data[0] + 1;
	fuzz_stream(framed, fuzz_frame(data + 1, size - 1, rsize));
	return 0;
}
