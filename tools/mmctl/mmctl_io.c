/* mmctl's side of the socket: connect, send one request, read answer
 * blocks (key=value lines up to an empty line) with a deadline. Blocking
 * I/O bounded by poll; nothing here prints. */
#include "mmctl_io.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int mmctl_connect(struct mmctl_conn *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;
		close(c->fd);
		c->fd = -1;
		return -e;
	}
	return 0;
}

int mmctl_send(struct mmctl_conn *c, const char *line)
{
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* One block already in the buffer: moved to out, 1; else 0. */
static int take_block(struct mmctl_conn *c, char *out, size_t outlen)
{
	char *end = strstr(c->buf, "\n\n");
	size_t len;

	if (!end)
		return 0;
	len = (size_t)(end - c->buf) + 1;
	snprintf(out, outlen, "%.*s", (int)len, c->buf);
	memmove(c->buf, end + 2, c->len - len - 1 + 1);
	c->len -= len + 1;
	return 1;
}

int mmctl_read_block(struct mmctl_conn *c, char *out, size_t outlen, uint64_t timeout_ms)
{
	uint64_t end = mono_ms() + timeout_ms;

	for (;;) {
		struct pollfd pf = {.fd = c->fd, .events = POLLIN};
		uint64_t now = mono_ms();
		ssize_t n;
		int r;

		if (take_block(c, out, outlen))
			return 0;
		if (c->len >= sizeof(c->buf) - 1)
			return -EMSGSIZE;
		if (now >= end)
			return -ETIMEDOUT;
		r = poll(&pf, 1, (int)(end - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
	}
}

void mmctl_close(struct mmctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
