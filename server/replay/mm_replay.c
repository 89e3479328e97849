/* The replay reader: TSV files in, rounds out. Columns are found by their
 * header names, so added columns do not matter; '#' lines are comments; a
 * malformed row is skipped and counted (the logs are append-only and a crash
 * can leave half a row). Pacing is in mm_replay_play.c. */
#include "mm_replay.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX_BYTES (512u << 20) /* a 1 h run of 100 domains is ~30 MiB */
#define FIELDS_MAX     16

struct cols {
	int idx[10];
	size_t n;
};

static const char *const ROUND_COLS[] = {"time_ms", "pool_kib",      "host_free_kib", "tau",
                                         "policy",  "round_cost_us", "writes"};
static const char *const DOM_COLS[] = {"time_ms", "domid",    "target_kib",    "actual_kib",
                                       "tot_kib", "free_kib", "swap_used_kib", "reason"};

static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	if (!f || fstat(fileno(f), &st) || st.st_size < 0 ||
	    (uint64_t)st.st_size > FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path,
		         !f ? strerror(errno) : "not readable or larger than 512 MiB");
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		snprintf(err, errlen, "%s: read failed", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
out:
	if (f)
		fclose(f);
	return buf;
}

/* Splits line (modified in place) at tabs; returns the field count. */
static size_t split(char *line, char **f)
{
	size_t n = 0;

	for (char *p = line; n < FIELDS_MAX; p++) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = '\0';
	}
	return n;
}

/* Maps the wanted names to field positions; -1 when one is missing. */
static int map_cols(char **f, size_t nf, const char *const *want, size_t nwant, struct cols *c)
{
	c->n = nf;
	for (size_t w = 0; w < nwant; w++) {
		c->idx[w] = -1;
		for (size_t i = 0; i < nf; i++)
			if (!strcmp(f[i], want[w]))
				c->idx[w] = (int)i;
		if (c->idx[w] < 0)
			return -1;
	}
	return 0;
}

static int u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int reason_of(const char *name, uint8_t *out)
{
	for (int k = 0; k < MM_REASON_COUNT; k++)
		if (!strcmp(mm_reason_name((enum mm_reason)k), name))
			return *out = (uint8_t)k, 0;
	*out = MM_REASON_HOLD;
	return -1;
}

/* Each row: the file's lines, comments and headers handled here. */
typedef int (*row_fn)(struct mm_replay *rp, void *ctx, char **f, const struct cols *c,
                      bool restart);

static int read_tsv(struct mm_replay *rp, const char *path, const char *const *want, size_t nwant,
                    row_fn fn, void *ctx, char *err, size_t errlen)
{
	size_t len;
	char *buf = slurp(path, &len, err, errlen), *line, *next;
	struct cols c = {.n = 0};
	bool have_cols = false, restart = false;
	char *f[FIELDS_MAX];

	if (!buf)
		return -EIO;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next) { /* a last row cut off without its newline */
			rp->skipped_rows++;
			break;
		}
		*next++ = '\0';
		if (next - line >= 2 && next[-2] == '\r')
			next[-2] = '\0';
		if (*line == '#') {
			restart = restart || strstr(line, "restart") != NULL;
			continue;
		}
		size_t nf = split(line, f);
		bool header = false;
		for (size_t i = 0; i < nf; i++)
			header = header || !strcmp(f[i], "time_ms");
		if (header) {
			have_cols = map_cols(f, nf, want, nwant, &c) == 0;
			continue;
		}
		if (!have_cols || nf != c.n || fn(rp, ctx, f, &c, restart))
			rp->skipped_rows++;
		else
			restart = false;
	}
	free(buf);
	return 0;
}

