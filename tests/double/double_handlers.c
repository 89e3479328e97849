/* One request in, one reply out: the xenstore operations over the tree,
 * the libxl operations over the domains, and the test's control operations.
 * Replies carry 0 or a positive errno (xs_*) or a libxl error code (xl_*). */
#include "double_daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dp_buf reply;

/* Turns a path from a request into an absolute one, as xenstored does. */
static int resolve(const struct dd_conn *c, struct dp_reader *r, char *abs, size_t cap,
                   bool *relative)
{
	char rel[3200];

	if (dp_get_str(r, rel, sizeof(rel)) || rel[0] == '\0')
		return -EINVAL;
	*relative = rel[0] != '/' && rel[0] != '@';
	if (!*relative)
		return snprintf(abs, cap, "%s", rel) < (int)cap ? 0 : -EINVAL;
	return snprintf(abs, cap, "/local/domain/%" PRIu32 "/%s", c->domid, rel) < (int)cap
	           ? 0
	           : -EINVAL;
}

static void add_name(void *arg, const char *name)
{
	(void)arg;
	dp_put_str(&reply, name);
}

static int do_setperms(struct dd_conn *c, const char *path, struct dp_reader *r)
{
	struct dt_perm p[DT_MAX_PERMS];
	const char *a;
	size_t len, n = 0;

	while (dp_get(r, &a, &len) == 0) {
		if (n == DT_MAX_PERMS || dt_perm_parse(a, len, &p[n]))
			return -EINVAL;
		n++;
	}
	return dt_set_perms(dd.tree, c->domid, path, p, n);
}

static int do_getperms(struct dd_conn *c, const char *path)
{
	struct dt_node *n;
	char s[16];
	int rc = dt_read(dd.tree, c->domid, path, &n);

	for (size_t i = 0; rc == 0 && i < n->nperms; i++) {
		dt_perm_format(&n->perms[i], s, sizeof(s));
		dp_put_str(&reply, s);
	}
	return rc;
}

static int do_write(struct dd_conn *c, const char *path, struct dp_reader *r)
{
	const char *v;
	size_t len;
	int rc;

	if (dp_get(r, &v, &len))
		return -EINVAL;
	rc = dt_write(dd.tree, c->domid, path, v, len);
	if (rc == 0 && c->domid == 0)
		dd_dom_target_written(path, dt_get(dd.tree, path)->val);
	return rc;
}

/* The xenstore operations: path first, then what the op needs. */
static int xs_op(struct dd_conn *c, int32_t op, struct dp_reader *r)
{
	char path[3300], tok[256];
	struct dt_node *n;
	bool rel;
	int rc = resolve(c, r, path, sizeof(path), &rel);

	if (rc)
		return rc;
	switch (op) {
	case DP_READ:
		rc = dt_read(dd.tree, c->domid, path, &n);
		if (rc == 0)
			dp_put(&reply, n->val, n->len);
		return rc;
	case DP_WRITE: return do_write(c, path, r);
	case DP_MKDIR: return dt_mkdir(dd.tree, c->domid, path);
	case DP_RM: return dt_rm(dd.tree, c->domid, path);
	case DP_DIR: return dt_dir(dd.tree, c->domid, path, add_name, NULL);
	case DP_GETPERMS: return do_getperms(c, path);
	case DP_SETPERMS: return do_setperms(c, path, r);
	case DP_WATCH:
	case DP_UNWATCH:
		if (dp_get_str(r, tok, sizeof(tok)))
			return -EINVAL;
		return op == DP_WATCH ? dd_watch_add(c, path, tok, rel)
		                      : dd_watch_del(c, path, tok);
	default: return -ENOSYS;
	}
}

static int xl_list(void)
{
	for (uint32_t i = 0; i < DD_DOMID_MAX; i++) {
		struct dd_dom *d = dd_dom_get(i);

		if (!d)
			continue;
		dp_put_u64(&reply, d->domid);
		dp_put_u64(&reply, d->cur_kib);
		dp_put_u64(&reply, d->max_pages_kib);
	}
	return reply.overflow ? -E2BIG : 0;
}

static int xl_op(struct dd_conn *c, int32_t op, struct dp_reader *r)
{
	uint64_t domid, kib, rel, enforce;

	if (c->domid != 0)
		return -3; /* ERROR_FAIL: only dom0 has privcmd */
	if (op == DP_XL_LIST)
		return xl_list();
	if (op == DP_XL_FREE) {
		dp_put_u64(&reply, dd_host_free_kib());
		return 0;
	}
	if (dp_get_u64(r, &domid) || dp_get_u64(r, &kib) || dp_get_u64(r, &rel) ||
	    dp_get_u64(r, &enforce) || domid >= DD_DOMID_MAX)
		return -6; /* ERROR_INVAL */
	/* kib travels as the two's complement of a negative relative change */
	return dd_dom_set_target((uint32_t)domid, (int64_t)kib, rel != 0, enforce != 0);
}

