/* See double_client.h. */
#include "double_client.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

long dc_call(int fd, const struct dp_buf *req, char *rep)
{
	ssize_t n;
	int rc = dp_send(fd, req);

	if (rc)
		return rc == -EPIPE ? -ECONNRESET : rc;
	do
		n = recv(fd, rep, DP_MAX_PACKET, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ECONNRESET;
	return n < 0 ? -errno : n;
}

int dc_connect(int64_t domid, uint32_t *conn_id)
{
	const char *sock = getenv(DP_ENV_SOCK), *dom = getenv(DP_ENV_DOMID);
	static struct dp_buf req;
	static char rep[DP_MAX_PACKET];
	struct dp_reader r;
	uint64_t id;
	int32_t code;
	uint32_t tx;
	long n;
	int fd;

	if (!sock)
		return -ENOENT; /* like a machine without xenstored */
	fd = dp_connect(sock);
	if (fd < 0)
		return fd;
	dp_start(&req, DP_HELLO, 0);
	dp_put_u64(&req, domid >= 0 ? (uint64_t)domid : dom ? strtoull(dom, NULL, 10) : 0);
	n = dc_call(fd, &req, rep);
	if (n < 0 || dp_open(&r, rep, (size_t)n, &code, &tx) || code || dp_get_u64(&r, &id)) {
		close(fd);
		return n < 0 ? (int)n : -EPROTO;
	}
	*conn_id = (uint32_t)id;
	return fd;
}
