/* Runs a scenario through the real loop, the sim backend (fast) and the real
 * control socket, in one thread: a script called after every round acts as
 * the clients (connect, write, read without blocking) at chosen simulated
 * times, so every run is deterministic. */
#ifndef CTL_HARNESS_H
#define CTL_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend_sim.h"
#include "mm_config.h"
#include "mm_control.h"
#include "mm_domains.h"
#include "mm_loop.h"

#define H_CLIENTS 24

struct cli {
	int fd; /* -1: none */
	char buf[65536];
	size_t len;
	bool closed; /* the server closed it */
};

struct run {
	struct mm_backend *b;
	struct mm_loop loop;
	struct mm_control control;
	volatile sig_atomic_t stop, reload;
	char path[108];
	struct cli cli[H_CLIENTS];
	int step;                /* the script's own progress */
	uint64_t rounds;         /* rounds seen */
	uint64_t floor_breaches; /* targets written below a floor */
	uint64_t max_reserve_kib;
	uint64_t last_sum_target_kib;
	void (*script)(struct run *r, uint64_t t_ms);
};

static void c_pump(struct cli *c)
{
	while (c->fd >= 0 && c->len < sizeof(c->buf) - 1) {
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
		if (n > 0) {
			c->len += (size_t)n;
			c->buf[c->len] = '\0';
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->closed = true;
		return;
	}
}

static int c_connect(struct run *r, int k)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cli *c = &r->cli[k];

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->path);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return 0;
}

static void c_send(struct run *r, int k, const char *text, size_t len)
{
	ssize_t n = write(r->cli[k].fd, text, len);
	(void)n;
}

static void c_close(struct run *r, int k)
{
	if (r->cli[k].fd >= 0)
		close(r->cli[k].fd);
	r->cli[k].fd = -1;
}

static bool c_has(struct run *r, int k, const char *needle)
{
	return strstr(r->cli[k].buf, needle) != NULL;
}

static void h_round(void *arg, const struct mm_round *rd)
{
	struct run *r = arg;
	uint64_t sum = 0;

	r->rounds++;
	for (size_t i = 0; i < rd->n; i++) {
		if (rd->dom[i].flags & MM_FLAG_OUT_OF_SCOPE)
			continue;
		sum += rd->dom[i].target_kib;
		if (rd->dom[i].target_kib < rd->dom[i].prev_target_kib &&
		    rd->dom[i].target_kib < rd->dom[i].floor_kib)
			r->floor_breaches++;
	}
	r->last_sum_target_kib = sum;
	if (rd->resv && rd->resv->reserved_kib > r->max_reserve_kib)
		r->max_reserve_kib = rd->resv->reserved_kib;
	for (int k = 0; k < H_CLIENTS; k++)
		if (r->cli[k].fd >= 0)
			c_pump(&r->cli[k]);
	if (r->script)
		r->script(r, mm_backend_sim_elapsed_ms(r->b));
}

/* Runs tests/ctl/data/NAME.json; with sock, the control socket is on;
 * with keep_resv false, the scenario's own reservations are dropped. */
static int h_run(struct run *r, const char *name, bool sock, bool keep_resv)
{
	char path[512], dir[512], err[512] = "";
	struct mm_scenario sc;
	struct mm_settings s;
	struct mm_sim_opts so = {.fast = true};
	int rc;

	for (int k = 0; k < H_CLIENTS; k++)
		r->cli[k].fd = -1;
	snprintf(path, sizeof(path), "%s/tests/ctl/data/%s.json", MM_SOURCE_DIR, name);
	snprintf(dir, sizeof(dir), "%s/tests/ctl/out", MM_BINARY_DIR);
	mkdir(dir, 0755);
	snprintf(r->path, sizeof(r->path), "%s/tests/ctl/out/%s.sock", MM_BINARY_DIR, name);
	snprintf(dir, sizeof(dir), "%s/tests/ctl/out/%s-%d%d", MM_BINARY_DIR, name, sock,
	         keep_resv);
	rc = mm_scenario_load(path, &sc, err, sizeof(err));
	if (rc)
		return fprintf(stderr, "%s\n", err), rc;
	if (!keep_resv)
		sc.nresv = 0;
	mm_settings_defaults(&s, "tax");
	mm_settings_hints(&s, 0, sc.pool_kib, sc.free_kib, sc.reserve_kib);
	rc = mm_backend_sim_create(&sc, &so, &r->b, err, sizeof(err));
	if (rc)
		return fprintf(stderr, "%s\n", err), rc;
	mm_backend_sim_set_free_goal(r->b, s.free_kib);
	rc = mm_loop_apply_settings(&r->loop, &s, err, sizeof(err));
	rc = rc ? rc : mm_logs_open(&r->loop.logs, dir, 0);
	r->loop.b = r->b;
	rc = rc ? rc
	        : mm_control_start(&r->control, &r->loop, sock ? r->path : NULL, NULL, r->b, err,
	                           sizeof(err));
	if (rc)
		return fprintf(stderr, "setup: %s rc=%d\n", err, rc), rc;
	r->loop.stop = &r->stop;
	r->loop.reload = &r->reload;
	r->loop.on_round = h_round;
	r->loop.on_round_arg = r;
	return mm_loop_run(&r->loop);
}

static void h_dispose(struct run *r)
{
	if (!r->b) { /* nothing set up, or disposed already */
		memset(r, 0, sizeof(*r));
		return;
	}
	for (int k = 0; k < H_CLIENTS; k++)
		c_close(r, k);
	mm_control_stop(&r->control);
	mm_loop_dispose(&r->loop);
	if (r->b)
		r->b->ops->destroy(r->b);
	memset(r, 0, sizeof(*r));
}

static const struct mm_guest_metrics *h_guest(struct run *r, const char *name)
{
	const struct mm_metrics *m = mm_backend_sim_metrics(r->b);
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->g[i].name, name))
			return &m->g[i];
	return NULL;
}

#endif
