/* summary.h: the few lines printed on stderr at the end of a replay — incidents by rule, the
 * clients that raised most, the destinations named most (with country and AS). */
#ifndef MISROUTE_SUMMARY_H
#define MISROUTE_SUMMARY_H

#include <stdio.h>

#include "detect/alert.h"

/* Distinct rules, clients and destinations remembered; beyond, they count as "others". */
#define SUMMARY_MAX_KEYS 1024
/* Lines per table. */
#define SUMMARY_TOP 5

struct summary;

struct summary *summary_new(void);
void summary_free(struct summary *s);

/* One incident record as written (its count of repeats included). */
void summary_add(struct summary *s, const struct alert *a);

/* Incident records seen so far. */
unsigned long long summary_incidents(const struct summary *s);

/* Writes the summary to fp. */
void summary_print(const struct summary *s, FILE *fp);

#endif
