/* Config file parsing. Unknown keys are errors, not warnings: a typo in a
 * daemon's config should stop it at start (and -n), not be ignored. */
#include "mm_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"

void mm_settings_defaults(struct mm_settings *s, const char *default_policy)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->policy, sizeof(s->policy), "%s", default_policy);
	s->free_kib = 150 * 1024;
	s->reserve_kib = 64 * 1024;
	s->floor_kib = 200 * 1024;
	s->interval_ms = 1000;
	s->stale_intervals = 10;
	s->scope.manage = MM_MANAGE_REPORTING;
}

const char MM_CONFIG_NOT_MINE[] = "not a scope key";

const char *mm_config_apply_scope(struct mm_settings *s, unsigned *given, const char *k,
                                  const char *v)
{
	uint64_t x;

	if (!strcmp(k, "manage")) {
		if (mm_scope_parse_manage(v, &s->scope.manage))
			return "must be reporting, all or list";
	} else if (!strcmp(k, "include") || !strcmp(k, "exclude")) {
		const char *why = mm_scope_add(&s->scope, k[0] == 'e', v);
		if (why)
			return why;
	} else if (!strcmp(k, "stale_intervals")) {
		if (mm_parse_u64(v, 100000, &x) || x < 2)
			return "stale_intervals must be 2 to 100000";
		s->stale_intervals = x;
		*given |= MM_SET_STALE;
		return NULL;
	} else {
		return MM_CONFIG_NOT_MINE;
	}
	*given |= MM_SET_SCOPE;
	return NULL;
}

static int set_floor(struct mm_settings *s, const char *name, uint64_t kib)
{
	for (size_t i = 0; i < s->nfloors; i++) {
		if (!strcmp(s->floors[i].name, name)) {
			s->floors[i].kib = kib;
			return 0;
		}
	}
	if (s->nfloors == MM_FLOORS_MAX || strlen(name) >= MM_NAME_MAX || !*name)
		return -1;
	snprintf(s->floors[s->nfloors].name, MM_NAME_MAX, "%s", name);
	s->floors[s->nfloors++].kib = kib;
	return 0;
}

static int set_weight(struct mm_settings *s, const char *name, uint32_t w)
{
	for (size_t i = 0; i < s->nweights; i++) {
		if (!strcmp(s->weights[i].name, name)) {
			s->weights[i].weight = w;
			return 0;
		}
	}
	if (s->nweights == MM_FLOORS_MAX || strlen(name) >= MM_NAME_MAX || !*name)
		return -1;
	snprintf(s->weights[s->nweights].name, MM_NAME_MAX, "%s", name);
	s->weights[s->nweights++].weight = w;
	return 0;
}

uint32_t mm_settings_weight(const struct mm_settings *s, const char *name)
{
	for (size_t i = 0; i < s->nweights; i++)
		if (!strcmp(s->weights[i].name, name))
			return s->weights[i].weight;
	return MM_WEIGHT_DEFAULT;
}

