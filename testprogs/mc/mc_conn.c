/* Connection plumbing for mm_bench_mc (see mc_conn.h). TCP_NODELAY: a
 * load generator must not let Nagle hold small requests back. */
#include "mc_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

int mc_addr_resolve(const char *host, const char *port, bool allow_remote, struct mc_addr *a,
                    FILE *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc) {
		fprintf(err, "mm_bench_mc: cannot resolve %s:%s: %s\n", host, port,
		        gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	if (!allow_remote && !is_loopback(res->ai_addr)) {
		fprintf(err,
		        "mm_bench_mc: %s is not a loopback address; refusing to load a "
		        "remote server without --allow-remote\n",
		        host);
		freeaddrinfo(res);
		return -EPERM;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	snprintf(a->text, sizeof(a->text), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
	freeaddrinfo(res);
	return 0;
}

int mc_conn_init(struct mc_conn *c, uint32_t depth, size_t out_cap)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->out_cap = out_cap;
	c->in_cap = 64 * 1024; /* a full pipeline of 32 1 KiB hits in one recv */
	c->ring_cap = depth;
	c->out = malloc(c->out_cap);
	c->in = malloc(c->in_cap);
	c->ring = calloc(depth, sizeof(*c->ring));
	if (!c->out || !c->in || !c->ring) {
		mc_conn_dispose(c);
		return -ENOMEM;
	}
	return 0;
}

void mc_conn_dispose(struct mc_conn *c)
{
	mc_conn_reset(c);
	free(c->out);
	free(c->in);
	free(c->ring);
	c->out = c->in = NULL;
	c->ring = NULL;
}

void mc_conn_reset(struct mc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = MC_CONN_DOWN;
	c->out_len = c->out_off = c->in_len = 0;
	c->head = c->count = 0;
	c->want_out = c->dirty = false;
}

int mc_conn_connect_start(struct mc_conn *c, const struct mc_addr *a)
{
	int one = 1;

	mc_conn_reset(c);
	c->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->rx_ts)
		setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&a->ss, a->len) == 0) {
		c->state = MC_CONN_UP;
		return 0;
	}
	if (errno == EINPROGRESS) {
		c->state = MC_CONN_CONNECTING;
		return 1;
	}
	one = -errno;
	mc_conn_reset(c);
	return one;
}

int mc_conn_connect_finish(struct mc_conn *c)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr) {
		mc_conn_reset(c);
		return -soerr;
	}
	c->state = MC_CONN_UP;
	return 0;
}

int mc_conn_connect_wait(struct mc_conn *c, const struct mc_addr *a, int timeout_ms)
{
	struct pollfd pfd;
	int rc = mc_conn_connect_start(c, a);

	if (rc <= 0)
		return rc;
	pfd.fd = c->fd;
	pfd.events = POLLOUT;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc == 0) {
		mc_conn_reset(c);
		return -ETIMEDOUT;
	}
	if (rc < 0) {
		rc = -errno;
		mc_conn_reset(c);
		return rc;
	}
	return mc_conn_connect_finish(c);
}

int mc_conn_flush(struct mc_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	c->dirty = false;
	return 0;
}

long mc_conn_read(struct mc_conn *c)
{
	ssize_t r;

	if (c->in_len == c->in_cap && mc_conn_reserve_in(c, c->in_cap * 2))
		return -ENOMEM;
	do
		r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
	while (r < 0 && errno == EINTR);
	c->rx_empty = r < 0 || (size_t)r < c->in_cap - c->in_len;
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	c->in_len += (size_t)r;
	return (long)r;
}

long mc_conn_read_ts(struct mc_conn *c, uint64_t *rx_real_ns)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} cb;
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t r;

	*rx_real_ns = 0;
	if (c->in_len == c->in_cap && mc_conn_reserve_in(c, c->in_cap * 2))
		return -ENOMEM;
	iov.iov_base = c->in + c->in_len;
	iov.iov_len = c->in_cap - c->in_len;
	do {
		mh.msg_control = cb.buf;
		mh.msg_controllen = sizeof(cb.buf);
		r = recvmsg(c->fd, &mh, MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	c->rx_empty = r < 0 || (size_t)r < iov.iov_len;
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		struct timespec ts;
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
		*rx_real_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	c->in_len += (size_t)r;
	return (long)r;
}

int mc_conn_reserve_in(struct mc_conn *c, size_t need)
{
	char *p;

	if (need <= c->in_cap)
		return 0;
	p = realloc(c->in, need);
	if (!p)
		return -ENOMEM;
	c->in = p;
	c->in_cap = need;
	return 0;
}