static int round_row(struct mm_replay *rp, void *ctx, char **f, const struct cols *c, bool restart)
{
	struct mm_replay_rnd r;
	char *end;
	(void)ctx;

	memset(&r, 0, sizeof(r));
	if (u64(f[c->idx[0]], &r.time_ms) || u64(f[c->idx[1]], &r.pool_kib) ||
	    u64(f[c->idx[2]], &r.host_free_kib) || u64(f[c->idx[5]], &r.cost_us) ||
	    u64(f[c->idx[6]], &r.writes))
		return -1;
	r.tau = strtod(f[c->idx[3]], &end);
	if (*end)
		return -1;
	snprintf(r.policy, sizeof(r.policy), "%s", f[c->idx[4]]);
	/* a new run in the same folder: keep only the last one */
	if (restart || (rp->nrounds && r.time_ms <= rp->rnd[rp->nrounds - 1].time_ms))
		rp->nrounds = 0;
	if (rp->nrounds == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 1024;
		struct mm_replay_rnd *p = realloc(rp->rnd, cap * sizeof(*p));
		if (!p)
			return -1;
		rp->rnd = p;
		rp->cap = cap;
	}
	rp->rnd[rp->nrounds++] = r;
	return 0;
}

static int dom_row(struct mm_replay *rp, void *ctx, char **f, const struct cols *c, bool restart)
{
	struct mm_replay_dom *d = ctx;
	struct mm_replay_row r;
	uint64_t domid;
	(void)restart; /* a domain that left and came back restarts its file mid-run */

	memset(&r, 0, sizeof(r));
	if (u64(f[c->idx[0]], &r.time_ms) || u64(f[c->idx[1]], &domid) || domid > UINT32_MAX ||
	    u64(f[c->idx[2]], &r.target_kib) || u64(f[c->idx[3]], &r.actual_kib) ||
	    u64(f[c->idx[4]], &r.tot_kib) || u64(f[c->idx[5]], &r.free_kib) ||
	    u64(f[c->idx[6]], &r.swap_used_kib) || r.free_kib > r.tot_kib)
		return -1;
	r.domid = (uint32_t)domid;
	if (reason_of(f[c->idx[7]], &r.reason))
		rp->unknown_reasons++;
	if (d->n && r.time_ms <= d->row[d->n - 1].time_ms)
		d->n = 0; /* time went back: an older run in the same file */
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct mm_replay_row *p = realloc(d->row, cap * sizeof(*p));
		if (!p)
			return -1;
		d->row = p;
		d->cap = cap;
	}
	d->row[d->n++] = r;
	return 0;
}

static int add_domain(struct mm_replay *rp, const char *dir, const char *file, char *err,
                      size_t errlen)
{
	char path[4200];
	size_t len = strlen(file);
	struct mm_replay_dom *p = realloc(rp->dom, (rp->ndoms + 1) * sizeof(*p)), *d;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rp->dom = p;
	d = &rp->dom[rp->ndoms];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%.*s", (int)(len - 4), file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int rc = read_tsv(rp, path, DOM_COLS, 8, dom_row, d, err, errlen);
	if (rc || d->n == 0) { /* not a domain log (or empty): not ours to replay */
		free(d->row);
		return rc;
	}
	rp->ndoms++;
	return 0;
}

static int scan_domains(struct mm_replay *rp, const char *dir, char *err, size_t errlen)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!dh) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while (!rc && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".log"))
			rc = add_domain(rp, dir, e->d_name, err, errlen);
	}
	closedir(dh);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const struct mm_replay_dom *x = a, *y = b;
	return strcmp(x->name, y->name);
}

