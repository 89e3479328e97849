/* The simulated host. Time advances in ticks: in fast mode as quickly as the
 * loop asks, in real time by sleeping. Guests report every report_ms with a
 * small per-guest phase, like mmclients started one after another. */
#include "backend_sim.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A guest's report node as xenstore would hold it, and what the reader has
 * seen of it (the freshness contract of backend.h). */
#define NODE_MAX    4096 /* xenstore's value limit: a guest may write past 512 bytes */
#define NODE_INLINE 360  /* a well-behaved report (about 250 bytes) fits in the node */
struct node {
	int len;           /* -1: none yet */
	bool wrote;        /* the guest wrote since the last read */
	bool seen;         /* a valid report was returned before */
	bool client_down;  /* its mmclient is dead (scenario client_stop_s) */
	uint64_t last_seq; /* seq of the last report returned */
	/* the text: inline when it fits, else in spill (NODE_MAX, made on the
	 * first long report). Nodes stay 384 bytes: read in a round at 10000
	 * guests, 4 KiB nodes were a page (a TLB miss) each. */
	char *spill;
	char text[NODE_INLINE];
};

static const char *node_text(const struct node *nd)
{
	return nd->len > (int)sizeof(nd->text) ? nd->spill : nd->text;
}

/* Stores a report of n bytes written into buf (NODE_MAX); -ENOMEM if a
 * long one finds no memory (the guest's write fails: nothing changes). */
static int node_store(struct node *nd, const char *buf, int n)
{
	if (n > (int)sizeof(nd->text)) {
		if (!nd->spill && !(nd->spill = malloc(NODE_MAX)))
			return -ENOMEM;
		memcpy(nd->spill, buf, (size_t)n);
	} else {
		memcpy(nd->text, buf, (size_t)n);
	}
	nd->len = n;
	nd->wrote = true;
	return 0;
}

struct sim {
	struct mm_backend base;
	struct mm_scenario sc;
	struct mm_sim_opts opts;
	struct mm_guest *g;
	struct mm_metrics m;
	struct node *node; /* per guest: its report node */
	uint64_t now_ms;   /* since scenario start */
	uint64_t epoch_ms; /* Unix ms at scenario start */
	uint64_t end_ms;
	uint32_t next_domid;
	size_t *of_domid;       /* domid -> guest index; domids 1..n, never reused */
	struct timespec wall;   /* real time mode: when the last tick was due */
	char scratch[NODE_MAX]; /* a guest writes its report here first */
};

static struct sim *S(struct mm_backend *b)
{
	return (struct sim *)b;
}

/* dom0 and every running guest's allocation (may pass the host's size) */
static uint64_t host_used(const struct sim *s)
{
	uint64_t used = s->sc.dom0_kib;

	for (size_t i = 0; i < s->sc.n; i++)
		if (s->g[i].alive)
			used += s->g[i].alloc_kib;
	return used;
}

static uint64_t host_free(const struct sim *s)
{
	uint64_t used = host_used(s);

	return used < s->sc.host_kib ? s->sc.host_kib - used : 0;
}

static uint64_t report_phase(const struct sim *s, size_t i)
{
	/* spread over the first 5% of the interval, in whole ticks */
	uint64_t ticks = s->sc.report_ms / s->sc.tick_ms / 20;
	return ticks ? (i % (ticks + 1)) * s->sc.tick_ms : 0;
}

/* Starts and stops domains whose time has come. A running guest is looked
 * at only for its stop; the host's use is summed once, on the first start
 * tried, then kept up to date (a sum per waiting guest was O(n^2)). */
static void lifecycle(struct sim *s)
{
	uint64_t used = 0;
	bool used_known = false;

	for (size_t i = 0; i < s->sc.n; i++) {
		const struct mm_guest_cfg *c = &s->sc.guests[i];
		struct mm_guest *g = &s->g[i];
		struct mm_guest_metrics *gm;

		if (g->alive) {
			if (c->stop_ms && s->now_ms >= c->stop_ms) {
				g->alive = false; /* vanished: the loop must drop it */
				used -= used_known ? g->alloc_kib : 0;
			}
			continue;
		}
		gm = &s->m.g[i];
		if (g->domid != 0 || gm->start_result)
			continue; /* ended, or its start has failed */
		if (s->now_ms >= c->start_ms && !used_known) {
			used = host_used(s);
			used_known = true;
		}
		/* Like xl create, a domain starts only when the host can give its
		 * memory without dipping into the reserve; until then it waits. */
		if (s->now_ms >= c->start_ms &&
		    (used < s->sc.host_kib ? s->sc.host_kib - used : 0) >=
		        c->memory_kib + s->sc.reserve_kib) {
			s->of_domid[s->next_domid] = i;
			mm_guest_start(g, c, s->next_domid++, s->now_ms);
			s->node[i] = (struct node){.len = -1, .spill = s->node[i].spill};
			gm->start_result = 1;
			used += g->alloc_kib;
		} else if (c->start_timeout_ms && s->now_ms >= c->start_ms + c->start_timeout_ms) {
			gm->start_result = 2; /* like xl create, it gave up (start_timeout_s) */
		} else if (s->now_ms > c->start_ms) {
			/* the host had no room: it needs all it asked for */
			mm_metrics_waiting(&s->m, i, mm_workload_demand_kib(&c->workload, 0),
			                   mm_workload_demand_kib(&c->workload, 0) +
			                       c->overhead_kib + c->kernel_min_kib,
			                   c->start_ms, s->sc.tick_ms);
		}
	}
}

