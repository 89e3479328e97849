/* Socket plumbing of the control socket: create it safely, accept within
 * the connection limit, read lines, write answers, close what misbehaves.
 * Everything is non-blocking and polled with a zero timeout. What requests
 * mean lives in mm_ctl_answer.c. */
#include "mm_ctl_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mm_log.h"

__attribute__((format(printf, 4, 5))) static int say(char *err, size_t errlen, int rc,
                                                     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* The folder, and a stale socket left by a server that died. */
static int prepare(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, r;

	if (slash && slash != path) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (mkdir(dir, 0755) && errno != EEXIST)
			return say(err, errlen, -errno, "cannot create folder %s: %s", dir,
			           strerror(errno));
	}
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return say(err, errlen, -EEXIST, "%s exists and is not a socket%s", path,
		           ": refusing to replace it");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0)
		return say(err, errlen, -EADDRINUSE, "%s: another mmserver answers there%s", path,
		           " (stop it first)");
	if (unlink(path) && errno != ENOENT)
		return say(err, errlen, -errno, "cannot remove stale socket %s: %s", path,
		           strerror(errno));
	return 0;
}

/* Mode 0660 from the start (umask around bind), then the group. */
static int listen_on(struct mm_ctl *c, const char *group, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int r;

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return say(err, errlen, -errno, "socket: %s%s", strerror(errno), "");
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	old = umask(0117);
	r = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r)
		return say(err, errlen, -errno, "bind %s: %s", c->path, strerror(errno));
	if (chmod(c->path, 0660))
		return say(err, errlen, -errno, "chmod %s: %s", c->path, strerror(errno));
	if (group) {
		struct group *g = getgrnam(group);
		if (!g)
			return say(err, errlen, -ENOENT, "--control-group %s: no such group%s",
			           group, "");
		if (chown(c->path, (uid_t)-1, g->gr_gid))
			return say(err, errlen, -errno, "chown %s: %s", c->path, strerror(errno));
	}
	if (listen(c->fd, MM_CTL_CONN_MAX))
		return say(err, errlen, -errno, "listen: %s%s", strerror(errno), "");
	return 0;
}

int mm_ctl_open(const char *path, const char *group, struct mm_resv_host *h, struct mm_ctl **out,
                char *err, size_t errlen)
{
	struct mm_ctl *c;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (!path || path[0] != '/' || strlen(path) >= sizeof(c->path))
		return say(err, errlen, -EINVAL,
		           "--control '%s': must be an absolute path under %s", path ? path : "",
		           "108 bytes");
	rc = prepare(path, err, errlen);
	if (rc)
		return rc == -ENOENT || err[0]
		           ? rc
		           : say(err, errlen, rc, "%s: %s", path, strerror(-rc));
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->h = h;
	for (size_t i = 0; i < MM_CTL_CONN_MAX; i++)
		c->conn[i].fd = -1;
	rc = listen_on(c, group, err, errlen);
	if (!rc)
		rc = mm_resv_host_listen(h, mm_ctl_on_resv, c);
	if (rc) {
		if (c->fd >= 0) {
			close(c->fd);
			unlink(c->path);
		}
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void mm_ctl_printf(struct mm_ctl_conn *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (c->fd < 0 || c->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (c->outlen + (size_t)n > MM_CTL_OUT_MAX) {
		c->failed = true; /* a client that does not read its answers */
		return;
	}
	char *p = realloc(c->out, c->outlen + (size_t)n);
	if (!p) {
		c->failed = true;
		return;
	}
	memcpy(p + c->outlen, line, (size_t)n);
	c->out = p;
	c->outlen += (size_t)n;
}

struct mm_ctl_conn *mm_ctl_by_cookie(struct mm_ctl *ctl, uint64_t cookie)
{
	for (size_t i = 0; cookie && i < MM_CTL_CONN_MAX; i++)
		if (ctl->conn[i].fd >= 0 && ctl->conn[i].cookie == cookie)
			return &ctl->conn[i];
	return NULL;
}

/* A client gone: its attached reservations end with it. */
static void drop(struct mm_ctl *ctl, struct mm_ctl_conn *c)
{
	uint64_t cookie = c->cookie;

	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	for (size_t i = 0; i < MM_RESV_MAX; i++)
		if (ctl->wait[i].cookie == cookie)
			ctl->wait[i].cookie = 0; /* detached ones live on, unheard */
	for (size_t i = 0; i < MM_RESV_MAX; i++) {
		if (mm_resv_live(&ctl->h->set.r[i]) && ctl->h->set.r[i].owner == cookie) {
			mm_resv_end_owner(&ctl->h->set, cookie, ctl->now_ms);
			mm_resv_host_settle(ctl->h, ctl->now_ms);
			ctl->kick = true;
			break;
		}
	}
}

static void accept_all(struct mm_ctl *ctl)
{
	for (int k = 0; k < MM_CTL_CONN_MAX; k++) {
		int fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct mm_ctl_conn *c = NULL;
		struct ucred cr;
		socklen_t crlen = sizeof(cr);

		if (fd < 0)
			return; /* EAGAIN, or a client that left already */
		for (size_t i = 0; !c && i < MM_CTL_CONN_MAX; i++)
			if (ctl->conn[i].fd < 0)
				c = &ctl->conn[i];
		if (!c) {
			static const char full[] = "error why=\"too many connections\"\n\n";
			ssize_t w = write(fd, full, sizeof(full) - 1);
			(void)w;
			close(fd);
			mm_log(MM_LOG_WARN, "control-refused",
			       "why=\"too many connections\" max=%d", MM_CTL_CONN_MAX);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->cookie = ++ctl->next_cookie;
		c->last_ms = ctl->now_ms;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0)
			c->uid = cr.uid;
	}
}

/* Reads what is there and handles every complete line. */
static void read_conn(struct mm_ctl *ctl, struct mm_ctl_conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		char *nl;

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			c->failed = true; /* gone */
			return;
		}
		if (n < 0)
			return;
		c->inlen += (size_t)n;
		c->last_ms = ctl->now_ms;
		while (!c->closing && (nl = memchr(c->in, '\n', c->inlen))) {
			size_t len = (size_t)(nl - c->in);
			mm_ctl_request(ctl, c, c->in, len);
			memmove(c->in, nl + 1, c->inlen - len - 1);
			c->inlen -= len + 1;
		}
		if (c->closing || c->fd < 0)
			return;
		c->partial_ms = c->inlen ? (c->partial_ms ? c->partial_ms : ctl->now_ms) : 0;
		if (c->inlen == sizeof(c->in)) {
			mm_ctl_printf(c, "error why=\"request longer than %d bytes\"\n\n",
			              MM_CTL_LINE_MAX);
			c->closing = true;
			return;
		}
	}
}

static void write_conn(struct mm_ctl_conn *c)
{
	ssize_t n;

	if (!c->outlen)
		return;
	n = write(c->fd, c->out, c->outlen);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			c->failed = true;
		return;
	}
	memmove(c->out, c->out + n, c->outlen - (size_t)n);
	c->outlen -= (size_t)n;
}

