/* Golden policy cases: every folder under tests/core/golden holds one
 * case.txt, a script of snapshots, runs and expected wants worked out by
 * hand in its comments. Adding a case is adding a folder. The policy runs
 * alone (mm_policy_run), without the guards, so a case shows what the
 * policy asks for.
 *
 * case.txt, one command per line, '#' comments:
 *   policy NAME[:ARGS]
 *   snapshot pool= free_goal= host_free= reserve= host_total= now_ms=
 *   dom used= swap= psi= pswpin= balloon= actual= target= maxmem= floor= weight=
 *                          (used: of the balloon, so at most actual; what does
 *                          not fit is swap; the committed need is used + swap)
 *   set N key=value...     (domain N, from 1; same keys as dom)
 *   run
 *   expect N want=KIB reason=NAME   (want within 1 KiB: rounding)
 *   apply                  (every balloon reached its want: actual = target = want) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_policy.h"

#define MAX_DOMS  16
#define MAX_CASES 256
#define GOLDEN    MM_SOURCE_DIR "/tests/core/golden"

struct gdom {
	uint64_t used, swap, balloon, pswpin;
	uint32_t psi;
};

struct gcase {
	struct mm_policy pol;
	struct mm_snapshot snap;
	struct mm_dom_in in[MAX_DOMS];
	struct gdom g[MAX_DOMS];
	struct mm_dom_out out[MAX_DOMS];
	unsigned char mem[MAX_DOMS][MM_POLICY_DOM_BYTES];
	bool ran;
};

static void fill_report(struct gcase *c, size_t i)
{
	struct mm_dom_in *d = &c->in[i];
	const struct gdom *g = &c->g[i];
	uint64_t balloon = g->balloon ? g->balloon : d->actual_kib;

	d->has_report = true;
	d->report.has = MM_REPORT_HAS_SEQ | MM_REPORT_HAS_SWAP | MM_REPORT_HAS_BALLOON |
	                MM_REPORT_HAS_PSI | MM_REPORT_HAS_VMSTAT;
	d->report.balloon_cur_kib = balloon;
	d->report.tot_kib = balloon > 61440 ? balloon - 61440 : balloon;
	d->report.free_kib = balloon > g->used ? balloon - g->used : 0;
	if (d->report.free_kib > d->report.tot_kib)
		d->report.free_kib = d->report.tot_kib;
	d->report.swap_total_kib = 4u << 20;
	d->report.swap_used_kib = g->swap;
	d->report.psi_some10_centi = g->psi;
	d->report.pswpin = g->pswpin;
}

/* key=value into domain i; fails the test on an unknown key. */
static void dom_kv(struct gcase *c, size_t i, const char *k, uint64_t v, int line)
{
	struct mm_dom_in *d = &c->in[i];
	struct gdom *g = &c->g[i];

	if (!strcmp(k, "used"))
		g->used = v;
	else if (!strcmp(k, "swap"))
		g->swap = v;
	else if (!strcmp(k, "psi"))
		g->psi = (uint32_t)v;
	else if (!strcmp(k, "pswpin"))
		g->pswpin = v;
	else if (!strcmp(k, "balloon"))
		g->balloon = v;
	else if (!strcmp(k, "actual"))
		d->actual_kib = v;
	else if (!strcmp(k, "target"))
		d->target_kib = v;
	else if (!strcmp(k, "maxmem"))
		d->maxmem_kib = v;
	else if (!strcmp(k, "floor"))
		d->floor_kib = v;
	else if (!strcmp(k, "weight"))
		d->weight = (uint32_t)v;
	else
		fail_msg("line %d: unknown domain key '%s'", line, k);
}

static void snap_kv(struct gcase *c, const char *k, uint64_t v, int line)
{
	struct mm_snapshot *s = &c->snap;

	if (!strcmp(k, "pool"))
		s->pool_kib = v;
	else if (!strcmp(k, "free_goal"))
		s->free_goal_kib = v;
	else if (!strcmp(k, "host_free"))
		s->host_free_kib = v;
	else if (!strcmp(k, "reserve"))
		s->reserve_kib = v;
	else if (!strcmp(k, "host_total"))
		s->host_total_kib = v;
	else if (!strcmp(k, "now_ms"))
		s->now_ms = v;
	else
		fail_msg("line %d: unknown snapshot key '%s'", line, k);
}

static enum mm_reason reason_of(const char *name, int line)
{
	for (int r = 0; r < MM_REASON_COUNT; r++)
		if (!strcmp(mm_reason_name((enum mm_reason)r), name))
			return (enum mm_reason)r;
	fail_msg("line %d: unknown reason '%s'", line, name);
	return MM_REASON_COUNT;
}

static void run(struct gcase *c)
{
	struct mm_plan plan = {.n = c->snap.n, .dom = c->out};

	for (size_t i = 0; i < c->snap.n; i++)
		fill_report(c, i);
	c->snap.dom = c->in;
	mm_policy_run(&c->pol, &c->snap, &plan);
	c->ran = true;
}

