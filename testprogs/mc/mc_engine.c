/* The worker loop (see mc_engine.h). Requests are encoded straight into each
 * connection's output buffer and flushed once per loop turn, so a pipelined
 * connection costs one send() per batch, not per request. Latency counts
 * from the due time: in the open loop a request that waits for a free slot
 * (or a reconnect, or the next send batch) is late by that much, and its
 * wait is part of its latency. One clock read per loop turn. Live control
 * (add/remove connections, rate, pause, resume) arrives on a pipe.
 *
 * What a request costs the client is mostly the kernel's: syscalls and
 * wakeups. So replies are not read the moment they arrive: the loop sleeps
 * on its timers only (up to --coalesce-us) and then takes whatever the
 * sockets hold in one pass, each reply timed by the kernel's receive stamp
 * (SO_TIMESTAMPNS), not by when it was read. One wakeup then reads many
 * replies, and a pipelined connection's burst of replies in one recv. In
 * the closed loop the wait is cut so that the replies held back stay under
 * a quarter of the requests in flight (a server kept busy stays busy; one
 * that is not sees the client about an eighth slower to answer back);
 * with few in flight (one connection, depth 1) the loop wakes on each
 * reply as before. Sockets are edge-triggered and read until a read comes
 * back short, so epoll does not poll them again on the next wait. */
#include "mc_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "mc_ctl.h"
#include "mc_mix.h"
#include "mc_sched.h"
#include "mm_tp.h"

#define NS_PER_S            UINT64_C(1000000000)
#define BACKOFF_MIN_MS      100
#define BACKOFF_MAX_MS      1000
#define STOP_DRAIN_NS       (200 * UINT64_C(1000000)) /* after a signal: short drain */
#define CTL_ID              UINT64_MAX                /* epoll tag of the control pipe */
#define TICK_ID             (UINT64_MAX - 1)          /* epoll tag of the second timer */
#define WAIT_FOREVER        UINT64_MAX
#define AUTO_BATCH_ARRIVALS 16
#define AUTO_BATCH_SHARE    2 /* fewer per grid point at the largest: no grid */
#define AUTO_BATCH_MIN_NS   (10 * UINT64_C(1000))
#define AUTO_BATCH_MAX_NS   (750 * UINT64_C(1000))
#define ADAPT_NS            (50 * UINT64_C(1000000)) /* closed loop: how often the wait is set */
#define COALESCE_MIN_NS     (20 * UINT64_C(1000))    /* a shorter wait is not worth a timer */

struct eng {
	const struct mc_engine_cfg *cfg;
	const struct mc_opts *o;
	int epfd;            /* every socket (edge-triggered), the control pipe, the second timer */
	int sfd;             /* the control pipe and the second timer only: slept on while
	                      * replies are left to wait in the sockets (see poll_once) */
	int tfd;             /* periodic timer at every second's end (see wait_ns) */
	bool stamps;         /* replies timed by the kernel's receive stamp */
	int64_t real_off_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC, this turn */
	uint64_t coalesce_max_ns; /* --coalesce-us */
	uint64_t coalesce_ns;     /* closed loop: the wait now (0: wake on replies) */
	uint64_t adapt_t0_ns, adapt_replies0, replies; /* the reply rate that sets it */
	struct mc_conn *conns; /* n of them, cap allocated; epoll tags are indexes */
	uint32_t n, cap, cursor, ndown;
	uint32_t *dirty, ndirty;
	uint32_t refill_min; /* closed loop: requests per top-up (see refill) */
	struct mc_sched sched;
	uint64_t next_due; /* open loop: absolute ns of the next arrival */
	struct mc_mix mix;
	uint64_t fill_next, fill_left;
	char *values; /* value bytes, value_max long */
	char key[MC_KEY_MAX + 1];
	struct mc_tick *tick; /* the current second */
	uint64_t tick_end_ns;
	uint64_t end_ns, drain_until_ns, late_ns, delay_ns, batch_ns;
	double rate_per_s; /* open loop: the total rate, kept across a pause */
	int64_t due_sec;   /* a second the schedule entered before its tick began ... */
	uint64_t due_n;    /* ... and its count of arrivals (0: none pending) */
	int issuing;
	bool paused;
	struct mc_counts total;
};

uint64_t mc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

int64_t mc_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Closes the current second (and any empty ones up to now) and sends it. */
static void tick_state(struct eng *e)
{
	uint64_t up = 0;

	for (uint32_t i = 0; i < e->n; i++)
		up += e->conns[i].state == MC_CONN_UP && !e->conns[i].retired;
	e->tick->c.conns = up;
	e->tick->c.paused = e->paused;
}