int mm_replay_load(const char *dir, struct mm_replay *rp, char *err, size_t errlen)
{
	char path[4200];
	int rc;

	memset(rp, 0, sizeof(*rp));
	snprintf(path, sizeof(path), "%s/rounds.tsv", dir);
	rc = read_tsv(rp, path, ROUND_COLS, 7, round_row, NULL, err, errlen);
	if (!rc && rp->nrounds == 0) {
		snprintf(err, errlen, "%s: no round (not a log folder written by mmserver -d?)",
		         path);
		rc = -ENODATA;
	}
	if (!rc)
		rc = scan_domains(rp, dir, err, errlen);
	if (!rc && rp->ndoms == 0) {
		snprintf(err, errlen, "%s: no domain log (<name>.log)", dir);
		rc = -ENODATA;
	}
	if (!rc && !(rp->scratch = calloc(rp->ndoms, sizeof(*rp->scratch)))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (rc) {
		mm_replay_free(rp);
		return rc;
	}
	qsort(rp->dom, rp->ndoms, sizeof(*rp->dom), by_name);
	for (size_t k = 0; k < rp->ndoms; k++) {
		struct mm_replay_dom *d = &rp->dom[k];
		for (size_t j = 0; j < d->n; j++) {
			const struct mm_replay_row *r = &d->row[j];
			uint64_t m = r->target_kib > r->actual_kib ? r->target_kib : r->actual_kib;
			m = m > r->tot_kib ? m : r->tot_kib;
			if (r->time_ms >= rp->rnd[0].time_ms && m > d->maxmem_kib)
				d->maxmem_kib = m;
		}
	}
	return 0;
}

static uint64_t floor_of(const struct mm_settings *set, const char *name)
{
	for (size_t i = 0; i < set->nfloors; i++)
		if (!strcmp(set->floors[i].name, name))
			return set->floors[i].kib;
	return set->floor_kib;
}

static uint32_t flags_of(uint8_t reason)
{
	switch (reason) {
	case MM_REASON_STALE: return MM_FLAG_STALE;
	case MM_REASON_STUCK: return MM_FLAG_STUCK;
	case MM_REASON_NO_REPORT: return MM_FLAG_NO_REPORT;
	case MM_REASON_MAXMEM: return MM_FLAG_CAPPED;
	default: return 0;
	}
}

static void fill_dom(struct mm_round_dom *o, struct mm_replay_dom *d, const struct mm_replay_row *r,
                     const struct mm_settings *set)
{
	memset(o, 0, sizeof(*o));
	o->domid = r->domid;
	snprintf(o->name, sizeof(o->name), "%s", d->name);
	o->has_report = r->tot_kib > 0 && r->reason != MM_REASON_NO_REPORT;
	o->report.has = MM_REPORT_HAS_SWAP;
	o->report.tot_kib = r->tot_kib;
	o->report.free_kib = r->free_kib;
	o->report.swap_used_kib = r->swap_used_kib;
	o->report.swap_total_kib = r->swap_used_kib; /* unknown: at least what is used */
	o->actual_kib = r->actual_kib;
	o->prev_target_kib = d->prev_target_kib ? d->prev_target_kib : r->target_kib;
	o->target_kib = r->target_kib;
	o->maxmem_kib = d->maxmem_kib;
	o->floor_kib = floor_of(set, d->name);
	o->flags = flags_of(r->reason);
	o->reason = (enum mm_reason)r->reason;
	d->prev_target_kib = r->target_kib;
}

void mm_replay_round(struct mm_replay *rp, size_t i, const struct mm_settings *set,
                     struct mm_round *out)
{
	const struct mm_replay_rnd *rr = &rp->rnd[i];
	size_t n = 0;

	for (size_t k = 0; k < rp->ndoms; k++) {
		struct mm_replay_dom *d = &rp->dom[k];
		while (d->cur < d->n && d->row[d->cur].time_ms < rr->time_ms)
			d->cur++;
		if (d->cur < d->n && d->row[d->cur].time_ms == rr->time_ms)
			fill_dom(&rp->scratch[n++], d, &d->row[d->cur++], set);
		else
			d->prev_target_kib = 0; /* absent: arrives anew later */
	}
	memset(out, 0, sizeof(*out));
	out->seq = i + 1;
	out->time_ms = rr->time_ms;
	out->policy = rr->policy;
	out->tau = rr->tau;
	out->pool_kib = rr->pool_kib;
	out->free_goal_kib = set->free_kib;
	out->host_free_kib = rr->host_free_kib;
	out->reserve_kib = set->reserve_kib;
	out->cost_us = rr->cost_us;
	out->writes = rr->writes;
	out->n = n;
	out->dom = rp->scratch;
}

void mm_replay_free(struct mm_replay *rp)
{
	for (size_t k = 0; k < rp->ndoms; k++)
		free(rp->dom[k].row);
	free(rp->dom);
	free(rp->rnd);
	free(rp->scratch);
	memset(rp, 0, sizeof(*rp));
}
