/* The HTTP server's life cycle: bind, start libmicrohttpd, publish rounds,
 * stop. Publishing renders the current documents once per round into
 * immutable blobs and packs the round for the history ring (http_hist.c);
 * routing and responses live in http_routes.c, SSE in http_sse.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_deadline.h"
#include "http_hist.h"
#include "http_internal.h"

enum MHD_Result mm_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **req_cls);

/* Our own listening socket, so a bind failure has a precise errno and
 * port 0 can be read back with getsockname. */
static int listen_on(const char *addr, uint16_t port, uint16_t *bound, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char service[8];
	int one = 1, fd = -1, rc;

	snprintf(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(addr, service, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "http address '%s': %s", addr, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, MM_HTTP_BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
		rc = -errno;
		snprintf(err, errlen, "http bind %s port %u: %s", addr, (unsigned)port,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                        : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int start_daemon(struct mm_http *h)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;

	h->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, mm_http_handle, h, MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)MM_HTTP_THREADS, MHD_OPTION_CONNECTION_LIMIT,
	    h->limits.conn_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MM_HTTP_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)MM_HTTP_IDLE_TIMEOUT_S,
	    MHD_OPTION_NOTIFY_CONNECTION, mm_http_conn_notify, h, MHD_OPTION_NOTIFY_COMPLETED,
	    mm_http_request_done, h, MHD_OPTION_END);
	return h->daemon ? 0 : -EIO;
}

static struct mm_blob *render_metrics(const struct mm_round *r, const struct mm_http_totals *t);