static void emit_ticks(struct eng *e, uint64_t now)
{
	while (now >= e->tick_end_ns) {
		tick_state(e);
		mc_counts_add(&e->total, &e->tick->c);
		if (e->cfg->tick_fd >= 0)
			mc_tick_send(e->cfg->tick_fd, e->tick);
		mc_tick_reset(e->tick, e->tick->sec + 1);
		if (e->due_n && e->due_sec == e->tick->sec) {
			e->tick->c.due += e->due_n;
			e->due_n = 0;
		}
		e->tick_end_ns += NS_PER_S;
	}
}

static void set_events(struct eng *e, struct mc_conn *c, uint32_t events, int op)
{
	struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(c - e->conns)};

	epoll_ctl(e->epfd, op, c->fd, &ev);
}

static void mark_dirty(struct eng *e, struct mc_conn *c)
{
	if (!c->dirty) {
		c->dirty = true;
		e->dirty[e->ndirty++] = (uint32_t)(c - e->conns);
	}
}

/* Encodes one request into c's buffer and records it in flight. */
static uint64_t batch_time(const struct eng *e, uint64_t due);

static int issue(struct eng *e, struct mc_conn *c, uint64_t due, uint64_t now)
{
	struct mc_pick p;
	struct mc_req *r;
	uint64_t planned;
	size_t room;
	int len;

	if (e->cfg->mode == MC_MODE_FILL) {
		p.op = MC_OP_SET;
		p.key = e->fill_next;
		p.value_len = mc_mix_value_len(&e->mix);
		e->fill_next += e->cfg->key_step;
		e->fill_left--;
	} else {
		mc_mix_next(&e->mix, &p);
	}
	mc_key_format(p.key, e->o->key_len, e->key);
	room = c->out_cap - c->out_len;
	if (c->out_off && room < mc_encode_bound(e->o->key_len, p.value_len)) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		room = c->out_cap - c->out_len;
	}
	len = mc_encode_valid(e->o->proto, p.op, e->key, e->o->key_len, e->values, p.value_len,
	                      c->out + c->out_len, room);
	if (len < 0)
		return len;
	c->out_len += (size_t)len;
	r = mc_conn_push(c);
	r->due_ns = due;
	r->sent_ns = now;
	r->op = (uint8_t)p.op;
	e->tick->c.sent++;
	/* Late: sent more than --late-us after it was meant to go, its due
	 * time or, on a --batch-us grid, the grid point it was due at (the
	 * grid's wait is by design, and counts in the latency from due). */
	planned = batch_time(e, due);
	if (now > planned && now - planned > e->late_ns)
		e->tick->c.late++;
	mark_dirty(e, c);
	return 0;
}

/* Closed loop and fill: tops the pipeline up to --depth once at least
 * refill_min of it has come back, so each write carries that many
 * requests and memcached reads them in one go. */
static void refill(struct eng *e, struct mc_conn *c, uint64_t now)
{
	if (e->cfg->mode == MC_MODE_OPEN || c->state != MC_CONN_UP || !e->issuing || e->paused ||
	    c->retired || c->count + e->refill_min > c->ring_cap)
		return;
	while (c->count < c->ring_cap) {
		if (e->cfg->mode == MC_MODE_FILL && e->fill_left == 0)
			return;
		if (issue(e, c, now, now))
			return;
	}
}

/* Closes c and schedules a reconnect with exponential backoff (none for
 * a connection live control removed). */
static void conn_down(struct eng *e, struct mc_conn *c, uint64_t now)
{
	if (c->fd >= 0)
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	mc_conn_reset(c);
	if (c->retired)
		return;
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (c->backoff_ms > BACKOFF_MAX_MS)
		c->backoff_ms = BACKOFF_MAX_MS;
	c->retry_ns = now + (uint64_t)c->backoff_ms * 1000000u;
	e->ndown++;
}

/* An established connection died: its requests in flight are lost. */
static void conn_lost(struct eng *e, struct mc_conn *c, uint64_t now)
{
	e->tick->c.closed++;
	e->tick->c.failed += c->count;
	conn_down(e, c, now);
}

/* A reply that came in (now: its receive stamp) after the current second
 * ended, read in the wakeup that crossed the boundary, closes that second
 * first: replies count in the second they arrived in, however late they
 * are read (the per-second counts and the window's rate depend on it). */
static void complete(struct eng *e, struct mc_conn *c, const struct mc_resp *resp, uint64_t now)
{
	struct mc_req *r = mc_conn_head(c);
	struct mc_counts *k;
	uint64_t lat;

	if (now < r->sent_ns) /* a kernel stamp a hair before our send clock */
		now = r->sent_ns;
	if (now >= e->tick_end_ns)
		emit_ticks(e, now);
	k = &e->tick->c;
	lat = now - r->due_ns;
	k->done++;
	e->replies++;
	if (r->op == MC_OP_GET)
		k->gets++;
	else
		k->sets++;
	switch (resp->kind) {
	case MC_RESP_HIT: k->hits++; break;
	case MC_RESP_MISS: k->misses++; break;
	case MC_RESP_STORED: k->stored++; break;
	case MC_RESP_NOT_STORED: k->not_stored++; break;
	case MC_RESP_ERROR: k->errors++; break;
	}
	mc_hist_add(&e->tick->lat, lat);
	mc_hist_add(&e->tick->svc, now - r->sent_ns);
	if (lat > e->delay_ns)
		k->delayed++;
	mc_conn_pop(c);
}

