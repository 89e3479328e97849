/* Scenario JSON with jansson. Sizes are strings with a suffix ("1G") or
 * integers in KiB; times are seconds. Every guest field can be given once in
 * "defaults"; "count" repeats a guest, with %d in its name. */
#include "mm_scenario.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"

struct ctx {
	char *err;
	size_t errlen;
	const char *where; /* "host", "guest vm1", ... */
	const char *text;  /* the JSON as written, to give a position */
};

/* Keys each object may hold. A typo ("worklaod") must stop the run with its
 * place, not leave a guest on its defaults for an hour-long experiment. */
static const char *const root_keys[] = {"name",     "description", "seed",         "duration_s",
                                        "tick_s",   "report_s",    "host",         "server",
                                        "defaults", "guests",      "reservations", NULL};
static const char *const host_keys[] = {"memory", "dom0", "reserve", NULL};
static const char *const server_keys[] = {"pool", "free", NULL};
static const char *const guest_keys[] = {"name",
                                         "count",
                                         "description",
                                         "memory",
                                         "maxmem",
                                         "floor",
                                         "overhead",
                                         "kernel_min",
                                         "balloon_speed",
                                         "swap",
                                         "behaviour",
                                         "behaviour_at",
                                         "start_s",
                                         "stop_s",
                                         "client_stop_s",
                                         "client_restart_s",
                                         "start_timeout_s",
                                         "cache_share",
                                         "workload",
                                         NULL};
static const char *const trace_keys[] = {"trace", "skip_s", NULL};
static const char *const resv_keys[] = {"at_s",    "size",      "for", "timeout_s",
                                        "lease_s", "release_s", NULL};

/* Line and column of the first "key" in the text, for the message. */
static void position(const char *text, const char *key, int *line, int *col)
{
	char quoted[80];
	const char *at;

	*line = *col = 0;
	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	at = text ? strstr(text, quoted) : NULL;
	if (!at)
		return;
	*line = 1, *col = 1;
	for (const char *p = text; p < at; p++, (*col)++)
		if (*p == '\n')
			(*line)++, *col = 0;
}

static int check_keys(struct ctx *c, json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return 0;
	json_object_foreach(obj, key, v)
	{
		size_t i = 0;
		int line, col;
		while (known[i] && strcmp(known[i], key))
			i++;
		if (known[i])
			continue;
		position(c->text, key, &line, &col);
		if (line)
			snprintf(c->err, c->errlen, "line %d column %d: %s: unknown key '%s'", line,
			         col, c->where, key);
		else
			snprintf(c->err, c->errlen, "%s: unknown key '%s'", c->where, key);
		return -EINVAL;
	}
	return 0;
}

static int bad(struct ctx *c, const char *field, const char *why)
{
	snprintf(c->err, c->errlen, "%s: '%s' %s", c->where, field, why);
	return -EINVAL;
}

/* Looks field up in obj, then in defaults; NULL if in neither. */
static json_t *get(json_t *obj, json_t *defaults, const char *field)
{
	json_t *v = json_object_get(obj, field);
	return v ? v : (defaults ? json_object_get(defaults, field) : NULL);
}

static int size_field(struct ctx *c, json_t *o, json_t *d, const char *f, uint64_t def,
                      uint64_t *out)
{
	json_t *v = get(o, d, f);
	int rc;

	*out = def;
	if (!v)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    (uint64_t)json_integer_value(v) <= MM_SIZE_MAX_KIB) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return bad(c, f, "must be a size such as \"512M\" or an integer in KiB");
	rc = mm_parse_size_kib(json_string_value(v), out);
	if (rc == MM_PARSE_TOO_SMALL && !strcmp(json_string_value(v), "0"))
		return *out = 0, 0;
	return rc ? bad(c, f, mm_parse_strerror(rc)) : 0;
}

static int secs_field(struct ctx *c, json_t *o, json_t *d, const char *f, uint64_t def_ms,
                      uint64_t *out_ms)
{
	json_t *v = get(o, d, f);

	*out_ms = def_ms;
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1e9)
		return bad(c, f, "must be a number of seconds from 0 to 1e9");
	*out_ms = (uint64_t)(json_number_value(v) * 1000.0 + 0.5);
	return 0;
}

