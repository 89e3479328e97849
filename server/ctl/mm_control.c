/* Glue: starts what was asked for and polls it between rounds. Scheduled
 * reservations ask at their time as a client would, detached (the
 * scenario holds no connection), and release at release_s if still live. */
#include "mm_control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend_sim.h"
#include "mm_loop.h"

static void sim_heard(void *arg, const struct mm_resv *r, const struct mm_resv_set *set)
{
	struct mm_control *c = arg;
	const struct mm_scenario *sc = mm_backend_sim_scenario(c->sim);

	(void)set;
	for (size_t i = 0; i < sc->nresv; i++) {
		if (c->sim_ids[i] != r->id)
			continue;
		if (r->state == MM_RESV_HELD)
			mm_backend_sim_resv_result(c->sim, true,
			                           mm_resv_since(r->met_ms, r->created_ms));
		else if (r->state == MM_RESV_ENDED &&
		         (r->end == MM_RESV_END_REFUSED || r->end == MM_RESV_END_TIMEOUT))
			mm_backend_sim_resv_result(c->sim, false,
			                           mm_resv_since(r->ended_ms, r->created_ms));
	}
}

static int sim_poll(struct mm_control *c, uint64_t now_ms)
{
	const struct mm_scenario *sc = mm_backend_sim_scenario(c->sim);
	uint64_t t = mm_backend_sim_elapsed_ms(c->sim);
	int kick = 0;

	for (; c->sim_next < sc->nresv && sc->resv[c->sim_next].at_ms <= t; c->sim_next++) {
		const struct mm_sim_resv *s = &sc->resv[c->sim_next];
		struct mm_resv_req q = {.size_kib = s->size_kib,
		                        .for_name = s->for_name,
		                        .timeout_ms = s->timeout_ms,
		                        .lease_ms = s->lease_ms};
		int id = mm_resv_host_add(&c->host, &q, now_ms);
		if (id > 0)
			c->sim_ids[c->sim_next] = (uint32_t)id, kick = 1;
		else /* 16 live already: counted as a failed request */
			mm_backend_sim_resv_result(c->sim, false, 0);
	}
	for (size_t i = 0; i < c->sim_next; i++) {
		const struct mm_sim_resv *s = &sc->resv[i];
		if (s->release_ms && t >= s->release_ms && c->sim_ids[i] &&
		    !mm_resv_end(&c->host.set, c->sim_ids[i], MM_RESV_END_RELEASED, now_ms)) {
			mm_resv_host_settle(&c->host, now_ms);
			kick = 1;
		}
	}
	return kick;
}

int mm_control_poll(void *arg, uint64_t now_ms)
{
	struct mm_control *c = arg;
	int kick = 0;

	if (c->sim)
		kick |= sim_poll(c, now_ms);
	if (c->ctl)
		kick |= mm_ctl_poll(c->ctl, now_ms);
	return kick;
}

int mm_control_start(struct mm_control *c, struct mm_loop *l, const char *path, const char *group,
                     struct mm_backend *sim, char *err, size_t errlen)
{
	size_t n = sim ? mm_backend_sim_scenario(sim)->nresv : 0;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!path && !n)
		return 0;
	c->host.loop = l;
	if (n) {
		c->sim = sim;
		c->sim_ids = calloc(n, sizeof(*c->sim_ids));
		if (!c->sim_ids)
			return -ENOMEM;
		mm_resv_host_listen(&c->host, sim_heard, c);
	}
	if (path) {
		rc = mm_ctl_open(path, group, &c->host, &c->ctl, err, errlen);
		if (rc) {
			mm_control_stop(c);
			return rc;
		}
	}
	l->resv = &c->host;
	l->poll = mm_control_poll;
	l->poll_arg = c;
	return 0;
}

void mm_control_stop(struct mm_control *c)
{
	if (c->host.loop && c->host.loop->resv == &c->host) {
		c->host.loop->resv = NULL;
		c->host.loop->poll = NULL;
	}
	mm_ctl_close(c->ctl);
	mm_resv_host_dispose(&c->host);
	free(c->sim_ids);
	memset(c, 0, sizeof(*c));
}