/* Decodes every whole reply in c's input; -EPROTO on garbage. */
static int decode_all(struct eng *e, struct mc_conn *c, uint64_t now)
{
	size_t pos = 0;
	struct mc_resp resp;

	while (c->count) {
		int n = mc_decode(e->o->proto, (enum mc_op)mc_conn_head(c)->op, c->in + pos,
		                  c->in_len - pos, &resp);
		if (n < 0)
			return n;
		if (n == 0) {
			if (resp.need && mc_conn_reserve_in(c, resp.need))
				return -ENOMEM;
			break;
		}
		complete(e, c, &resp, now);
		pos += (size_t)n;
	}
	if (c->count == 0 && pos < c->in_len)
		return -EPROTO; /* bytes nobody asked for */
	memmove(c->in, c->in + pos, c->in_len - pos);
	c->in_len -= pos;
	return 0;
}

#define DATA_EV (EPOLLIN | EPOLLET)

static void flush_conn(struct eng *e, struct mc_conn *c, uint64_t now)
{
	int rc = mc_conn_flush(c);

	if (rc < 0) {
		conn_lost(e, c, now);
	} else if (rc == 1 && !c->want_out) {
		c->want_out = true;
		set_events(e, c, DATA_EV | EPOLLOUT, EPOLL_CTL_MOD);
	} else if (rc == 0 && c->want_out) {
		c->want_out = false;
		set_events(e, c, DATA_EV, EPOLL_CTL_MOD);
	}
}

/* The kernel's receive stamp of what was just read, on our clock. */
static uint64_t rx_time(const struct eng *e, uint64_t rx_real, uint64_t now)
{
	int64_t t = (int64_t)rx_real - e->real_off_ns;

	return rx_real && t > 0 && (uint64_t)t < now ? (uint64_t)t : now;
}

/* Reads until the socket is empty (edge-triggered: no new event comes for
 * what is left) and completes every whole reply. */
static void on_readable(struct eng *e, struct mc_conn *c, uint64_t now)
{
	bool got = false;

	do {
		uint64_t rx_real = 0;
		long r = e->stamps ? mc_conn_read_ts(c, &rx_real) : mc_conn_read(c);
		if (r == -EAGAIN)
			break;
		if (r <= 0 || decode_all(e, c, e->stamps ? rx_time(e, rx_real, now) : now)) {
			conn_lost(e, c, now);
			return;
		}
		got = true;
	} while (!c->rx_empty);
	if (!got)
		return;
	c->backoff_ms = 0;
	if (c->retired && c->count == 0) {
		conn_down(e, c, now); /* removed, and drained */
		return;
	}
	refill(e, c, now);
	/* Closed loop: send the refill now, not after every other event of
	 * this wakeup, so no connection idles while its neighbours are read. */
	if (c->dirty && c->state == MC_CONN_UP)
		flush_conn(e, c, now);
}

static void conn_up(struct eng *e, struct mc_conn *c, uint64_t now, int op)
{
	set_events(e, c, DATA_EV, op);
	refill(e, c, now);
}

static void on_writable(struct eng *e, struct mc_conn *c, uint64_t now)
{
	if (c->state == MC_CONN_CONNECTING) {
		if (mc_conn_connect_finish(c)) {
			e->tick->c.connect_errors++;
			conn_down(e, c, now);
			return;
		}
		conn_up(e, c, now, EPOLL_CTL_MOD);
		return;
	}
	flush_conn(e, c, now);
}

static void reconnect_due(struct eng *e, uint64_t now)
{
	for (uint32_t i = 0; i < e->n && e->ndown; i++) {
		struct mc_conn *c = &e->conns[i];
		int rc;
		if (c->state != MC_CONN_DOWN || c->retired || now < c->retry_ns)
			continue;
		e->ndown--;
		rc = mc_conn_connect_start(c, e->cfg->addr);
		if (rc == 0) {
			conn_up(e, c, now, EPOLL_CTL_ADD);
		} else if (rc == 1) {
			set_events(e, c, EPOLLOUT, EPOLL_CTL_ADD);
		} else {
			e->tick->c.connect_errors++;
			conn_down(e, c, now);
		}
	}
}