static const char *const behaviours[] = {
    [MM_BEH_NORMAL] = "normal",
    [MM_BEH_STUCK] = "stuck",
    [MM_BEH_SLOW] = "slow",
    [MM_BEH_HIDDEN_FLOOR] = "hidden_floor",
    [MM_BEH_HIDDEN_CEILING] = "hidden_ceiling",
    [MM_BEH_INTERMITTENT] = "intermittent",
    [MM_BEH_SILENT] = "silent",
    [MM_BEH_GARBAGE] = "garbage",
    [MM_BEH_HUGE] = "huge",
    [MM_BEH_NEGATIVE] = "negative",
    [MM_BEH_FLAPPING] = "flapping",
    [MM_BEH_REPLAY] = "replay",
    [MM_BEH_FLOOD] = "flood",
    [MM_BEH_GROWING] = "growing",
};

static int behaviour_field(struct ctx *c, json_t *o, json_t *d, struct mm_guest_cfg *g)
{
	json_t *v = get(o, d, "behaviour");
	const char *s;

	g->behaviour = MM_BEH_NORMAL;
	if (!v)
		return 0;
	s = json_string_value(v);
	for (size_t i = 0; s && i < sizeof(behaviours) / sizeof(behaviours[0]); i++) {
		if (!strcmp(s, behaviours[i])) {
			g->behaviour = (enum mm_behaviour)i;
			if (i == MM_BEH_HIDDEN_FLOOR || i == MM_BEH_HIDDEN_CEILING)
				return size_field(c, o, d, "behaviour_at", g->memory_kib,
				                  &g->behaviour_kib);
			return 0;
		}
	}
	return bad(c, "behaviour",
	           "must be normal, stuck, slow, hidden_floor, hidden_ceiling, "
	           "intermittent, silent, garbage, huge, negative, flapping, replay, flood "
	           "or growing");
}

static int trace_workload(struct ctx *c, struct mm_scenario *sc, const char *base_dir, json_t *w,
                          struct mm_guest_cfg *g)
{
	char path[PATH_MAX];
	const char *rel = json_string_value(json_object_get(w, "trace"));
	struct mm_trace_error terr;
	struct mm_trace *t = &sc->traces[sc->ntraces];
	uint64_t shift;
	int rc = check_keys(c, w, trace_keys);

	if (rc)
		return rc;
	if (!rel)
		return bad(c, "workload", "object form needs \"trace\": \"path\"");
	snprintf(path, sizeof(path), "%s%s%s", rel[0] == '/' ? "" : base_dir,
	         rel[0] == '/' ? "" : "/", rel);
	rc = mm_trace_load(path, t, &terr);
	if (rc) {
		snprintf(c->err, c->errlen, "%s: trace %s: %s", c->where, path, terr.text);
		return rc;
	}
	sc->ntraces++;
	if (!(t->fields & MM_TRACE_F_USED))
		return bad(c, "workload", "trace has no used-memory column (a swap log?)");
	g->workload.kind = MM_WL_TRACE;
	g->workload.trace = t;
	g->workload.trace_offset_kib = g->overhead_kib + g->kernel_min_kib;
	rc = secs_field(c, w, NULL, "skip_s", 0, &shift);
	g->workload.trace_shift_ms = shift;
	return rc;
}

static int workload_field(struct ctx *c, struct mm_scenario *sc, const char *base_dir, json_t *o,
                          json_t *d, struct mm_guest_cfg *g)
{
	json_t *w = get(o, d, "workload");

	if (!w)
		return bad(c, "workload", "is missing");
	if (json_is_object(w))
		return trace_workload(c, sc, base_dir, w, g);
	if (!json_is_string(w))
		return bad(c, "workload",
		           "must be a string such as \"mono 50M 400M 20M\" or "
		           "{\"trace\": \"file\"}");
	if (mm_workload_parse(json_string_value(w), &g->workload, c->err, c->errlen)) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", c->err);
		snprintf(c->err, c->errlen, "%s: %s", c->where, tmp);
		return -EINVAL;
	}
	g->workload.seed = sc->seed ^ (uint64_t)(g - sc->guests) * 0x9e3779b97f4a7c15u;
	return 0;
}

