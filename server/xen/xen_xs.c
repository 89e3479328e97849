/* See xen_xs.h. Follows libxenstore's contract: poll xs_fileno, drain
 * xs_check_watch until EAGAIN, free what it returns. */
#include "xen_xs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

struct xen_xs {
	struct xs_handle *h;
};

static int err_or(int fallback)
{
	return errno ? -errno : -fallback;
}

int xen_xs_open(struct xen_xs **out)
{
	struct xen_xs *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x)
		return -ENOMEM;
	errno = 0;
	x->h = xs_open(0);
	if (!x->h) {
		int rc = err_or(ENOENT);

		free(x);
		return rc;
	}
	*out = x;
	return 0;
}

void xen_xs_close(struct xen_xs *x)
{
	if (!x)
		return;
	xs_close(x->h);
	free(x);
}

int xen_xs_fd(struct xen_xs *x)
{
	return xs_fileno(x->h);
}

int xen_xs_watch(struct xen_xs *x, const char *path, const char *token)
{
	errno = 0;
	return xs_watch(x->h, path, token) ? 0 : err_or(EIO);
}

int xen_xs_unwatch(struct xen_xs *x, const char *path, const char *token)
{
	errno = 0;
	return xs_unwatch(x->h, path, token) ? 0 : err_or(EIO);
}

int xen_xs_drain(struct xen_xs *x, xen_xs_event_fn *fn, void *arg)
{
	int n = 0;

	for (;;) {
		char **ev;

		errno = 0;
		ev = xs_check_watch(x->h);
		if (!ev)
			return errno == EAGAIN ? n : err_or(ECONNRESET);
		fn(arg, ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
		free(ev);
		n++;
	}
}

int xen_xs_read(struct xen_xs *x, const char *path, char *buf, size_t cap, size_t *len)
{
	unsigned l = 0;
	char *v;

	errno = 0;
	v = xs_read(x->h, XBT_NULL, path, &l);
	if (!v)
		return err_or(EIO);
	if (l >= cap) {
		free(v);
		return -E2BIG;
	}
	memcpy(buf, v, l);
	buf[l] = '\0';
	*len = l;
	free(v);
	return 0;
}

static bool perms_right(const struct xs_permissions *p, unsigned n, uint32_t owner)
{
	return n == 1 && p[0].id == owner && p[0].perms == XS_PERM_NONE;
}

/* Whether the parent folder of path exists within transaction t. */
static bool parent_exists(struct xen_xs *x, xs_transaction_t t, const char *path)
{
	char parent[256];
	const char *slash = strrchr(path, '/');
	unsigned len;
	void *v;

	if (!slash || (size_t)(slash - path) >= sizeof(parent))
		return false;
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	v = xs_read(x->h, t, parent, &len);
	free(v);
	return v != NULL;
}

/* Creates (or re-permissions) the node in one transaction, and only while
 * its domain's memory/ folder exists: xs_write makes missing parents, so a
 * domain being destroyed would otherwise get dom0-owned orphan nodes, again
 * every round. Created by dom0, the node inherits memory/'s (n0,r<guest>):
 * no window in which the guest or anyone else could write it. 1 when done,
 * -ENOENT when the domain is going, another -errno on trouble. */
static int create_owned(struct xen_xs *x, const char *path, struct xs_permissions *want,
                        bool exists)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		xs_transaction_t t = xs_transaction_start(x->h);
		bool ok;

		if (t == XBT_NULL)
			return err_or(EIO);
		if (!parent_exists(x, t, path)) {
			xs_transaction_end(x->h, t, true);
			return -ENOENT;
		}
		ok = (exists || xs_write(x->h, t, path, "", 0)) &&
		     xs_set_permissions(x->h, t, path, want, 1);
		if (!ok) {
			int rc = err_or(EIO);
			xs_transaction_end(x->h, t, true);
			return rc;
		}
		if (xs_transaction_end(x->h, t, false))
			return 1;
		if (errno != EAGAIN)
			return err_or(EIO);
	}
	return -EAGAIN;
}

int xen_xs_provision(struct xen_xs *x, const char *path, uint32_t owner)
{
	struct xs_permissions want = {.id = owner, .perms = XS_PERM_NONE}, *have;
	unsigned n = 0;
	bool right, exists;

	errno = 0;
	have = xs_get_permissions(x->h, XBT_NULL, path, &n);
	if (!have && errno != ENOENT)
		return err_or(EIO);
	exists = have != NULL;
	right = exists && perms_right(have, n, owner);
	free(have);
	if (right)
		return 0;
	return create_owned(x, path, &want, exists);
}

bool xen_xs_lost(int err)
{
	switch (-err) {
	case ENOENT:
	case EACCES:
	case EPERM:
	case EINVAL:
	case E2BIG:
	case EEXIST:
	case EISDIR:
	case ENOSPC:
	case EAGAIN:
	case ENOMEM:
	case EROFS: return false;
	default: return true;
	}
}
