/* summary.c: the end-of-replay summary of summary.h, in three small tables of counted keys. */
#include "output/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/iptext.h"

struct summary_entry {
	char key[320];              /* rule, client address, or destination (and its name) */
	char where[160];            /* destination: "CC, ASn ORG" */
	unsigned long long records, repeats;
};

struct summary_table {
	struct summary_entry *e;    /* SUMMARY_MAX_KEYS, filled in order of first sight */
	size_t n;
	unsigned long long others;  /* records whose key did not fit */
};

struct summary {
	struct summary_table rules, clients, dests;
	unsigned long long incidents;
};

struct summary *summary_new(void)
{
	struct summary *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->rules.e = calloc(SUMMARY_MAX_KEYS, sizeof *s->rules.e);
	s->clients.e = calloc(SUMMARY_MAX_KEYS, sizeof *s->clients.e);
	s->dests.e = calloc(SUMMARY_MAX_KEYS, sizeof *s->dests.e);
	if (!s->rules.e || !s->clients.e || !s->dests.e) {
		summary_free(s);
		return NULL;
	}
	return s;
}

void summary_free(struct summary *s)
{
	if (!s)
		return;
	free(s->rules.e);
	free(s->clients.e);
	free(s->dests.e);
	free(s);
}

/* The entry for key, made when new; NULL (and counted as others) when the table is full. */
static struct summary_entry *summary_find(struct summary_table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].key, key))
			return &t->e[i];
	if (t->n == SUMMARY_MAX_KEYS) {
		t->others++;
		return NULL;
	}
	struct summary_entry *e = &t->e[t->n++];
	snprintf(e->key, sizeof e->key, "%s", key);
	return e;
}

static void summary_count(struct summary_table *t, const char *key, const struct alert *a,
			  const char *where)
{
	struct summary_entry *e = summary_find(t, key);
	if (!e)
		return;
	e->records++;
	e->repeats += a->count;
	if (where && !e->where[0])
		snprintf(e->where, sizeof e->where, "%s", where);
}

void summary_add(struct summary *s, const struct alert *a)
{
	char key[320], where[160] = "";
	s->incidents++;
	snprintf(key, sizeof key, "%s%s%s", alert_kind_name(a->kind), a->rule_id[0] ? " " : "",
		 a->rule_id);
	summary_count(&s->rules, key, a, NULL);
	_Static_assert(sizeof key >= IP_TEXT_MAX, "an address fits the key");
	ip_text(a->conn.ip_version, a->conn.src, key);
	summary_count(&s->clients, key, a, NULL);
	ip_text(a->conn.ip_version, a->conn.dst, key);
	if (a->have_geo) {
		const struct geo_info *g = &a->dst_geo;
		if (g->special)
			snprintf(where, sizeof where, "%s", g->special);
		else if (g->asn)
			snprintf(where, sizeof where, "%s%sAS%u %s", g->country, g->country[0] ? ", " : "",
				 g->asn, g->as_org);
		else
			snprintf(where, sizeof where, "%s", g->country);
	}
	if (a->server_name[0]) {
		size_t n = strlen(key);
		snprintf(key + n, sizeof key - n, " (%s)", a->server_name);
	}
	summary_count(&s->dests, key, a, where);
}

unsigned long long summary_incidents(const struct summary *s) { return s->incidents; }

static int summary_cmp(const void *x, const void *y)
{
	const struct summary_entry *a = x, *b = y;
	if (a->records != b->records)
		return a->records < b->records ? 1 : -1;
	return strcmp(a->key, b->key);
}

/* Names come from the network and AS names from a database: on a terminal, a control byte
 * could move the cursor or retitle the window. Printable ASCII as it is, the rest as \xHH. */
static void summary_put(FILE *fp, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c >= 0x20 && *c < 0x7f && *c != '\\')
			putc(*c, fp);
		else
			fprintf(fp, "\\x%02x", *c);
	}
}

static void summary_table_print(const struct summary_table *t, const char *title, FILE *fp)
{
	struct summary_entry *sorted = malloc(t->n * sizeof *sorted + 1);
	if (!sorted)
		return;
	memcpy(sorted, t->e, t->n * sizeof *sorted);
	qsort(sorted, t->n, sizeof *sorted, summary_cmp);
	fprintf(fp, "  %s:\n", title);
	unsigned long long rest = t->others;
	for (size_t i = 0; i < t->n; i++) {
		const struct summary_entry *e = &sorted[i];
		if (i >= SUMMARY_TOP) {
			rest += e->records;
			continue;
		}
		fprintf(fp, "    %6llu  ", e->records);
		summary_put(fp, e->key);
		if (e->where[0]) {
			fputs("  [", fp);
			summary_put(fp, e->where);
			fputc(']', fp);
		}
		fprintf(fp, ", %llu time%s\n", e->repeats, e->repeats == 1 ? "" : "s");
	}
	if (rest)
		fprintf(fp, "    %6llu  others\n", rest);
	free(sorted);
}

void summary_print(const struct summary *s, FILE *fp)
{
	fprintf(fp, "misroute: %llu incident%s\n", s->incidents, s->incidents == 1 ? "" : "s");
	if (!s->incidents)
		return;
	summary_table_print(&s->rules, "by rule", fp);
	summary_table_print(&s->clients, "top clients", fp);
	summary_table_print(&s->dests, "top destinations", fp);
}