static int guest_sizes(struct ctx *c, json_t *o, json_t *d, struct mm_guest_cfg *g)
{
	int rc = 0;

	rc = rc ? rc : size_field(c, o, d, "memory", 1 << 20, &g->memory_kib);
	rc = rc ? rc : size_field(c, o, d, "maxmem", g->memory_kib, &g->maxmem_kib);
	rc = rc ? rc : size_field(c, o, d, "floor", 200 << 10, &g->floor_kib);
	rc = rc ? rc : size_field(c, o, d, "overhead", 60 << 10, &g->overhead_kib);
	rc = rc ? rc : size_field(c, o, d, "kernel_min", 40 << 10, &g->kernel_min_kib);
	rc = rc ? rc : size_field(c, o, d, "balloon_speed", 256 << 10, &g->balloon_kib_s);
	rc = rc ? rc : size_field(c, o, d, "swap", 1 << 20, &g->swap_kib);
	if (rc)
		return rc;
	if (g->memory_kib > g->maxmem_kib)
		return bad(c, "memory", "is above maxmem");
	if (g->floor_kib > g->memory_kib)
		return bad(c, "floor", "is above the initial memory");
	if (g->overhead_kib + g->kernel_min_kib >= g->floor_kib)
		return bad(c, "floor", "must exceed overhead + kernel_min (a guest below it dies)");
	return 0;
}

static int guest_one(struct ctx *c, struct mm_scenario *sc, const char *base_dir, json_t *o,
                     json_t *d, struct mm_guest_cfg *g)
{
	json_t *cache = get(o, d, "cache_share");
	uint64_t stop_ms;
	int rc;

	rc = check_keys(c, o, guest_keys);
	rc = rc ? rc : guest_sizes(c, o, d, g);
	rc = rc ? rc : behaviour_field(c, o, d, g);
	rc = rc ? rc : secs_field(c, o, d, "start_s", 0, &g->start_ms);
	rc = rc ? rc : secs_field(c, o, d, "stop_s", 0, &stop_ms);
	if (rc)
		return rc;
	g->stop_ms = stop_ms;
	if (stop_ms && stop_ms <= g->start_ms)
		return bad(c, "stop_s", "must be after start_s");
	rc = secs_field(c, o, d, "client_stop_s", 0, &g->client_stop_ms);
	rc = rc ? rc : secs_field(c, o, d, "client_restart_s", 0, &g->client_restart_ms);
	if (rc)
		return rc;
	if (g->client_restart_ms && g->client_restart_ms <= g->client_stop_ms)
		return bad(c, "client_restart_s", "must be after client_stop_s");
	rc = secs_field(c, o, d, "start_timeout_s", 0, &g->start_timeout_ms);
	if (rc)
		return rc;
	g->cache_permille = 500;
	if (cache) {
		if (!json_is_number(cache) || json_number_value(cache) < 0 ||
		    json_number_value(cache) > 1)
			return bad(c, "cache_share", "must be a number from 0 to 1");
		g->cache_permille = (uint32_t)(json_number_value(cache) * 1000.0 + 0.5);
	}
	return workload_field(c, sc, base_dir, o, d, g);
}

/* Counts the guests "count" expands to, and the trace files to load. */
static int count_guests(json_t *guests, size_t *n)
{
	size_t i, total = 0;
	json_t *g;

	json_array_foreach(guests, i, g)
	{
		json_t *cnt = json_object_get(g, "count");
		json_int_t k = json_is_integer(cnt) ? json_integer_value(cnt) : 1;
		/* a non-integer count expanded to no guest at all and left an
		 * empty slot that passed as a guest (found by fuzz_scenario) */
		if (!json_is_object(g) || (cnt && !json_is_integer(cnt)) || k < 1 ||
		    k > MM_SCENARIO_MAX_GUESTS)
			return -EINVAL;
		total += (size_t)k;
	}
	*n = total;
	return total >= 1 && total <= MM_SCENARIO_MAX_GUESTS ? 0 : -EINVAL;
}

static int name_guest(struct mm_guest_cfg *g, json_t *o, size_t idx)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	char fmt[MM_NAME_MAX];
	int n;

	if (!name)
		return snprintf(g->name, sizeof(g->name), "vm%zu", idx + 1), 0;
	if (strlen(name) >= sizeof(fmt) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
	                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.%d") != strlen(name))
		return -EINVAL;
	snprintf(fmt, sizeof(fmt), "%s", name);
	if (strstr(fmt, "%d")) {
		/* the only conversion we allow: the guest's number in the scenario */
		char *p = strstr(fmt, "%d");
		*p = '\0';
		n = snprintf(g->name, sizeof(g->name), "%s%zu%s", fmt, idx + 1, p + 2);
	} else {
		n = snprintf(g->name, sizeof(g->name), "%s", fmt);
	}
	return n > 0 && (size_t)n < sizeof(g->name) ? 0 : -EINVAL;
}

