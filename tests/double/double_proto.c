/* Encoding and decoding of the double's packets; see double_proto.h. */
#include "double_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void dp_start(struct dp_buf *b, int32_t code, uint32_t tx)
{
	memcpy(b->data, &code, 4);
	memcpy(b->data + 4, &tx, 4);
	b->len = 8;
	b->overflow = 0;
}

void dp_put(struct dp_buf *b, const void *arg, size_t len)
{
	uint32_t l = (uint32_t)len;

	if (b->overflow || len > UINT32_MAX || b->len + 4 + len > sizeof(b->data)) {
		b->overflow = 1;
		return;
	}
	memcpy(b->data + b->len, &l, 4);
	if (len)
		memcpy(b->data + b->len + 4, arg, len);
	b->len += 4 + len;
}

void dp_put_str(struct dp_buf *b, const char *s)
{
	dp_put(b, s, strlen(s));
}

void dp_put_u64(struct dp_buf *b, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	dp_put_str(b, s);
}

int dp_open(struct dp_reader *r, const char *buf, size_t len, int32_t *code, uint32_t *tx)
{
	if (len < 8)
		return -1;
	memcpy(code, buf, 4);
	memcpy(tx, buf + 4, 4);
	r->p = buf + 8;
	r->left = len - 8;
	return 0;
}

int dp_get(struct dp_reader *r, const char **arg, size_t *len)
{
	uint32_t l;

	if (r->left < 4)
		return -1;
	memcpy(&l, r->p, 4);
	if (r->left - 4 < l)
		return -1;
	*arg = r->p + 4;
	*len = l;
	r->p += 4 + l;
	r->left -= 4 + l;
	return 0;
}

int dp_get_str(struct dp_reader *r, char *s, size_t cap)
{
	const char *a;
	size_t l;

	if (dp_get(r, &a, &l) || l >= cap || memchr(a, '\0', l))
		return -1;
	memcpy(s, a, l);
	s[l] = '\0';
	return 0;
}

int dp_get_u64(struct dp_reader *r, uint64_t *v)
{
	char s[24], *end;

	if (dp_get_str(r, s, sizeof(s)) || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int dp_send(int fd, const struct dp_buf *b)
{
	ssize_t n;

	if (b->overflow)
		return -E2BIG;
	do
		n = send(fd, b->data, b->len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int dp_connect(const char *path)
{
	struct sockaddr_un a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}