/* Next connection with a free pipeline slot, round robin; NULL if none. */
static struct mc_conn *pick_conn(struct eng *e)
{
	for (uint32_t k = 0; k < e->n; k++) {
		struct mc_conn *c = &e->conns[e->cursor];
		e->cursor = e->cursor + 1 == e->n ? 0 : e->cursor + 1;
		if (c->state == MC_CONN_UP && c->count < c->ring_cap && !c->retired)
			return c;
	}
	return NULL;
}

/* Adds a second's scheduled count to that second's tick: at once if it is
 * the current one (or already past: a client behind its schedule), else
 * when the tick gets there. The schedule runs at most one arrival ahead,
 * so one pending second is enough. */
static void count_due(struct eng *e, int64_t sec, uint64_t n)
{
	if (sec <= e->tick->sec)
		e->tick->c.due += n;
	else
		e->due_sec = sec, e->due_n = n;
}

static void next_arrival(struct eng *e)
{
	int64_t sec = e->sched.sec;
	uint64_t t = mc_sched_next(&e->sched);

	if (e->sched.sec != sec && t != MC_SCHED_NONE)
		count_due(e, e->sched.sec, e->sched.n);
	e->next_due = t == MC_SCHED_NONE ? UINT64_MAX : e->cfg->t0_ns + t;
}

/* Open loop: sends everything that is due. Arrivals due together share a
 * connection up to --depth (one send, one reply read, memcached woken once
 * for them all); with --depth 1 each goes to the next connection. Arrivals
 * that find no free slot stay due (the schedule does not move) and go out
 * late. */
static void issue_open(struct eng *e, uint64_t now)
{
	struct mc_conn *c = NULL;

	while (e->issuing && e->next_due <= now && e->next_due < e->end_ns) {
		if (e->paused) {
			e->tick->c.skipped++;
		} else {
			if (!c || c->count == c->ring_cap || c->state != MC_CONN_UP)
				c = pick_conn(e);
			if (!c || issue(e, c, e->next_due, now))
				return;
		}
		next_arrival(e);
	}
}

static void flush_dirty(struct eng *e, uint64_t now)
{
	for (uint32_t i = 0; i < e->ndirty; i++) {
		struct mc_conn *c = &e->conns[e->dirty[i]];
		if (c->dirty && c->state == MC_CONN_UP)
			flush_conn(e, c, now);
		else
			c->dirty = false;
	}
	e->ndirty = 0;
}

static uint64_t in_flight(const struct eng *e)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < e->n; i++)
		n += e->conns[i].count;
	return n;
}

/* Open loop: arrivals are sent on a grid of --batch-us from the start, so
 * one wakeup sends every arrival due since the last one (and memcached is
 * woken once per batch, not per request). The grid point is where due
 * times round up to; the difference counts in the latency. */
static uint64_t batch_time(const struct eng *e, uint64_t due)
{
	uint64_t off;

	if (e->batch_ns <= 1)
		return due;
	off = (due - e->cfg->t0_ns) % e->batch_ns;
	return off ? due + e->batch_ns - off : due;
}

/* Open-loop arrivals need wakeups finer than a batch: the default 50 us
 * timer slack would add that much to every due time (a lone timer fires
 * at the end of its slack). */
static void timer_slack(const struct eng *e)
{
	prctl(PR_SET_TIMERSLACK, e->batch_ns > 50 ? e->batch_ns / 50 : 1UL, 0UL, 0UL, 0UL);
}

/* --batch-us auto: a grid of AUTO_BATCH_ARRIVALS mean gaps of this
 * worker's arrivals, within AUTO_BATCH_MIN_NS..AUTO_BATCH_MAX_NS. Sending
 * each arrival at its own time costs a wakeup of the client and one of an
 * idle server per request; in a VM both are traps to the hypervisor, and
 * here (perf, 20000/s) waking memcached cost the client ~16 us of CPU and
 * its own wakeup ~8 us, against ~4 us for a request's send and receive:
 * twice memtier's CPU per request, which sends in bursts on libevent's
 * millisecond timers. At 20000/s the grid is 750 us: sends are at most
 * that late (counted in the latency from the due time, not in the service
 * time, and under the default --late-us), and the client and the server
 * wake ~1330 times a second instead of 20000. 8 gaps (400 us) still cost
 * 8-10 us a request, 16 about 5.6, memtier 6.5. Where fewer than
 * AUTO_BATCH_SHARE arrivals would share a grid point of the largest size
 * (under 2667/s a worker), the grid would add its wait and save few
 * wakeups: each arrival goes at its own time. */
static uint64_t auto_grid_ns(double rate_per_s, uint32_t nworkers)
{
	double per_worker = rate_per_s / (nworkers ? nworkers : 1);
	double ns = per_worker > 0 ? AUTO_BATCH_ARRIVALS * 1e9 / per_worker : 0;

	if (ns > AUTO_BATCH_MAX_NS)
		ns = per_worker * AUTO_BATCH_MAX_NS / 1e9 >= AUTO_BATCH_SHARE ? AUTO_BATCH_MAX_NS
		                                                              : 0;
	if (ns > 0 && ns < AUTO_BATCH_MIN_NS)
		ns = AUTO_BATCH_MIN_NS;
	return (uint64_t)ns;
}