static struct mm_http *http_alloc(size_t history_bytes)
{
	struct mm_http *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->listen_fd = -1;
	h->static_fd = -1;
	if (pthread_mutex_init(&h->lock, NULL)) {
		free(h);
		return NULL;
	}
	if (pthread_mutex_init(&h->conns_lock, NULL)) {
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	if (mm_ring_init(&h->ring, MM_HTTP_RING_ROUNDS, history_bytes)) {
		pthread_mutex_destroy(&h->conns_lock);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

/* Limits from the soft descriptor limit as it is now: the balancer's own
 * descriptors (logs, xenstore) come out of the same budget. */
static int set_limits(struct mm_http *h, char *err, size_t errlen)
{
	struct rlimit rl;
	uint64_t nofile = 1024; /* the usual soft limit, if getrlimit ever failed */

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		nofile = rl.rlim_cur == RLIM_INFINITY ? UINT64_C(1) << 20 : (uint64_t)rl.rlim_cur;
	if (mm_http_limits_for(nofile, &h->limits) < 0) {
		snprintf(err, errlen,
		         "http: descriptor limit %llu leaves fewer than %d connections; "
		         "raise it (ulimit -n, LimitNOFILE=)",
		         (unsigned long long)nofile, MM_HTTP_CONN_MIN);
		return -EMFILE;
	}
	return 0;
}

/* The documents of a round (the state, 42 KB at 100 domains; the metrics,
 * 97 KB) are replaced every round: from 32 KiB up they get their own
 * mapping, returned whole when freed, instead of leaving holes in the heap;
 * and the HTTP threads that render history share the main arena instead of
 * keeping one each (a history request at 100 domains left 500 KiB in a
 * thread's arena). Measured at 100 domains after 2 simulated hours
 * (bench/footprint), before the history had its own arena: 8.5 MiB RSS
 * without these two settings, 8.1 with. */
static void malloc_policy(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 * 1024);
	mallopt(M_ARENA_MAX, 1);
}

int mm_http_start(const char *addr, uint16_t port, const char *static_dir, struct mm_http **out,
                  char *err, size_t errlen)
{
	return mm_http_start_history(addr, port, static_dir, MM_HTTP_RING_BYTES, out, err, errlen);
}

int mm_http_start_history(const char *addr, uint16_t port, const char *static_dir,
                          size_t history_bytes, struct mm_http **out, char *err, size_t errlen)
{
	struct mm_http *h = http_alloc(history_bytes);
	int rc;

	*out = NULL;
	if (!h) {
		snprintf(err, errlen, "http: out of memory");
		return -ENOMEM;
	}
	rc = set_limits(h, err, errlen);
	if (rc < 0)
		goto fail;
	malloc_policy();
	if (static_dir) {
		h->static_fd = open(static_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h->static_fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "canvas folder '%s': %s", static_dir,
			         strerror(errno));
			goto fail;
		}
	}
	rc = listen_on(addr ? addr : "127.0.0.1", port, &h->port, err, errlen);
	if (rc < 0)
		goto fail;
	h->listen_fd = rc;
	h->metrics = render_metrics(NULL, &h->totals); /* counters at 0 until a round */
	rc = mm_http_ticker_start(h);
	if (rc == 0)
		rc = start_daemon(h);
	if (rc < 0) {
		snprintf(err, errlen, "http: cannot start the server: %s", strerror(-rc));
		goto fail;
	}
	*out = h;
	return 0;
fail:
	mm_http_stop(h);
	return rc;
}

uint16_t mm_http_port(const struct mm_http *h)
{
	return h->port;
}

void mm_http_get_limits(const struct mm_http *h, struct mm_http_limits *out)
{
	*out = h->limits;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct mm_blob *render_footprint(const struct mm_round *r)
{
	struct mm_buf b;

	mm_blob_buf_init(&b);
	mm_http_footprint_text(r, &b);
	return mm_blob_from_buf(&b);
}

static struct mm_blob *render_metrics(const struct mm_round *r, const struct mm_http_totals *t)
{
	struct mm_buf b;

	mm_blob_buf_init(&b);
	mm_http_build_info_text(&b);
	mm_http_metrics_text(r, t, &b);
	return mm_blob_from_buf(&b);
}

static void swap_in(struct mm_blob **slot, struct mm_blob *b, struct mm_blob **old)
{
	*old = *slot;
	*slot = b;
}

void mm_http_publish(struct mm_http *h, const struct mm_round *r)
{
	uint64_t t0 = mono_ns();
	struct mm_http_totals t = h->totals; /* only this thread writes totals */
	struct mm_blob *old[5] = {NULL, NULL, NULL, NULL, NULL};

	t.rounds++;
	t.writes += r->writes;
	t.cost_us += r->cost_us;
	struct mm_blob *round = mm_hist_event_of(r);
	struct mm_blob *metrics = render_metrics(r, &t);
	struct mm_blob *foot = render_footprint(r);
	struct mm_blob *roster = mm_hist_roster(r, h->roster);
	struct mm_blob *compact = roster ? mm_hist_encode(r, roster) : NULL;

	pthread_mutex_lock(&h->lock);
	if (round && compact) { /* out of memory: keep serving the previous round */
		swap_in(&h->round, round, &old[0]);
		swap_in(&h->latest, mm_blob_ref(round), &old[3]);
		swap_in(&h->roster, mm_blob_ref(roster), &old[4]);
		mm_ring_push(&h->ring, compact); /* -ENOMEM: history empty, state still served */
		mm_http_sse_wake_locked(h);
		round = NULL;
	}
	if (metrics)
		swap_in(&h->metrics, metrics, &old[1]);
	if (foot)
		swap_in(&h->footprint, foot, &old[2]);
	uint64_t ns = mono_ns() - t0;
	t.publish_ns += ns;
	t.last_publish_ns = ns;
	h->totals = t;
	pthread_mutex_unlock(&h->lock);
	for (int i = 0; i < 5; i++)
		mm_blob_unref(old[i]);
	mm_blob_unref(round); /* not published (out of memory) */
	mm_blob_unref(roster);
	mm_blob_unref(compact); /* the ring keeps a copy */
	malloc_trim(0);
}

void mm_http_stop(struct mm_http *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	mm_http_sse_wake_locked(h);
	pthread_mutex_unlock(&h->lock);
	mm_http_ticker_stop(h);
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->static_fd >= 0)
		close(h->static_fd);
	mm_blob_unref(h->round);
	mm_blob_unref(h->latest);
	mm_blob_unref(h->roster);
	mm_blob_unref(h->metrics);
	mm_blob_unref(h->footprint);
	mm_blob_unref(h->finished);
	mm_ring_dispose(&h->ring);
	pthread_mutex_destroy(&h->conns_lock);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
