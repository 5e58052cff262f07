/* stats.c: names for the skip reasons of stats.h. */
#include "core/stats.h"

const char *const skip_names[SKIP_MAX] = {
#define X(e, n) [SKIP_##e] = n,
	SKIP_REASONS(X)
#undef X
};