/* Whether guest i's mmclient runs now (scenario client_stop_s and
 * client_restart_s); a restarted client counts its seq from 1 again. */
static bool client_up(struct sim *s, size_t i)
{
	const struct mm_guest_cfg *c = &s->sc.guests[i];
	bool down = c->client_stop_ms && s->now_ms >= c->client_stop_ms &&
	            (!c->client_restart_ms || s->now_ms < c->client_restart_ms);

	if (down)
		s->node[i].client_down = true;
	else if (s->node[i].client_down)
		s->node[i].client_down = false, s->g[i].seq = 0;
	return !down;
}

/* One tick; returns true if any guest reported. */
static bool tick(struct sim *s)
{
	bool event = false;
	uint64_t pool, used = s->sc.dom0_kib;

	s->now_ms += s->sc.tick_ms;
	lifecycle(s);
	for (size_t i = 0; i < s->sc.n; i++) {
		struct mm_guest *g = &s->g[i];
		if (!g->alive)
			continue;
		mm_guest_tick(g, s->now_ms, s->sc.tick_ms);
		used += g->alloc_kib; /* host_used(), in this pass */
		if (((s->now_ms + s->sc.report_ms - report_phase(s, i)) % s->sc.report_ms == 0 ||
		     g->cfg->behaviour == MM_BEH_FLOOD) &&
		    client_up(s, i)) {
			int n = mm_guest_report(g, s->scratch, NODE_MAX);
			if (n >= 0 && node_store(&s->node[i], s->scratch, n) == 0)
				event = true;
		}
	}
	pool = s->sc.host_kib - s->sc.dom0_kib - s->sc.reserve_kib;
	if (s->sc.pool_kib && s->sc.pool_kib < pool)
		pool = s->sc.pool_kib; /* the limit is what the policies may share */
	mm_metrics_tick(&s->m, s->g, s->now_ms, s->sc.tick_ms, pool,
	                used < s->sc.host_kib ? s->sc.host_kib - used : 0, s->sc.reserve_kib);
	return event;
}

/* Domids are handed out once each, from 1 up (next_domid), so a table
 * indexed by domid finds a guest in O(1): the loop asks once per domain. */
static struct mm_guest *by_domid(struct sim *s, uint32_t domid, size_t *idx)
{
	size_t i;

	if (domid == 0 || domid >= s->next_domid)
		return NULL;
	i = s->of_domid[domid];
	if (!s->g[i].alive || s->g[i].domid != domid)
		return NULL;
	if (idx)
		*idx = i;
	return &s->g[i];
}

static int sim_list(struct mm_backend *b, struct mm_dom_info *out, size_t cap, size_t *n)
{
	struct sim *s = S(b);
	size_t k = 0;

	for (size_t i = 0; i < s->sc.n; i++) {
		const struct mm_guest *g = &s->g[i];
		if (!g->alive)
			continue;
		if (k < cap) {
			out[k].domid = g->domid;
			memcpy(out[k].name, g->cfg->name, sizeof(out[k].name));
			out[k].actual_kib = g->alloc_kib;
			out[k].target_kib = g->target_kib;
			out[k].maxmem_kib = g->cfg->maxmem_kib;
		}
		k++;
	}
	*n = k;
	return 0;
}

static int sim_read_report(struct mm_backend *b, uint32_t domid, struct mm_report *out,
                           struct mm_report_error *err)
{
	struct sim *s = S(b);
	struct node *nd;
	bool fresh;
	size_t i;

	if (!by_domid(s, domid, &i) || s->node[i].len < 0)
		return -ENOENT;
	nd = &s->node[i];
	/* the same parser as for a real guest's xenstore node */
	if (mm_report_parse(node_text(nd), (size_t)nd->len, out, err))
		return nd->wrote = false, -EINVAL;
	fresh = (out->has & MM_REPORT_HAS_SEQ) ? mm_report_seq_new(nd->seen, nd->last_seq, out)
	                                       : nd->wrote;
	nd->wrote = false;
	if (!fresh)
		return MM_BACKEND_SAME;
	nd->seen = true;
	nd->last_seq = out->seq;
	return 0;
}

static int sim_host_free(struct mm_backend *b, uint64_t *free_kib)
{
	*free_kib = host_free(S(b));
	return 0;
}

static int sim_set_target(struct mm_backend *b, uint32_t domid, uint64_t target_kib)
{
	struct sim *s = S(b);
	struct mm_guest *g;
	size_t i;

	g = by_domid(s, domid, &i);
	if (!g)
		return -ENOENT;
	mm_metrics_write(&s->m, i, g, target_kib);
	g->target_kib = target_kib;
	return 0;
}