uint64_t mc_batch_grid_ns(const struct mc_opts *o, double rate_per_s, uint32_t nworkers)
{
	if (rate_per_s <= 0)
		return 0; /* closed loop: no grid */
	return o->batch_auto ? auto_grid_ns(rate_per_s, nworkers) : o->batch_us * 1000u;
}

static void auto_batch(struct eng *e, double rate_per_s)
{
	e->batch_ns = auto_grid_ns(rate_per_s, e->cfg->nworkers);
	timer_slack(e);
}

/* How long epoll may sleep: until the next tick, arrival, retry or end. */
static uint64_t wait_ns(const struct eng *e, uint64_t now)
{
	uint64_t until = e->tick_end_ns;

	if (e->issuing && e->end_ns < until)
		until = e->end_ns;
	if (!e->issuing && e->drain_until_ns < until)
		until = e->drain_until_ns;
	if (e->issuing && e->cfg->mode == MC_MODE_OPEN && e->next_due > now && e->next_due < until)
		until = batch_time(e, e->next_due);
	if (e->ndown && now + BACKOFF_MIN_MS * UINT64_C(1000000) < until)
		until = now + BACKOFF_MIN_MS * UINT64_C(1000000);
	/* Waiting for the second's end: the periodic timer wakes us, so epoll
	 * needs no timeout (each timed wait arms a one-shot hrtimer, which in a
	 * VM costs an exit to reprogram the timer). */
	if (until == e->tick_end_ns && until > now && e->tfd >= 0)
		return WAIT_FOREVER;
	return until > now ? until - now : 0;
}

/* Room for n connections; existing ones keep their index (epoll tag). */
static int grow(struct eng *e, uint32_t n)
{
	struct mc_conn *c;
	uint32_t *d;

	if (n <= e->cap)
		return 0;
	c = realloc(e->conns, n * sizeof(*c));
	if (c)
		e->conns = c;
	d = c ? realloc(e->dirty, n * sizeof(*d)) : NULL;
	if (!c || !d)
		return -ENOMEM;
	memset(c + e->cap, 0, (n - e->cap) * sizeof(*c)); /* disposable: NULL buffers */
	for (uint32_t i = e->cap; i < n; i++)
		c[i].fd = -1;
	e->dirty = d;
	e->cap = n;
	return 0;
}

/* Live control: n more connections. Removed ones come back first; new
 * ones are connected by reconnect_due like any connection that is down. */
static void ctl_add(struct eng *e, uint32_t n, uint64_t now)
{
	size_t out_cap = e->o->depth * mc_encode_bound(e->o->key_len, e->o->value_max);

	for (uint32_t i = 0; i < e->n && n; i++) {
		struct mc_conn *c = &e->conns[i];
		if (!c->retired)
			continue;
		c->retired = false;
		n--;
		if (c->state == MC_CONN_DOWN) {
			c->retry_ns = now;
			e->ndown++;
		} else {
			refill(e, c, now);
		}
	}
	while (n && e->n < MC_CONNS_MAX && grow(e, e->n + 1) == 0 &&
	       mc_conn_init(&e->conns[e->n], e->o->depth, out_cap) == 0) {
		e->conns[e->n].rx_ts = e->stamps;
		e->conns[e->n++].retry_ns = now;
		e->ndown++;
		n--;
	}
}

/* Live control: n fewer connections (at least one stays). The last ones
 * take no new requests and close once their replies are in. */
static void ctl_remove(struct eng *e, uint32_t n, uint64_t now)
{
	uint32_t active = 0;

	for (uint32_t i = 0; i < e->n; i++)
		active += !e->conns[i].retired;
	for (uint32_t i = e->n; i-- > 0 && n && active > 1;) {
		struct mc_conn *c = &e->conns[i];
		if (c->retired)
			continue;
		if (c->state == MC_CONN_DOWN)
			e->ndown--;
		c->retired = true;
		n--;
		active--;
		if (c->state != MC_CONN_UP || c->count == 0)
			conn_down(e, c, now);
	}
}

static int64_t sec_of(const struct eng *e, uint64_t now)
{
	return now > e->cfg->t0_ns ? (int64_t)((now - e->cfg->t0_ns) / NS_PER_S) : 0;
}

