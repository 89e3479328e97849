/* The double's libxenstore: the xs_* functions xenmm calls, with the real
 * xenstore.h prototypes, forwarded to mm_xen_double. Differences from the
 * real library: transactions are applied at once (no isolation; xenmm never
 * relies on it), and only the functions xenmm uses exist. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xenstore.h>

#include "double_client.h"

struct xs_handle {
	int fd;   /* requests and replies */
	int evfd; /* watch events only: what xs_fileno returns */
};

static struct dp_buf req;
static char rep[DP_MAX_PACKET];

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h = calloc(1, sizeof(*h));
	uint32_t id, unused;
	struct dp_reader r;
	int32_t code;
	uint32_t tx;
	long n;

	(void)flags;
	if (!h)
		return NULL;
	h->fd = dc_connect(-1, &id);
	h->evfd = h->fd < 0 ? -1 : dc_connect(-1, &unused);
	if (h->evfd >= 0) {
		dp_start(&req, DP_EVHELLO, 0);
		dp_put_u64(&req, id);
		n = dc_call(h->evfd, &req, rep);
		if (n > 0 && dp_open(&r, rep, (size_t)n, &code, &tx) == 0 && code == 0)
			return h;
		errno = n < 0 ? (int)-n : EPROTO;
	} else {
		errno = (int)-(h->fd < 0 ? h->fd : h->evfd);
	}
	if (h->fd >= 0)
		close(h->fd);
	if (h->evfd >= 0)
		close(h->evfd);
	free(h);
	return NULL;
}

void xs_close(struct xs_handle *h)
{
	if (!h)
		return;
	close(h->fd);
	close(h->evfd);
	free(h);
}

/* One request with a path and up to one more argument; the reply's
 * arguments stay in rep behind *r. false with errno set on failure. */
static bool call(struct xs_handle *h, int op, const char *path, const void *arg, size_t alen,
                 struct dp_reader *r)
{
	int32_t code;
	uint32_t tx;
	long n;

	dp_start(&req, op, 0);
	dp_put_str(&req, path);
	if (arg)
		dp_put(&req, arg, alen);
	n = dc_call(h->fd, &req, rep);
	if (n < 0) {
		errno = (int)-n;
		return false;
	}
	if (dp_open(r, rep, (size_t)n, &code, &tx)) {
		errno = EPROTO;
		return false;
	}
	errno = code;
	return code == 0;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	struct dp_reader r;
	const char *v;
	size_t l;
	char *out;

	(void)t;
	if (!call(h, DP_READ, path, NULL, 0, &r) || dp_get(&r, &v, &l))
		return NULL;
	out = malloc(l + 1);
	if (!out)
		return NULL;
	memcpy(out, v, l);
	out[l] = '\0';
	if (len)
		*len = (unsigned)l;
	return out;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len)
{
	struct dp_reader r;

	(void)t;
	return call(h, DP_WRITE, path, data, len, &r);
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	struct dp_reader r;

	(void)t;
	return call(h, DP_MKDIR, path, NULL, 0, &r);
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	struct dp_reader r;

	(void)t;
	return call(h, DP_RM, path, NULL, 0, &r);
}

/* Like libxenstore: one allocation, the array followed by the strings. */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
	struct dp_reader r, count;
	const char *a;
	size_t l, n = 0, bytes = 0;
	char **vec, *p;

	(void)t;
	if (!call(h, DP_DIR, path, NULL, 0, &r))
		return NULL;
	for (count = r; dp_get(&count, &a, &l) == 0; n++)
		bytes += l + 1;
	vec = malloc((n + 1) * sizeof(char *) + bytes);
	if (!vec)
		return NULL;
	p = (char *)(vec + n + 1);
	for (size_t i = 0; i < n && dp_get(&r, &a, &l) == 0; i++) {
		vec[i] = memcpy(p, a, l);
		p[l] = '\0';
		p += l + 1;
	}
	vec[n] = NULL;
	*num = (unsigned)n;
	return vec;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                                          unsigned int *num)
{
	static const char letters[] = "nrwb";
	struct xs_permissions *p;
	struct dp_reader r;
	char s[16];
	size_t n = 0;

	(void)t;
	if (!call(h, DP_GETPERMS, path, NULL, 0, &r))
		return NULL;
	p = calloc(16, sizeof(*p));
	while (p && n < 16 && dp_get_str(&r, s, sizeof(s)) == 0) {
		p[n].perms = (unsigned)(strchr(letters, s[0]) - letters);
		p[n].id = (unsigned)strtoul(s + 1, NULL, 10);
		n++;
	}
	*num = (unsigned)n;
	return p;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms)
{
	struct dp_reader r;
	int32_t code;
	uint32_t tx;
	long n;
	char s[16];

	(void)t;
	dp_start(&req, DP_SETPERMS, 0);
	dp_put_str(&req, path);
	for (unsigned i = 0; i < num_perms; i++) {
		snprintf(s, sizeof(s), "%c%u", "nrwb"[perms[i].perms & 3u], perms[i].id);
		dp_put_str(&req, s);
	}
	n = dc_call(h->fd, &req, rep);
	if (n < 0 || dp_open(&r, rep, (size_t)n, &code, &tx)) {
		errno = n < 0 ? (int)-n : EPROTO;
		return false;
	}
	errno = code;
	return code == 0;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	struct dp_reader r;

	return call(h, DP_WATCH, path, token, strlen(token), &r);
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	struct dp_reader r;

	return call(h, DP_UNWATCH, path, token, strlen(token), &r);
}

int xs_fileno(struct xs_handle *h)
{
	return h->evfd;
}

static char **read_event(struct xs_handle *h, int flags)
{
	static char ev[DP_MAX_PACKET];
	struct dp_reader r;
	const char *path, *tok;
	size_t pl, tl;
	int32_t code;
	uint32_t tx;
	char **vec;
	ssize_t n = recv(h->evfd, ev, sizeof(ev), flags);

	if (n <= 0) {
		errno = n == 0 ? ECONNRESET : errno;
		return NULL;
	}
	if (dp_open(&r, ev, (size_t)n, &code, &tx) || code != DP_EVENT || dp_get(&r, &path, &pl) ||
	    dp_get(&r, &tok, &tl)) {
		errno = EPROTO;
		return NULL;
	}
	vec = malloc(2 * sizeof(char *) + pl + tl + 2);
	if (!vec)
		return NULL;
	vec[XS_WATCH_PATH] = memcpy((char *)(vec + 2), path, pl);
	vec[XS_WATCH_PATH][pl] = '\0';
	vec[XS_WATCH_TOKEN] = memcpy(vec[XS_WATCH_PATH] + pl + 1, tok, tl);
	vec[XS_WATCH_TOKEN][tl] = '\0';
	return vec;
}

char **xs_check_watch(struct xs_handle *h)
{
	return read_event(h, MSG_DONTWAIT);
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	char **vec = read_event(h, 0);

	if (vec && num)
		*num = 2;
	return vec;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	(void)h;
	return 1;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	(void)h, (void)t, (void)abort;
	return true;
}