static bool sim_finished(struct mm_backend *b)
{
	return S(b)->now_ms >= S(b)->end_ms;
}

/* Real time: sleeps until the next tick is due; -EINTR on a signal (taken
 * with the backend's wait mask, so none is lost before the sleep). */
static int sleep_tick(struct sim *s)
{
	struct timespec now, left;

	s->wall.tv_nsec += (long)(s->sc.tick_ms % 1000) * 1000000L;
	s->wall.tv_sec += (time_t)(s->sc.tick_ms / 1000) + s->wall.tv_nsec / 1000000000L;
	s->wall.tv_nsec %= 1000000000L;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = s->wall.tv_sec - now.tv_sec;
		left.tv_nsec = s->wall.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0)
			left.tv_sec--, left.tv_nsec += 1000000000L;
		if (left.tv_sec < 0)
			return 0;
		if (ppoll(NULL, 0, &left, s->base.wait_sigmask) < 0 && errno == EINTR)
			return -EINTR;
	}
}

static int sim_wait(struct mm_backend *b, int64_t timeout_ms)
{
	struct sim *s = S(b);
	uint64_t until = s->now_ms + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	while (s->now_ms < until && !sim_finished(b)) {
		if (!s->opts.fast && sleep_tick(s) == -EINTR)
			return -EINTR;
		if (tick(s))
			return 1;
	}
	return 0;
}

static uint64_t sim_now(struct mm_backend *b)
{
	return S(b)->epoch_ms + S(b)->now_ms;
}

static uint64_t sim_mono(struct mm_backend *b)
{
	return S(b)->now_ms;
}

static void sim_destroy(struct mm_backend *b)
{
	struct sim *s = S(b);

	if (!s)
		return;
	for (size_t i = 0; s->node && i < s->sc.n; i++)
		free(s->node[i].spill);
	mm_scenario_free(&s->sc);
	free(s->g);
	free(s->m.g);
	free(s->node);
	free(s->of_domid);
	free(s);
}

static const struct mm_backend_ops sim_ops = {
    .name = "sim",
    .list_domains = sim_list,
    .read_report = sim_read_report,
    .host_free = sim_host_free,
    .set_target = sim_set_target,
    .wait = sim_wait,
    .now_ms = sim_now,
    .mono_ms = sim_mono,
    .finished = sim_finished,
    .destroy = sim_destroy,
};

int mm_backend_sim_create(struct mm_scenario *sc, const struct mm_sim_opts *o,
                          struct mm_backend **out, char *err, size_t errlen)
{
	struct sim *s = calloc(1, sizeof(*s));
	size_t n = sc->n;

	if (!s)
		return -ENOMEM;
	s->g = calloc(n, sizeof(*s->g));
	s->m.g = calloc(n, sizeof(*s->m.g));
	s->node = calloc(n, sizeof(*s->node));
	s->of_domid = calloc(n + 1, sizeof(*s->of_domid));
	if (!s->g || !s->m.g || !s->node || !s->of_domid) {
		snprintf(err, errlen, "sim: out of memory for %zu guests", n);
		sim_destroy(&s->base);
		return -ENOMEM;
	}
	s->base.ops = &sim_ops;
	s->sc = *sc;
	memset(sc, 0, sizeof(*sc)); /* ownership moved */
	s->opts = *o;
	s->end_ms = o->duration_ms ? o->duration_ms : s->sc.duration_ms;
	s->next_domid = 1;
	s->m.n = n;
	for (size_t i = 0; i < n; i++) {
		memcpy(s->m.g[i].name, s->sc.guests[i].name, MM_NAME_MAX);
		s->node[i].len = -1;
	}
	if (!o->fast) {
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		s->epoch_ms = (uint64_t)rt.tv_sec * 1000 + (uint64_t)rt.tv_nsec / 1000000;
		clock_gettime(CLOCK_MONOTONIC, &s->wall);
	}
	lifecycle(s);
	*out = &s->base;
	return 0;
}

const struct mm_metrics *mm_backend_sim_metrics(struct mm_backend *b)
{
	return &S(b)->m;
}

const struct mm_scenario *mm_backend_sim_scenario(struct mm_backend *b)
{
	return &S(b)->sc;
}

uint64_t mm_backend_sim_elapsed_ms(struct mm_backend *b)
{
	return S(b)->now_ms;
}

void mm_backend_sim_resv_result(struct mm_backend *b, bool met, uint64_t waited_ms)
{
	struct mm_metrics *m = &S(b)->m;

	if (met)
		m->resv_met++;
	else
		m->resv_failed++;
	m->resv_wait_sum_ms += waited_ms;
	if (waited_ms > m->resv_wait_max_ms)
		m->resv_wait_max_ms = waited_ms;
}

void mm_backend_sim_set_free_goal(struct mm_backend *b, uint64_t free_kib)
{
	S(b)->m.free_goal_kib = free_kib;
}