static int guests_all(struct ctx *c, struct mm_scenario *sc, const char *base_dir, json_t *root)
{
	json_t *arr = json_object_get(root, "guests"), *d = json_object_get(root, "defaults"), *o;
	char where[96];
	size_t i, idx = 0;

	if (!json_is_array(arr) || count_guests(arr, &sc->n))
		return bad(c, "guests",
		           "must be a list of 1 to 100000 guest objects (count included)");
	sc->guests = calloc(sc->n, sizeof(*sc->guests));
	sc->traces = calloc(sc->n, sizeof(*sc->traces));
	if (!sc->guests || !sc->traces)
		return -ENOMEM;
	json_array_foreach(arr, i, o)
	{
		json_t *cnt = json_object_get(o, "count");
		size_t k, reps = cnt ? (size_t)json_integer_value(cnt) : 1;
		for (k = 0; k < reps; k++, idx++) {
			struct mm_guest_cfg *g = &sc->guests[idx];
			if (name_guest(g, o, idx))
				return bad(c, "name",
				           "must be letters, digits, -_. (optionally %d)");
			snprintf(where, sizeof(where), "guest %s", g->name);
			c->where = where;
			int rc = guest_one(c, sc, base_dir, o, d, g);
			if (rc)
				return rc;
		}
	}
	c->where = "scenario";
	return 0;
}

static int host_and_run(struct ctx *c, struct mm_scenario *sc, json_t *root)
{
	json_t *host = json_object_get(root, "host"), *srv = json_object_get(root, "server");
	json_t *seed = json_object_get(root, "seed");
	const char *name = json_string_value(json_object_get(root, "name"));
	int rc = 0;

	c->where = "scenario";
	rc = check_keys(c, root, root_keys);
	c->where = "defaults";
	rc = rc ? rc : check_keys(c, json_object_get(root, "defaults"), guest_keys);
	c->where = "server";
	rc = rc ? rc : check_keys(c, srv, server_keys);
	c->where = "host";
	rc = rc ? rc : check_keys(c, host, host_keys);
	if (rc)
		return rc;
	if (!json_is_object(host))
		return bad(c, "host", "object is missing");
	rc = rc ? rc : size_field(c, host, NULL, "memory", 0, &sc->host_kib);
	rc = rc ? rc : size_field(c, host, NULL, "dom0", 1 << 20, &sc->dom0_kib);
	rc = rc ? rc : size_field(c, host, NULL, "reserve", 64 << 10, &sc->reserve_kib);
	c->where = "server";
	rc = rc ? rc : size_field(c, srv, NULL, "pool", 0, &sc->pool_kib);
	rc = rc ? rc : size_field(c, srv, NULL, "free", 0, &sc->free_kib);
	c->where = "scenario";
	rc = rc ? rc : secs_field(c, root, NULL, "duration_s", 600000, &sc->duration_ms);
	rc = rc ? rc : secs_field(c, root, NULL, "tick_s", 100, &sc->tick_ms);
	rc = rc ? rc : secs_field(c, root, NULL, "report_s", 1000, &sc->report_ms);
	if (rc)
		return rc;
	if (sc->host_kib == 0)
		return bad(c, "host.memory", "is required");
	if (sc->tick_ms == 0 || sc->report_ms < sc->tick_ms || sc->report_ms % sc->tick_ms)
		return bad(c, "report_s", "must be a positive multiple of tick_s");
	if (seed && (!json_is_integer(seed) || json_integer_value(seed) < 0))
		return bad(c, "seed", "must be a non-negative integer");
	sc->seed = seed ? (uint64_t)json_integer_value(seed) : 1;
	snprintf(sc->name, sizeof(sc->name), "%s", name ? name : "unnamed");
	return 0;
}

static int resv_one(struct ctx *c, json_t *o, struct mm_sim_resv *r)
{
	const char *name = json_string_value(json_object_get(o, "for"));
	int rc = check_keys(c, o, resv_keys);

	rc = rc ? rc : secs_field(c, o, NULL, "at_s", 0, &r->at_ms);
	rc = rc ? rc : size_field(c, o, NULL, "size", 0, &r->size_kib);
	rc = rc ? rc : secs_field(c, o, NULL, "timeout_s", 0, &r->timeout_ms);
	rc = rc ? rc : secs_field(c, o, NULL, "lease_s", 0, &r->lease_ms);
	rc = rc ? rc : secs_field(c, o, NULL, "release_s", 0, &r->release_ms);
	if (rc)
		return rc;
	if (r->size_kib < 1024)
		return bad(c, "size", "is required, at least 1M");
	if (r->timeout_ms > 3600000 || r->lease_ms > 3600000)
		return bad(c, "timeout_s", "and lease_s must be at most 3600");
	if (r->release_ms && r->release_ms <= r->at_ms)
		return bad(c, "release_s", "must be after at_s");
	if (json_object_get(o, "for") &&
	    (!name || !*name || strlen(name) >= sizeof(r->for_name) ||
	     strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
	         strlen(name)))
		return bad(c, "for", "must be a guest name (letters, digits, -_.)");
	snprintf(r->for_name, sizeof(r->for_name), "%s", name ? name : "");
	return 0;
}