static void expect(struct gcase *c, size_t i, char **tok, int ntok, int line)
{
	assert_true(c->ran);
	for (int t = 0; t < ntok; t++) {
		char *eq = strchr(tok[t], '=');
		assert_non_null(eq);
		*eq = '\0';
		if (!strcmp(tok[t], "want")) {
			long long want = strtoll(eq + 1, NULL, 10), got = c->out[i].want_kib;
			if (got < want - 1 || got > want + 1)
				fail_msg("line %d: domain %zu want %lld, policy asked %lld", line,
				         i + 1, want, got);
		} else if (!strcmp(tok[t], "reason")) {
			enum mm_reason r = reason_of(eq + 1, line);
			if (c->out[i].reason != r)
				fail_msg("line %d: domain %zu reason %s, policy gave %s", line,
				         i + 1, eq + 1, mm_reason_name(c->out[i].reason));
		} else {
			fail_msg("line %d: unknown expect key '%s'", line, tok[t]);
		}
	}
}

static void kvs(struct gcase *c, long dom, char **tok, int ntok, int line)
{
	for (int t = 0; t < ntok; t++) {
		char *eq = strchr(tok[t], '=');
		if (!eq)
			fail_msg("line %d: '%s' is not key=value", line, tok[t]);
		*eq = '\0';
		if (dom < 0)
			snap_kv(c, tok[t], strtoull(eq + 1, NULL, 10), line);
		else
			dom_kv(c, (size_t)dom, tok[t], strtoull(eq + 1, NULL, 10), line);
	}
}

static void command(struct gcase *c, char **tok, int ntok, int line)
{
	char err[256];

	if (!strcmp(tok[0], "policy")) {
		assert_true(ntok == 2);
		if (mm_policy_init(&c->pol, tok[1], err, sizeof(err)))
			fail_msg("line %d: %s", line, err);
	} else if (!strcmp(tok[0], "snapshot")) {
		kvs(c, -1, tok + 1, ntok - 1, line);
	} else if (!strcmp(tok[0], "dom")) {
		size_t i = c->snap.n++;
		assert_true(i < MAX_DOMS);
		c->in[i] = (struct mm_dom_in){.domid = (uint32_t)(i + 1),
		                              .maxmem_kib = 4u << 20,
		                              .floor_kib = 204800,
		                              .weight = 50,
		                              .pol = c->mem[i]};
		kvs(c, (long)i, tok + 1, ntok - 1, line);
		if (!c->in[i].target_kib)
			c->in[i].target_kib = c->in[i].actual_kib;
	} else if (!strcmp(tok[0], "set") || !strcmp(tok[0], "expect")) {
		long n = ntok > 1 ? strtol(tok[1], NULL, 10) : 0;
		if (n < 1 || (size_t)n > c->snap.n)
			fail_msg("line %d: no domain '%s'", line, ntok > 1 ? tok[1] : "");
		if (!strcmp(tok[0], "set"))
			kvs(c, n - 1, tok + 2, ntok - 2, line);
		else
			expect(c, (size_t)n - 1, tok + 2, ntok - 2, line);
	} else if (!strcmp(tok[0], "run")) {
		run(c);
	} else if (!strcmp(tok[0], "apply")) {
		for (size_t i = 0; i < c->snap.n; i++)
			c->in[i].actual_kib = c->in[i].target_kib =
			    (uint64_t)(c->out[i].want_kib > 0 ? c->out[i].want_kib : 0);
	} else {
		fail_msg("line %d: unknown command '%s'", line, tok[0]);
	}
}

static void run_case(void **state)
{
	const char *dir = *state;
	char path[512], line[1024];
	struct gcase *c = calloc(1, sizeof(*c));
	FILE *f;
	int lineno = 0, runs = 0;

	assert_non_null(c);
	snprintf(path, sizeof(path), "%s/%s/case.txt", GOLDEN, dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *tok[24], *save = NULL, *p;
		int ntok = 0;
		lineno++;
		if ((p = strchr(line, '#')))
			*p = '\0';
		for (p = strtok_r(line, " \t\r\n", &save); p && ntok < 24;
		     p = strtok_r(NULL, " \t\r\n", &save))
			tok[ntok++] = p;
		if (!ntok)
			continue;
		runs += !strcmp(tok[0], "expect");
		command(c, tok, ntok, lineno);
	}
	fclose(f);
	assert_true(runs > 0); /* a case that checks nothing is a defect */
	mm_policy_dispose(&c->pol);
	free(c);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	struct CMUnitTest tests[MAX_CASES];
	char *names[MAX_CASES];
	size_t n = 0;
	DIR *d = opendir(GOLDEN);
	struct dirent *e;
	int rc;

	if (!d) {
		fprintf(stderr, "test_golden: %s: %s\n", GOLDEN, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) && n < MAX_CASES)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){
		    .name = names[i], .test_func = run_case, .initial_state = names[i]};
	rc = n ? _cmocka_run_group_tests("golden", tests, n, NULL, NULL) : 1;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