static bool holds(const struct mm_ctl *ctl, const struct mm_ctl_conn *c)
{
	for (size_t i = 0; i < MM_RESV_MAX; i++)
		if (ctl->wait[i].cookie == c->cookie ||
		    (mm_resv_live(&ctl->h->set.r[i]) && ctl->h->set.r[i].owner == c->cookie))
			return true;
	return false;
}

/* Closes what failed, what finished, what dawdles. */
static void tidy(struct mm_ctl *ctl, struct mm_ctl_conn *c)
{
	uint64_t now = ctl->now_ms;

	if (c->fd < 0)
		return;
	if (c->failed || (c->closing && !c->outlen) ||
	    (c->partial_ms && now - c->partial_ms >= MM_CTL_PARTIAL_MS) ||
	    (!holds(ctl, c) && !c->outlen && now - c->last_ms >= MM_CTL_IDLE_MS))
		drop(ctl, c);
}

int mm_ctl_poll(struct mm_ctl *ctl, uint64_t now_ms)
{
	struct pollfd pf[MM_CTL_CONN_MAX + 1];
	size_t idx[MM_CTL_CONN_MAX + 1], n = 1;

	ctl->now_ms = now_ms;
	ctl->kick = false;
	pf[0] = (struct pollfd){.fd = ctl->fd, .events = POLLIN};
	for (size_t i = 0; i < MM_CTL_CONN_MAX; i++) {
		struct mm_ctl_conn *c = &ctl->conn[i];
		if (c->fd < 0)
			continue;
		pf[n] = (struct pollfd){
		    .fd = c->fd,
		    .events = (short)((c->closing ? 0 : POLLIN) | (c->outlen ? POLLOUT : 0))};
		idx[n++] = i;
	}
	if (poll(pf, (nfds_t)n, 0) > 0) {
		for (size_t k = 1; k < n; k++) {
			struct mm_ctl_conn *c = &ctl->conn[idx[k]];
			if (pf[k].revents & (POLLIN | POLLHUP | POLLERR))
				read_conn(ctl, c);
			if (c->fd >= 0)
				write_conn(c);
		}
		if (pf[0].revents & POLLIN)
			accept_all(ctl);
	}
	for (size_t i = 0; i < MM_CTL_CONN_MAX; i++) {
		if (ctl->conn[i].fd >= 0)
			write_conn(&ctl->conn[i]); /* news from the last round */
		tidy(ctl, &ctl->conn[i]);
	}
	return ctl->kick ? 1 : 0;
}

int mm_ctl_fd(const struct mm_ctl *c)
{
	return c->fd;
}

size_t mm_ctl_connections(const struct mm_ctl *c)
{
	size_t n = 0;

	for (size_t i = 0; i < MM_CTL_CONN_MAX; i++)
		n += c->conn[i].fd >= 0;
	return n;
}

void mm_ctl_close(struct mm_ctl *ctl)
{
	if (!ctl)
		return;
	for (size_t i = 0; i < MM_CTL_CONN_MAX; i++) {
		if (ctl->conn[i].fd >= 0) {
			close(ctl->conn[i].fd);
			free(ctl->conn[i].out);
		}
	}
	for (size_t i = 0; i < MM_RESV_LISTENERS; i++)
		if (ctl->h->listen[i].arg == ctl)
			ctl->h->listen[i].fn = NULL;
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}
