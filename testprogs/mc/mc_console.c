/* Console plumbing (see mc_console.h). Bound to 127.0.0.1 only: live
 * control is for the person at this machine, never for the network. A
 * line longer than MC_CONSOLE_LINE is answered with an error and dropped. */
#include "mc_console.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mm_parse.h"

int mc_console_open(struct mc_console *k, const char *spec, FILE *err)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	uint64_t port;
	int one = 1;

	memset(k, 0, sizeof(*k));
	k->listen_fd = -1;
	k->in.fd = -1;
	for (int i = 0; i < MC_CONSOLE_CLIENTS; i++)
		k->cl[i].fd = -1;
	if (strcmp(spec, "stdin") == 0) {
		k->stdin_on = 1;
		k->in.fd = 0;
		return 0;
	}
	if (mm_parse_u64(spec, 65535, &port)) {
		fprintf(err, "mm_bench_mc: --control '%s': expected stdin or a port number\n",
		        spec);
		return -EINVAL;
	}
	a.sin_port = htons((uint16_t)port);
	k->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->listen_fd < 0 ||
	    setsockopt(k->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(k->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(k->listen_fd, 4) < 0 ||
	    getsockname(k->listen_fd, (struct sockaddr *)&a, &len) < 0) {
		int rc = -errno;
		fprintf(err, "mm_bench_mc: --control 127.0.0.1:%s: %s\n", spec, strerror(-rc));
		mc_console_close(k);
		return rc;
	}
	k->port = ntohs(a.sin_port);
	return 0;
}

int mc_console_pollfds(const struct mc_console *k, struct pollfd *pfd)
{
	int n = 0;

	if (k->in.fd >= 0)
		pfd[n++] = (struct pollfd){.fd = k->in.fd, .events = POLLIN};
	if (k->listen_fd >= 0)
		pfd[n++] = (struct pollfd){.fd = k->listen_fd, .events = POLLIN};
	for (int i = 0; i < MC_CONSOLE_CLIENTS; i++)
		if (k->cl[i].fd >= 0)
			pfd[n++] = (struct pollfd){.fd = k->cl[i].fd, .events = POLLIN};
	return n;
}

void mc_console_reply(int reply_fd, const char *text)
{
	size_t len = strlen(text);

	if (reply_fd == 1)
		fflush(stdout);
	if (write(reply_fd, text, len) != (ssize_t)len || write(reply_fd, "\n", 1) != 1)
		return; /* a client that left: nothing to tell it */
}

static void drop(struct mc_console_client *c)
{
	if (c->fd > 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Reads what is there and hands out whole lines; 0 at EOF/error. */
static int feed(struct mc_console_client *c, int reply_fd, mc_console_cb cb, void *arg)
{
	ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (r <= 0)
		return 0;
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	while ((nl = memchr(c->buf, '\n', c->len))) {
		*nl = '\0';
		cb(arg, c->buf, reply_fd);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
		c->buf[c->len] = '\0';
	}
	if (c->len == sizeof(c->buf) - 1) {
		mc_console_reply(reply_fd, "error line too long");
		c->len = 0;
	}
	return 1;
}

static void accept_one(struct mc_console *k)
{
	int fd = accept4(k->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MC_CONSOLE_CLIENTS; i++)
		if (k->cl[i].fd < 0) {
			k->cl[i].fd = fd;
			k->cl[i].len = 0;
			return;
		}
	mc_console_reply(fd, "error too many console clients");
	close(fd);
}

void mc_console_handle(struct mc_console *k, const struct pollfd *pfd, int n, mc_console_cb cb,
                       void *arg)
{
	for (int j = 0; j < n; j++) {
		if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (pfd[j].fd == k->listen_fd) {
			accept_one(k);
			continue;
		}
		if (k->in.fd >= 0 && pfd[j].fd == k->in.fd) {
			if (!feed(&k->in, 1, cb, arg))
				k->in.fd = -1; /* stdin closed: the run goes on */
			continue;
		}
		for (int i = 0; i < MC_CONSOLE_CLIENTS; i++)
			if (k->cl[i].fd == pfd[j].fd && !feed(&k->cl[i], k->cl[i].fd, cb, arg))
				drop(&k->cl[i]);
	}
}

void mc_console_close(struct mc_console *k)
{
	for (int i = 0; i < MC_CONSOLE_CLIENTS; i++)
		drop(&k->cl[i]);
	if (k->listen_fd >= 0)
		close(k->listen_fd);
	k->listen_fd = -1;
	k->in.fd = -1;
}
