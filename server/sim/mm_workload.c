/* Workload shapes. All arithmetic is integer; random is a hash of
 * (seed, second), so any time can be asked in any order. */
#include "mm_workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_trace.h"

#define MAX_ARGS 4

struct shape {
	const char *name;
	enum mm_workload_kind kind;
	int nargs;
	const char *usage;
};

static const struct shape shapes[] = {
    {"mono", MM_WL_MONO, 3, "mono LOW HIGH STEP"},
    {"static", MM_WL_STATIC, 1, "static SIZE"},
    {"random", MM_WL_RANDOM, 2, "random LOW HIGH"},
    {"triangle", MM_WL_TRIANGLE, 3, "triangle BASE DELTA MAX"},
    {"step", MM_WL_STEP, 3, "step LOW HIGH AT_S"},
    {"burst", MM_WL_BURST, 4, "burst BASE PEAK AT_S LEN_S"},
};

/* Splits spec into at most 1 + MAX_ARGS words in buf; returns the count. */
static int split(const char *spec, char *buf, size_t len, char **words)
{
	int n = 0;
	char *save = NULL;

	snprintf(buf, len, "%s", spec);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == 1 + MAX_ARGS)
			return n + 1;
		words[n++] = w;
	}
	return n;
}

/* Sizes for the size slots; plain seconds for the timing slots of step/burst. */
static int parse_args(const struct shape *sh, char **args, struct mm_workload *w, char *err,
                      size_t errlen)
{
	uint64_t v[MAX_ARGS] = {0};

	for (int i = 0; i < sh->nargs; i++) {
		int timing =
		    (sh->kind == MM_WL_STEP && i == 2) || (sh->kind == MM_WL_BURST && i >= 2);
		int rc = timing ? mm_parse_u64(args[i], 1000000000, &v[i])
		                : mm_parse_size_kib(args[i], &v[i]);
		if (rc) {
			snprintf(err, errlen, "workload '%s': argument %d '%s': %s", sh->usage,
			         i + 1, args[i], mm_parse_strerror(rc));
			return -EINVAL;
		}
	}
	w->a_kib = v[0], w->b_kib = v[1], w->c_kib = v[2];
	if (sh->kind == MM_WL_STEP)
		w->at_ms = v[2] * 1000, w->c_kib = 0;
	if (sh->kind == MM_WL_BURST)
		w->at_ms = v[2] * 1000, w->len_ms = v[3] * 1000, w->c_kib = 0;
	return 0;
}

static int check_shape(const struct mm_workload *w, const char *usage, char *err, size_t errlen)
{
	int bad = 0;

	if (w->kind == MM_WL_MONO || w->kind == MM_WL_RANDOM)
		bad = w->a_kib > w->b_kib;
	if (w->kind == MM_WL_MONO)
		bad |= w->c_kib == 0;
	if (w->kind == MM_WL_TRIANGLE)
		bad = w->b_kib == 0 || w->a_kib > w->c_kib;
	if (bad)
		snprintf(err, errlen,
		         "workload '%s': LOW/BASE must not exceed HIGH/MAX and "
		         "STEP/DELTA must be positive",
		         usage);
	return bad ? -EINVAL : 0;
}

int mm_workload_parse(const char *spec, struct mm_workload *w, char *err, size_t errlen)
{
	char buf[256], *words[2 + MAX_ARGS];
	int n = split(spec, buf, sizeof(buf), words);

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; n > 0 && i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *sh = &shapes[i];
		if (strcmp(words[0], sh->name))
			continue;
		if (n - 1 != sh->nargs) {
			snprintf(err, errlen, "workload '%s': expected '%s'", spec, sh->usage);
			return -EINVAL;
		}
		w->kind = sh->kind;
		if (parse_args(sh, words + 1, w, err, errlen))
			return -EINVAL;
		return check_shape(w, sh->usage, err, errlen);
	}
	snprintf(err, errlen,
	         "unknown workload '%s' (known: mono, static, random, triangle, "
	         "step, burst, or a trace file)",
	         spec);
	return -EINVAL;
}

/* Up STEP per second from LOW to HIGH, down again, then LOW for ever. */
static uint64_t mono(const struct mm_workload *w, uint64_t s)
{
	uint64_t steps = (w->b_kib - w->a_kib) / w->c_kib;

	if (s <= steps)
		return w->a_kib + s * w->c_kib;
	if (s <= 2 * steps)
		return w->a_kib + (2 * steps - s) * w->c_kib;
	return w->a_kib;
}

static uint64_t triangle(const struct mm_workload *w, uint64_t s)
{
	uint64_t steps = (w->c_kib - w->a_kib) / w->b_kib, pos;

	if (steps == 0)
		return w->a_kib;
	pos = s % (2 * steps);
	return w->a_kib + (pos <= steps ? pos : 2 * steps - pos) * w->b_kib;
}

static uint64_t mix(uint64_t x) /* splitmix64 finaliser */
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

uint64_t mm_workload_demand_kib(const struct mm_workload *w, uint64_t t_ms)
{
	uint64_t s = t_ms / 1000, used;

	switch (w->kind) {
	case MM_WL_MONO: return mono(w, s);
	case MM_WL_STATIC: return w->a_kib;
	case MM_WL_RANDOM:
		return w->a_kib +
		       mix(w->seed ^ (s * 0x632be59bd9b4e019u)) % (w->b_kib - w->a_kib + 1);
	case MM_WL_TRIANGLE: return triangle(w, s);
	case MM_WL_STEP: return t_ms >= w->at_ms ? w->b_kib : w->a_kib;
	case MM_WL_BURST:
		return t_ms >= w->at_ms && t_ms - w->at_ms < w->len_ms ? w->b_kib : w->a_kib;
	case MM_WL_TRACE:
		used = mm_trace_demand_at(w->trace, t_ms + w->trace_shift_ms);
		return used > w->trace_offset_kib ? used - w->trace_offset_kib : 0;
	}
	return 0;
}