static void ctl_apply(struct eng *e, const struct mc_ctl_msg *m, uint64_t now)
{
	switch ((enum mc_ctl_op)m->op) {
	case MC_CTL_ADD: ctl_add(e, m->n, now); break;
	case MC_CTL_REMOVE: ctl_remove(e, m->n, now); break;
	case MC_CTL_RATE:
		e->rate_per_s = m->rate_per_s;
		if (e->o->batch_auto && e->cfg->mode == MC_MODE_OPEN)
			auto_batch(e, m->rate_per_s);
		if (e->cfg->mode == MC_MODE_OPEN && !e->paused) {
			mc_sched_set_rate(&e->sched, m->rate_per_s, sec_of(e, now) + 1);
			if (e->next_due == UINT64_MAX)
				next_arrival(e);
		}
		break;
	case MC_CTL_PAUSE:
		e->paused = true;
		if (e->cfg->mode == MC_MODE_OPEN)
			mc_sched_set_rate(&e->sched, 0, sec_of(e, now) + 1);
		break;
	case MC_CTL_RESUME:
		if (!e->paused)
			break;
		e->paused = false;
		if (e->cfg->mode == MC_MODE_OPEN) {
			mc_sched_set_rate(&e->sched, e->rate_per_s, sec_of(e, now) + 1);
			if (e->next_due == UINT64_MAX)
				next_arrival(e);
		}
		for (uint32_t i = 0; i < e->n; i++)
			refill(e, &e->conns[i], now);
		break;
	default: break;
	}
}

/* Reads every whole message on the control pipe; at EOF (the parent is
 * gone) the pipe leaves the epoll set. */
static void on_ctl(struct eng *e, uint64_t now)
{
	struct mc_ctl_msg m;
	ssize_t r;

	while ((r = read(e->cfg->ctl_fd, &m, sizeof(m))) == (ssize_t)sizeof(m))
		ctl_apply(e, &m, now);
	if (r == 0) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, e->cfg->ctl_fd, NULL);
		epoll_ctl(e->sfd, EPOLL_CTL_DEL, e->cfg->ctl_fd, NULL);
	}
}

static bool free_slot(const struct eng *e)
{
	for (uint32_t i = 0; i < e->n; i++) {
		const struct mc_conn *c = &e->conns[i];
		if (c->state == MC_CONN_UP && c->count < c->ring_cap && !c->retired)
			return true;
	}
	return false;
}

/* How long replies may wait unread in this sleep; 0: wake on the first.
 * Open loop, while a connection is free to take the next arrival: until
 * the next grid point (--batch-us) or up to --coalesce-us; with every
 * connection full, a reply frees the slot an arrival waits for (a few
 * connections at depth 1 would otherwise send one request per grid
 * point). Closed loop: coalesce_ns (see adapt). Never while draining or
 * connecting. */
static uint64_t defer_ns(const struct eng *e, uint64_t now)
{
	if (!e->stamps || !e->issuing || e->ndown || in_flight(e) == 0)
		return 0;
	if (e->cfg->mode == MC_MODE_OPEN) {
		if (!free_slot(e))
			return 0;
		return e->batch_ns ? batch_time(e, now + 1) - now : e->coalesce_max_ns;
	}
	return e->coalesce_ns;
}

/* Closed loop, every ADAPT_NS: the wait that holds back at most a quarter
 * of the requests in flight at the reply rate just seen (a wait under
 * COALESCE_MIN_NS is not worth a timer: wake on replies). By Little's law
 * the wait is then a quarter of the response time: a server that is not
 * saturated gets its next request ~1/8 of a response time later on
 * average. Against an eighth, at 50 connections of depth 1 on a saturated
 * memcached: 3.7 against 4.0-4.4 us of client CPU per request. */
static void adapt(struct eng *e, uint64_t now)
{
	uint64_t window = 0, got, x = 0;

	if (now < e->adapt_t0_ns + ADAPT_NS)
		return;
	got = e->replies - e->adapt_replies0;
	for (uint32_t i = 0; i < e->n; i++)
		if (e->conns[i].state == MC_CONN_UP && !e->conns[i].retired)
			window += e->conns[i].ring_cap;
	if (got)
		x = window * (now - e->adapt_t0_ns) / (4 * got);
	if (x > e->coalesce_max_ns)
		x = e->coalesce_max_ns;
	e->coalesce_ns = x < COALESCE_MIN_NS ? 0 : x;
	e->adapt_t0_ns = now;
	e->adapt_replies0 = e->replies;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, to put receive stamps on our clock. */
static void real_offset(struct eng *e, uint64_t now)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	e->real_off_ns =
	    (int64_t)((uint64_t)rt.tv_sec * NS_PER_S + (uint64_t)rt.tv_nsec) - (int64_t)now;
}

