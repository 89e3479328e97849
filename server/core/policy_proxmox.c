/* proxmox: Proxmox VE's auto-balloon (qemu-server, PVE::AutoBalloon, run by
 * pvestatd) as its public source and docs describe it: every 10 s, goal =
 * host memory x 80 % - host used; nothing while |goal| <= 10 MiB; otherwise
 * desired = balloon_min + (sum of (current - balloon_min) + goal) x shares /
 * sum of shares, within [balloon_min, maxmem], the clipped part re-spread;
 * each VM moves at most 100 MiB per round. VMs under pressure (free <= 25 %
 * of balloon_min) grow first, VMs with free memory give first. Demand-blind
 * except for that. balloon_min is the floor, shares the weight. Without the
 * host's size (host_total_kib 0), the pool plus the reserve stands for it
 * and the guests' allocations for what is used. */
#include <errno.h>
#include <stdio.h>

#include "mm_demand.h"
#include "mm_policy.h"

#define PERIOD_MS         10000
#define HOST_GOAL_PERCENT 80
#define IDLE_KIB          (10 * MM_KIB_PER_MIB)
#define STEP_KIB          (100 * MM_KIB_PER_MIB)

struct proxmox {
	struct mm_cadence clock;
};
_Static_assert(sizeof(struct proxmox) <= MM_POLICY_STATE_BYTES, "fits");

struct px_ctx {
	const struct mm_snapshot *s;
	bool grow;     /* this round hands memory out */
	bool selected; /* the preferred set is not empty */
};

static int px_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                   size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'proxmox' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

/* Free memory as the balloon driver's stats show it (MemFree + Cached). */
static bool pressured(const struct mm_dom_in *d)
{
	return d->report.free_kib * 4 <= d->floor_kib;
}

/* In this round's set: growing, the pressured VMs (all if none is);
 * shrinking, the VMs with free memory (all if none has). */
static bool in_set(const struct px_ctx *c, size_t i)
{
	bool p = pressured(&c->s->dom[i]);
	if (!c->selected)
		return true;
	return c->grow ? p : !p;
}

static double base_of(const void *ctx, size_t i)
{
	const struct px_ctx *c = ctx;
	return in_set(c, i) ? (double)c->s->dom[i].floor_kib : 0;
}

static double w_of(const void *ctx, size_t i)
{
	const struct px_ctx *c = ctx;
	return in_set(c, i) ? (double)(c->s->dom[i].weight ? c->s->dom[i].weight : 1) : 0;
}

static double hi_of(const void *ctx, size_t i)
{
	const struct px_ctx *c = ctx;
	return in_set(c, i) ? (double)c->s->dom[i].maxmem_kib : 0;
}

static double host_goal(const struct mm_snapshot *s)
{
	double total, used = 0;

	for (size_t i = 0; i < s->n; i++)
		used += (double)s->dom[i].actual_kib;
	if (s->host_total_kib) {
		total = (double)s->host_total_kib;
		used = total - (double)s->host_free_kib;
	} else {
		total = (double)s->pool_kib + (double)s->reserve_kib;
	}
	return total * HOST_GOAL_PERCENT / 100.0 - used;
}

static void px_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	struct proxmox *p = state;
	struct px_ctx c = {.s = s};
	struct mm_fill f = {.n = s->n, .ctx = &c, .base = base_of, .w = w_of, .hi = hi_of};
	double goal, above = 0, k;
	size_t npress = 0;

	if (!mm_cadence_due(&p->clock, s->now_ms, PERIOD_MS)) {
		mm_policy_wait_all(s, out);
		return;
	}
	goal = host_goal(s);
	if (goal <= IDLE_KIB && goal >= -IDLE_KIB)
		return; /* wants stay at the current targets */
	c.grow = goal > 0;
	for (size_t i = 0; i < s->n; i++)
		npress += pressured(&s->dom[i]);
	c.selected = c.grow ? npress > 0 : npress < s->n;
	for (size_t i = 0; i < s->n; i++)
		if (in_set(&c, i))
			above += (double)s->dom[i].actual_kib - (double)s->dom[i].floor_kib;
	k = mm_fill_solve(&f, above + goal);
	for (size_t i = 0; i < s->n; i++) {
		double cur = (double)s->dom[i].actual_kib, x;
		if (!in_set(&c, i))
			continue;
		x = mm_fill_at(&f, i, k);
		x = x > cur + STEP_KIB ? cur + STEP_KIB : x < cur - STEP_KIB ? cur - STEP_KIB : x;
		out->dom[i].want_kib = mm_policy_kib(x);
	}
}

const struct mm_policy_type mm_policy_proxmox = {
    .name = "proxmox",
    .usage = "proxmox",
    .help = "Proxmox VE peer: host target 80 % used; shares of (current - min + "
            "goal); 100 MiB per VM per 10 s; pressured VMs grow first",
    .init = px_init,
    .run = px_run,
};