/* One "key = value" pair; returns NULL or what is wrong. */
static const char *apply(struct mm_settings *s, unsigned *given, const char *k, const char *v)
{
	const char *why = mm_config_apply_scope(s, given, k, v);
	uint64_t x;
	int rc;

	if (why != MM_CONFIG_NOT_MINE)
		return why;
	if (!strcmp(k, "policy")) {
		if (strlen(v) >= sizeof(s->policy))
			return "policy name too long";
		snprintf(s->policy, sizeof(s->policy), "%s", v);
		*given |= MM_SET_POLICY;
		return NULL;
	}
	if (!strcmp(k, "interval_ms")) {
		if (mm_parse_u64(v, 3600000, &x) || x < 10)
			return "interval_ms must be 10 to 3600000";
		s->interval_ms = x;
		*given |= MM_SET_INTERVAL;
		return NULL;
	}
	if (!strncmp(k, "weight.", 7)) {
		if (mm_parse_u64(v, 100, &x) || x < 1)
			return "weight must be 1 to 100 (default 50)";
		return set_weight(s, k + 7, (uint32_t)x)
		           ? "too many per-domain weights, or a bad name"
		           : NULL;
	}
	if (!strcmp(k, "pool") && !strcmp(v, "auto")) {
		s->pool_kib = 0;
		*given |= MM_SET_POOL;
		return NULL;
	}
	rc = mm_parse_size_kib(v, &x);
	if (rc && (!strcmp(k, "pool") || !strcmp(k, "free") || !strcmp(k, "reserve") ||
	           !strcmp(k, "floor") || !strncmp(k, "floor.", 6)))
		return mm_parse_strerror(rc);
	if (!strcmp(k, "pool"))
		s->pool_kib = x, *given |= MM_SET_POOL;
	else if (!strcmp(k, "free"))
		s->free_kib = x, *given |= MM_SET_FREE;
	else if (!strcmp(k, "reserve"))
		s->reserve_kib = x, *given |= MM_SET_RESERVE;
	else if (!strcmp(k, "floor"))
		s->floor_kib = x, *given |= MM_SET_FLOOR;
	else if (!strncmp(k, "floor.", 6))
		return set_floor(s, k + 6, x) ? "too many per-domain floors, or a bad name" : NULL;
	else
		return "unknown key (known: policy, pool, free, reserve, floor, floor.NAME, "
		       "weight.NAME, interval_ms, stale_intervals, manage, include, exclude)";
	return NULL;
}

static char *trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return p;
}

int mm_config_parse(const char *text, size_t len, struct mm_settings *s, unsigned *given, char *err,
                    size_t errlen)
{
	char line[512];
	size_t pos = 0, lineno = 0;

	*given = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *k, *v, *eq;
		const char *why;

		lineno++;
		if (l >= sizeof(line) || memchr(text + pos, '\0', l)) {
			snprintf(err, errlen, "line %zu: too long or not text", lineno);
			return -EINVAL;
		}
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		k = trim(line);
		if (*k == '#' || *k == '\0')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "line %zu: expected 'key = value'", lineno);
			return -EINVAL;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		why = apply(s, given, k, v);
		if (why) {
			snprintf(err, errlen, "line %zu: %s = %s: %s", lineno, k, v, why);
			return -EINVAL;
		}
	}
	return 0;
}

int mm_config_load(const char *path, int required, struct mm_settings *s, unsigned *given,
                   char *err, size_t errlen)
{
	char buf[65536], tmp[300];
	FILE *f = fopen(path, "r");
	size_t n;
	int rc;

	*given = 0;
	if (!f) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf), f);
	rc = ferror(f) || n == sizeof(buf);
	fclose(f);
	if (rc) {
		snprintf(err, errlen, "%s: unreadable or larger than 64 KiB", path);
		return -EINVAL;
	}
	rc = mm_config_parse(buf, n, s, given, err, errlen);
	if (rc) {
		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	return rc;
}

void mm_settings_overlay(struct mm_settings *dst, const struct mm_settings *src, unsigned given)
{
	if (given & MM_SET_POLICY)
		memcpy(dst->policy, src->policy, sizeof(dst->policy));
	if (given & MM_SET_POOL)
		dst->pool_kib = src->pool_kib;
	if (given & MM_SET_FREE)
		dst->free_kib = src->free_kib;
	if (given & MM_SET_RESERVE)
		dst->reserve_kib = src->reserve_kib;
	if (given & MM_SET_FLOOR)
		dst->floor_kib = src->floor_kib;
	if (given & MM_SET_INTERVAL)
		dst->interval_ms = src->interval_ms;
	if (given & MM_SET_STALE)
		dst->stale_intervals = src->stale_intervals;
	if (given & MM_SET_SCOPE) /* the command line's scope replaces the file's */
		dst->scope = src->scope;
}

void mm_settings_hints(struct mm_settings *s, unsigned given, uint64_t pool_kib, uint64_t free_kib,
                       uint64_t reserve_kib)
{
	if (pool_kib && !(given & MM_SET_POOL))
		s->pool_kib = pool_kib;
	if (free_kib && !(given & MM_SET_FREE))
		s->free_kib = free_kib;
	if (reserve_kib && !(given & MM_SET_RESERVE))
		s->reserve_kib = reserve_kib;
}