static void handle(struct eng *e, const struct epoll_event *ev, int n, uint64_t now)
{
	uint64_t expiries;

	for (int i = 0; i < n; i++) {
		struct mc_conn *c;
		if (ev[i].data.u64 == CTL_ID) {
			on_ctl(e, now);
			continue;
		}
		if (ev[i].data.u64 == TICK_ID) {
			if (read(e->tfd, &expiries, sizeof(expiries)) < 0)
				expiries = 0; /* EAGAIN: already read */
			continue;
		}
		c = &e->conns[ev[i].data.u64];
		if (c->state != MC_CONN_DOWN && (ev[i].events & EPOLLOUT))
			on_writable(e, c, now);
		if (c->state == MC_CONN_UP && (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
			on_readable(e, c, now);
	}
}

/* Waits for events and handles them; returns the clock read after the
 * wait, which the next loop turn uses. When replies may wait (defer_ns),
 * the sleep is on the timers only (sfd) and the sockets are then asked,
 * without waiting, for everything that came in meanwhile. */
static uint64_t poll_once(struct eng *e, uint64_t now)
{
	struct epoll_event ev[64];
	uint64_t ns = wait_ns(e, now), defer = defer_ns(e, now);
	struct timespec ts, zero = {0, 0};
	int n;

	if (defer && defer < ns)
		ns = defer;
	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	if (defer) {
		(void)epoll_pwait2(e->sfd, ev, 64, &ts, NULL); /* its events are epfd's too */
		n = epoll_pwait2(e->epfd, ev, 64, &zero, NULL);
	} else {
		n = epoll_pwait2(e->epfd, ev, 64, ns == WAIT_FOREVER ? NULL : &ts, NULL);
	}
	now = mc_now_ns();
	if (e->stamps)
		real_offset(e, now);
	handle(e, ev, n, now);
	while (n == 64) { /* more are ready: take them before sleeping again */
		n = epoll_pwait2(e->epfd, ev, 64, &zero, NULL);
		handle(e, ev, n, now);
	}
	return now;
}

/* True when the run is over: issuing has stopped (end, fill done or a
 * signal) and every reply is in or the drain time is up. */
static bool finished(struct eng *e, uint64_t now)
{
	if (e->issuing) {
		if (mm_tp_stop)
			e->drain_until_ns = now + STOP_DRAIN_NS;
		else if (now >= e->end_ns || (e->cfg->mode == MC_MODE_FILL && e->fill_left == 0))
			e->drain_until_ns = e->end_ns + e->cfg->drain_ns;
		else
			return false;
		e->issuing = 0;
	}
	return in_flight(e) == 0 || now >= e->drain_until_ns;
}

static void run_loop(struct eng *e)
{
	uint64_t now = mc_now_ns();

	e->issuing = 1;
	e->adapt_t0_ns = now;
	for (uint32_t i = 0; i < e->n; i++)
		refill(e, &e->conns[i], now);
	while (!finished(e, now)) {
		emit_ticks(e, now);
		if (e->ndown && e->issuing)
			reconnect_due(e, now);
		if (e->cfg->mode == MC_MODE_OPEN)
			issue_open(e, now);
		else if (e->stamps)
			adapt(e, now);
		flush_dirty(e, now);
		now = poll_once(e, now);
	}
}

static int setup_conns(struct eng *e, FILE *err)
{
	size_t out_cap = e->o->depth * mc_encode_bound(e->o->key_len, e->o->value_max);

	if (grow(e, e->n))
		return -ENOMEM;
	for (uint32_t i = 0; i < e->n; i++)
		e->conns[i].fd = -1;
	for (uint32_t i = 0; i < e->n; i++) {
		int rc = mc_conn_init(&e->conns[i], e->o->depth, out_cap);
		e->conns[i].rx_ts = e->stamps;
		if (!rc)
			rc = mc_conn_connect_wait(&e->conns[i], e->cfg->addr, 2000);
		if (rc) {
			fprintf(err, "mm_bench_mc: error=connect addr=%s conn=%u: %s%s\n",
			        e->cfg->addr->text, i, strerror(-rc),
			        rc == -ECONNREFUSED ? " (is memcached running there?)" : "");
			return rc;
		}
		conn_up(e, &e->conns[i], 0, EPOLL_CTL_ADD); /* not issuing yet: run_loop fills it */
	}
	if (e->cfg->ctl_fd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = CTL_ID};
		epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->cfg->ctl_fd, &ev);
		epoll_ctl(e->sfd, EPOLL_CTL_ADD, e->cfg->ctl_fd, &ev);
	}
	if (e->tfd >= 0) {
		uint64_t first = e->tick_end_ns;
		struct itimerspec it = {.it_interval = {.tv_sec = 1, .tv_nsec = 0},
		                        .it_value = {.tv_sec = (time_t)(first / NS_PER_S),
		                                     .tv_nsec = (long)(first % NS_PER_S)}};
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TICK_ID};
		if (timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &it, NULL) ||
		    epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->tfd, &ev) ||
		    epoll_ctl(e->sfd, EPOLL_CTL_ADD, e->tfd, &ev)) {
			close(e->tfd); /* timed waits work without it */
			e->tfd = -1;
		}
	}
	return 0;
}

