/* mm_xen_double: the daemon that holds the double's xenstore tree and
 * domains, serving the processes linked against the double over a unix
 * seqpacket socket. Usage: mm_xen_double SOCKET_PATH. Test-only; it exits
 * on SIGTERM or when its parent (the test) dies. */
#include "double_daemon.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct dd_state dd;
static volatile sig_atomic_t stop_flag;

uint64_t dd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int try_send(struct dd_conn *c, const char *data, size_t len)
{
	ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -EAGAIN;
	c->dead = true;
	return -errno;
}

void dd_push(struct dd_conn *c, const struct dp_buf *b)
{
	struct dd_out *o;

	if (c->dead || b->overflow)
		return;
	if (!c->qh && try_send(c, b->data, b->len) != -EAGAIN)
		return;
	o = malloc(sizeof(*o) + b->len);
	if (!o) {
		c->dead = true;
		return;
	}
	o->next = NULL;
	o->len = b->len;
	memcpy(o->data, b->data, b->len);
	if (c->qt)
		c->qt->next = o;
	else
		c->qh = o;
	c->qt = o;
}

static void flush(struct dd_conn *c)
{
	while (c->qh && !c->dead && try_send(c, c->qh->data, c->qh->len) == 0) {
		struct dd_out *o = c->qh;

		c->qh = o->next;
		if (!c->qh)
			c->qt = NULL;
		free(o);
	}
}

static void conn_free(struct dd_conn *c)
{
	dd_watch_drop_conn(c);
	if (c->sink)
		c->sink->dead = true, c->sink->owner = NULL;
	if (c->owner)
		c->owner->sink = NULL;
	while (c->qh) {
		struct dd_out *o = c->qh;

		c->qh = o->next;
		free(o);
	}
	close(c->fd);
	free(c);
}

static void reap(void)
{
	struct dd_conn **pp = &dd.conns;

	while (*pp) {
		struct dd_conn *c = *pp;

		if (c->dead) {
			*pp = c->next;
			conn_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void accept_one(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	struct dd_conn *c;

	if (fd < 0)
		return;
	if (!dd.accepting || !(c = calloc(1, sizeof(*c)))) {
		close(fd); /* "xenstored is down": the client sees the connection reset */
		return;
	}
	c->fd = fd;
	c->id = ++dd.next_conn_id;
	c->next = dd.conns;
	dd.conns = c;
}

static void read_one(struct dd_conn *c)
{
	static char buf[DP_MAX_PACKET];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->dead = true;
		return;
	}
	dd_handle(c, buf, (size_t)n);
}

static int listen_on(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (fd < 0 || strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void loop(int lfd)
{
	static struct pollfd pfd[4096];
	static struct dd_conn *who[4096];

	while (!stop_flag) {
		nfds_t n = 1;

		pfd[0] = (struct pollfd){lfd, POLLIN, 0};
		for (struct dd_conn *c = dd.conns; c && n < 4096; c = c->next, n++) {
			pfd[n] = (struct pollfd){c->fd, (short)(POLLIN | (c->qh ? POLLOUT : 0)), 0};
			who[n] = c;
		}
		if (poll(pfd, n, 1000) < 0)
			continue;
		if (getppid() == 1)
			break; /* the test that started us is gone */
		for (nfds_t i = 1; i < n; i++) {
			if (pfd[i].revents & POLLOUT)
				flush(who[i]);
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				read_one(who[i]);
		}
		if (pfd[0].revents & POLLIN)
			accept_one(lfd);
		reap();
	}
}

static void on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int main(int argc, char **argv)
{
	int lfd;

	if (argc != 2) {
		fprintf(stderr, "usage: mm_xen_double SOCKET_PATH\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	dd.accepting = true;
	dd.host_kib = UINT64_C(64) * 1024 * 1024; /* 64 GiB unless a test says otherwise */
	dd.tree = dt_new(dd_watch_fire, NULL);
	if (!dd.tree || dd_dom_create(0, "Domain-0", DD_DOM0_KIB, DD_DOM0_KIB))
		return 1;
	lfd = listen_on(argv[1]);
	if (lfd < 0) {
		perror("mm_xen_double: listen");
		return 1;
	}
	loop(lfd);
	unlink(argv[1]);
	return 0;
}
