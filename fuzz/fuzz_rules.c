/* fuzz_rules.c: libFuzzer target for the rule file and Zeek intel parser (rules/rules.c).
 * Besides the sanitizers it checks that every loaded rule is found again by the matcher and
 * that every message is "NAME:..." text without control bytes. Relative includes resolve
 * under a folder that does not exist, so an input cannot pull in the fuzzer's own files. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/rules.h"

static struct rules_diag diag;

static void fuzz_check_rule(const struct ruleset *rs, const struct rule *r)
{
	if (!r->id || !r->pattern || !r->file || r->severity > 100 || r->n_answers > RULE_MAX_ANSWERS ||
	    r->n_techniques > RULE_MAX_TECHNIQUES || (r->n_answers && !r->answers))
		__builtin_trap();
	const struct rule *m;
	switch (r->kind) {
	case RULE_EXACT:
		/* An exact rule always wins at its own name. */
		if (rules_match_name(rs, r->pattern + 1) != r)
			__builtin_trap();
		break;
	case RULE_DOMAIN:
		m = rules_match_name(rs, r->pattern);
		if (!m || (m != r && m->kind != RULE_EXACT))
			__builtin_trap();
		break;
	case RULE_WILDCARD:
		/* Its base name is not covered by it. */
		if (rules_match_name(rs, r->pattern + 2) == r)
			__builtin_trap();
		break;
	case RULE_ADDR:
		m = rules_match_addr(rs, 6, r->cidr.addr);
		if (!m || m->kind != RULE_ADDR || m->cidr.prefix < r->cidr.prefix)
			__builtin_trap();
		/* An IPv4-mapped range is found from the IPv4 address as well. */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(r->cidr.addr, mapped, 12) == 0 &&
		    rules_match_addr(rs, 4, r->cidr.addr + 12) != m)
			__builtin_trap();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = rules_load_buffer("/nonexistent-fuzz-dir/fuzz.rules", (const char *)data,
					       size, &diag);
	if (diag.n > RULES_MAX_DIAG || (rs && diag.errors))
		__builtin_trap();
	for (unsigned i = 0; i < diag.n; i++) {
		if (strncmp(diag.msg[i], "/nonexistent-fuzz-dir/", 22) != 0)
			__builtin_trap();
		for (const char *p = diag.msg[i]; *p; p++)
			if ((unsigned char)*p < 0x20)
				__builtin_trap();
	}
	for (size_t i = 0; i < rules_count(rs); i++)
		fuzz_check_rule(rs, rules_at(rs, i));
	char out[256];
	size_t n = rules_normalize((const char *)data, size < 1024 ? size : 1024, out, sizeof out);
	if (n && (n != strlen(out) || n > 253))
		__builtin_trap();
	rules_free(rs);
	return 0;
}