static int setup(struct eng *e, const struct mc_engine_cfg *cfg, FILE *err)
{
	const struct mc_opts *o = cfg->o;

	memset(e, 0, sizeof(*e));
	e->epfd = -1;
	e->tfd = -1;
	e->sfd = -1;
	e->cfg = cfg;
	e->o = o;
	e->n = cfg->nconns;
	e->end_ns = cfg->end_ns;
	e->late_ns = o->late_us * 1000u;
	e->batch_ns = cfg->mode == MC_MODE_OPEN ? o->batch_us * 1000u : 0;
	if (o->batch_auto && cfg->mode == MC_MODE_OPEN)
		auto_batch(e, cfg->rate_per_s);
	e->refill_min = o->refill ? o->refill : 1;
	e->coalesce_max_ns = o->coalesce_us * 1000u;
	e->stamps = e->batch_ns > 0 || e->coalesce_max_ns > 0;
	e->rate_per_s = cfg->rate_per_s;
	e->delay_ns = o->delay_us * 1000u;
	e->issuing = 0; /* run_loop starts issuing, at second 0 */
	e->mix = (struct mc_mix){.rng = cfg->seed ^ UINT64_C(0x5bd1e9955bd1e995),
	                         .get_ratio = o->get_ratio,
	                         .keys = o->keys,
	                         .hot_frac = o->hot_frac,
	                         .hot_prob = o->hot_prob,
	                         .zipf_s = o->zipf_s,
	                         .value_min = o->value_min,
	                         .value_max = o->value_max,
	                         .nsizes = o->nsizes};
	memcpy(e->mix.size, o->vsize, sizeof(e->mix.size));
	memcpy(e->mix.cum_weight, o->vweight, sizeof(e->mix.cum_weight));
	mc_mix_init(&e->mix);
	e->fill_next = cfg->key_from;
	if (cfg->mode == MC_MODE_FILL && cfg->key_step && cfg->key_from < o->keys)
		e->fill_left = (o->keys - cfg->key_from + cfg->key_step - 1) / cfg->key_step;
	e->values = malloc(o->value_max);
	e->tick = malloc(sizeof(*e->tick));
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->sfd = epoll_create1(EPOLL_CLOEXEC);
	e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (!e->values || !e->tick || e->epfd < 0 || e->sfd < 0)
		return -ENOMEM;
	memset(e->values, 'v', o->value_max);
	mc_tick_reset(e->tick, 0);
	e->tick_end_ns = cfg->t0_ns + NS_PER_S;
	if (cfg->mode == MC_MODE_OPEN) {
		mc_sched_init(&e->sched, o->sched, cfg->rate_per_s, cfg->worker, cfg->nworkers,
		              cfg->seed);
		next_arrival(e);
	}
	return setup_conns(e, err);
}

static void teardown(struct eng *e)
{
	for (uint32_t i = 0; e->conns && i < e->n; i++)
		mc_conn_dispose(&e->conns[i]);
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->tfd >= 0)
		close(e->tfd);
	if (e->sfd >= 0)
		close(e->sfd);
	free(e->conns);
	free(e->dirty);
	free(e->values);
	free(e->tick);
}

/* The last partial second, then the end-of-run record (sec = -1) with what
 * was left: replies never received, arrivals never sent. */
static void finish_ticks(struct eng *e)
{
	struct mc_counts *k;

	tick_state(e);
	mc_counts_add(&e->total, &e->tick->c);
	if (e->cfg->tick_fd >= 0)
		mc_tick_send(e->cfg->tick_fd, e->tick);
	mc_tick_reset(e->tick, -1);
	k = &e->tick->c;
	k->unfinished = in_flight(e);
	while (e->cfg->mode == MC_MODE_OPEN && e->next_due < e->cfg->end_ns) {
		k->unsent++;
		next_arrival(e);
	}
	mc_counts_add(&e->total, k);
	if (e->cfg->tick_fd >= 0)
		mc_tick_send(e->cfg->tick_fd, e->tick);
}

int mc_engine_run(const struct mc_engine_cfg *cfg, struct mc_engine_result *res, FILE *err)
{
	struct timespec t0 = {.tv_sec = (time_t)(cfg->t0_ns / NS_PER_S),
	                      .tv_nsec = (long)(cfg->t0_ns % NS_PER_S)};
	struct eng e;
	int rc = setup(&e, cfg, err);

	memset(res, 0, sizeof(*res));
	if (rc == 0) {
		timer_slack(&e);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t0, NULL) == EINTR &&
		       !mm_tp_stop)
			;
		run_loop(&e);
		finish_ticks(&e);
		res->total = e.total;
		res->elapsed_ns = mc_now_ns() - cfg->t0_ns;
	}
	teardown(&e);
	return rc;
}