static int ctl_op(struct dd_conn *c, int32_t op, struct dp_reader *r)
{
	uint64_t domid = 0, a = 0, b = 0;
	char name[64];
	struct dd_dom *d;

	switch (op) {
	case DP_CTL_CREATE:
		if (dp_get_u64(r, &domid) || dp_get_str(r, name, sizeof(name)) ||
		    dp_get_u64(r, &a) || dp_get_u64(r, &b) || domid >= DD_DOMID_MAX)
			return -EINVAL;
		return dd_dom_create((uint32_t)domid, name, a, b);
	case DP_CTL_DESTROY:
		return dp_get_u64(r, &domid) ? -EINVAL : dd_dom_destroy((uint32_t)domid);
	case DP_CTL_SPEED:
	case DP_CTL_REFUSE:
		if (dp_get_u64(r, &domid) || dp_get_u64(r, &a) || domid >= DD_DOMID_MAX ||
		    !(d = dd_dom_get((uint32_t)domid)))
			return -ENOENT;
		if (op == DP_CTL_SPEED)
			d->speed_kib_s = a;
		else
			d->refuse = a != 0;
		return 0;
	case DP_CTL_HVM:
		if (dp_get_u64(r, &domid) || dp_get_u64(r, &a) || domid >= DD_DOMID_MAX)
			return -EINVAL;
		return dd_dom_hvm((uint32_t)domid, a);
	case DP_CTL_GET:
		if (dp_get_u64(r, &domid) || domid >= DD_DOMID_MAX ||
		    !(d = dd_dom_get((uint32_t)domid)))
			return -ENOENT;
		dp_put_u64(&reply, d->cur_kib);
		dp_put_u64(&reply, d->target_kib);
		dp_put_u64(&reply, d->maxmem_kib);
		dp_put_u64(&reply, d->max_pages_kib);
		return 0;
	case DP_CTL_DROP:
		for (struct dd_conn *o = dd.conns; o; o = o->next)
			if (o != c)
				o->dead = true;
		return 0;
	case DP_CTL_ACCEPT:
		if (dp_get_u64(r, &a))
			return -EINVAL;
		dd.accepting = a != 0;
		return 0;
	case DP_CTL_HOST:
		if (dp_get_u64(r, &a))
			return -EINVAL;
		dd.host_kib = a;
		return 0;
	case DP_CTL_STATS:
		dp_put_u64(&reply, dd.requests);
		dp_put_u64(&reply, dd.denied);
		for (struct dd_conn *o = dd.conns; o; o = o->next)
			b += !o->owner;
		dp_put_u64(&reply, b);
		return 0;
	default: return -ENOSYS;
	}
}

static int hello(struct dd_conn *c, int32_t op, struct dp_reader *r)
{
	uint64_t v;

	if (dp_get_u64(r, &v))
		return -EINVAL;
	if (op == DP_HELLO) {
		c->domid = (uint32_t)v;
		dp_put_u64(&reply, c->id);
		return 0;
	}
	for (struct dd_conn *o = dd.conns; o; o = o->next)
		if (o->id == v && !o->owner && !o->sink && o != c) {
			o->sink = c;
			c->owner = o;
			c->domid = o->domid;
			return 0;
		}
	return -ENOENT;
}

void dd_handle(struct dd_conn *c, const char *buf, size_t len)
{
	struct dp_reader r;
	int32_t op;
	uint32_t tx;
	int rc;

	dd.requests++;
	dp_start(&reply, 0, 0);
	if (dp_open(&r, buf, len, &op, &tx))
		rc = -EINVAL;
	else if (op == DP_HELLO || op == DP_EVHELLO)
		rc = hello(c, op, &r);
	else if (op == DP_TXSTART)
		rc = (dp_put_u64(&reply, 1), 0); /* applied at once: see README */
	else if (op == DP_TXEND)
		rc = 0;
	else if (op >= DP_READ && op <= DP_UNWATCH)
		rc = xs_op(c, op, &r);
	else if (op >= DP_XL_LIST && op <= DP_XL_SETTGT)
		rc = xl_op(c, op, &r);
	else
		rc = ctl_op(c, op, &r);
	if (rc == -EACCES)
		dd.denied++;
	if (reply.overflow)
		dp_start(&reply, -E2BIG, 0);
	/* xs errors travel as positive errno, libxl codes as they are */
	op = (op >= DP_XL_LIST && op <= DP_XL_SETTGT) ? rc : -rc;
	memcpy(reply.data, &op, 4);
	dd_push(c, &reply);
}