/* "reservations": [{"at_s", "size", "for", "timeout_s", "lease_s",
 * "release_s"}], kept in at_s order. */
static int resv_all(struct ctx *c, struct mm_scenario *sc, json_t *root)
{
	json_t *arr = json_object_get(root, "reservations"), *o;
	size_t i;

	c->where = "reservations";
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > MM_SCENARIO_MAX_RESV)
		return bad(c, "reservations", "must be a list of at most 64 objects");
	sc->resv = calloc(json_array_size(arr) + 1, sizeof(*sc->resv));
	if (!sc->resv)
		return -ENOMEM;
	json_array_foreach(arr, i, o)
	{
		struct mm_sim_resv r = {0};
		size_t k;
		int rc = json_is_object(o) ? resv_one(c, o, &r)
		                           : bad(c, "reservations", "entries must be objects");
		if (rc)
			return rc;
		for (k = sc->nresv; k > 0 && sc->resv[k - 1].at_ms > r.at_ms; k--)
			sc->resv[k] = sc->resv[k - 1];
		sc->resv[k] = r;
		sc->nresv++;
	}
	c->where = "scenario";
	return 0;
}

static int fits_host(struct ctx *c, const struct mm_scenario *sc)
{
	uint64_t sum = sc->dom0_kib + sc->reserve_kib;

	/* guests created later wait for their memory, as xl create does */
	for (size_t i = 0; i < sc->n; i++)
		if (!sc->guests[i].start_ms)
			sum += sc->guests[i].memory_kib;
	if (sum > sc->host_kib) {
		snprintf(c->err, c->errlen,
		         "host: dom0 + reserve + the initial memory of the guests at start_s 0 "
		         "(%llu KiB) exceed host memory (%llu KiB)",
		         (unsigned long long)sum, (unsigned long long)sc->host_kib);
		return -EINVAL;
	}
	return 0;
}

int mm_scenario_parse(const char *json, const char *base_dir, struct mm_scenario *sc, char *err,
                      size_t errlen)
{
	struct ctx c = {err, errlen, "scenario", json};
	json_error_t jerr;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	memset(sc, 0, sizeof(*sc));
	if (!root) {
		snprintf(err, errlen, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	rc = json_is_object(root) ? host_and_run(&c, sc, root)
	                          : bad(&c, "top level", "must be an object");
	rc = rc ? rc : guests_all(&c, sc, base_dir, root);
	rc = rc ? rc : resv_all(&c, sc, root);
	rc = rc ? rc : fits_host(&c, sc);
	json_decref(root);
	if (rc)
		mm_scenario_free(sc);
	return rc;
}

int mm_scenario_load(const char *path, struct mm_scenario *sc, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[200];
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	char *text = NULL;
	FILE *f;
	long len;
	int rc = -ENOMEM;

	memset(sc, 0, sizeof(*sc));
	if (!root) {
		snprintf(err, errlen, "%s: line %d column %d: %s", path, jerr.line, jerr.column,
		         jerr.text);
		return -EINVAL;
	}
	json_decref(root);
	/* parse the text as written, so errors can give its lines */
	f = fopen(path, "rb");
	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)len + 1)) &&
	    fread(text, 1, (size_t)len, f) == (size_t)len) {
		text[len] = '\0';
		snprintf(dir, sizeof(dir), "%s", path);
		rc = mm_scenario_parse(text, dirname(dir), sc, err, errlen);
	} else {
		snprintf(err, errlen, "cannot read it again");
		rc = -EIO;
	}
	if (f)
		fclose(f);
	free(text);
	if (rc) {
		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	return rc;
}

void mm_scenario_free(struct mm_scenario *sc)
{
	for (size_t i = 0; i < sc->ntraces; i++)
		mm_trace_free(&sc->traces[i]);
	free(sc->traces);
	free(sc->guests);
	free(sc->resv);
	memset(sc, 0, sizeof(*sc));
}
