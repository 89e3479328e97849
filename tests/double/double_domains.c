/* The double's scriptable domains: create (with the xenstore nodes and
 * permissions libxl gives a real guest), destroy, a balloon that moves at a
 * set speed, a cap like Xen's max_pages, and set_target that can be made to
 * fail. */
#include "double_daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libxl's error codes, without including libxl.h here */
#define XL_ERROR_FAIL       (-3)
#define XL_ERROR_INVAL      (-6)
#define XL_MAXMEM_SLACK_KIB 1024 /* libxl's LIBXL_MAXMEM_CONSTANT */

static void put_node(const char *base, const char *rel, const char *val, uint32_t owner,
                     uint32_t reader)
{
	char path[256];
	struct dt_perm p[2] = {{owner, 0}, {reader, DT_R}};

	snprintf(path, sizeof(path), "%s%s%s", base, *rel ? "/" : "", rel);
	dt_write(dd.tree, 0, path, val, strlen(val));
	dt_set_perms(dd.tree, 0, path, p, owner == reader ? 1 : 2);
}

/* The nodes and permissions libxl creates (shared/xen-qemu README). */
static void put_domain_nodes(const struct dd_dom *d)
{
	char base[64], num[24];

	snprintf(base, sizeof(base), "/local/domain/%" PRIu32, d->domid);
	put_node(base, "", "", 0, d->domid);
	put_node(base, "name", d->name, 0, d->domid);
	snprintf(num, sizeof(num), "%" PRIu32, d->domid);
	put_node(base, "domid", num, 0, d->domid);
	put_node(base, "memory", "", 0, d->domid);
	snprintf(num, sizeof(num), "%" PRIu64, d->target_kib);
	put_node(base, "memory/target", num, 0, d->domid);
	snprintf(num, sizeof(num), "%" PRIu64, d->maxmem_kib);
	put_node(base, "memory/static-max", num, 0, d->domid);
	put_node(base, "data", "", d->domid, d->domid);
}

int dd_dom_create(uint32_t domid, const char *name, uint64_t mem_kib, uint64_t maxmem_kib)
{
	struct dd_dom *d;

	if (domid >= DD_DOMID_MAX || dd.dom[domid] || mem_kib > maxmem_kib)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->cur_kib = d->target_kib = mem_kib;
	d->maxmem_kib = maxmem_kib;
	d->max_pages_kib = mem_kib + XL_MAXMEM_SLACK_KIB;
	d->moved_ms = dd_now_ms();
	dd.dom[domid] = d;
	put_domain_nodes(d);
	if (domid != 0)
		dd_watch_special("@introduceDomain");
	return 0;
}

int dd_dom_destroy(uint32_t domid)
{
	char base[64];

	if (domid == 0 || domid >= DD_DOMID_MAX || !dd.dom[domid])
		return -ENOENT;
	free(dd.dom[domid]);
	dd.dom[domid] = NULL;
	snprintf(base, sizeof(base), "/local/domain/%" PRIu32, domid);
	dt_rm(dd.tree, 0, base);
	dd_watch_special("@releaseDomain");
	return 0;
}

struct dd_dom *dd_dom_get(uint32_t domid)
{
	struct dd_dom *d = domid < DD_DOMID_MAX ? dd.dom[domid] : NULL;
	uint64_t now = dd_now_ms(), goal, step;

	if (!d)
		return NULL;
	goal = d->target_kib < d->max_pages_kib ? d->target_kib : d->max_pages_kib;
	step = d->speed_kib_s ? (now - d->moved_ms) * d->speed_kib_s / 1000 : UINT64_MAX;
	if (d->speed_kib_s && step == 0)
		return d; /* keep moved_ms so slow balloons still make progress */
	if (d->cur_kib < goal)
		d->cur_kib = goal - d->cur_kib > step ? d->cur_kib + step : goal;
	else if (d->cur_kib > goal)
		d->cur_kib = d->cur_kib - goal > step ? d->cur_kib - step : goal;
	d->moved_ms = now;
	return d;
}

/* libxl_set_memory_target's checks and effects (Xen 4.17 libxl_mem.c):
 * the new target may not exceed static-max; enforce raises max_pages. */
int dd_dom_set_target(uint32_t domid, int64_t kib, bool relative, bool enforce)
{
	struct dd_dom *d = dd_dom_get(domid);
	char path[64], num[24];
	int64_t t;

	if (!d || d->refuse)
		return XL_ERROR_FAIL;
	t = relative ? (int64_t)d->target_kib + kib : kib;
	if (t < 0 || (uint64_t)t > d->maxmem_kib)
		return XL_ERROR_INVAL;
	if (enforce)
		d->max_pages_kib = (uint64_t)t + XL_MAXMEM_SLACK_KIB;
	d->target_kib = (uint64_t)t;
	/* libxl_mem.c: the node holds the target less the VGA pages (HVM) */
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/target", domid);
	snprintf(num, sizeof(num), "%" PRId64,
	         t > (int64_t)d->videoram_kib ? t - (int64_t)d->videoram_kib : 0);
	dt_write(dd.tree, 0, path, num, strlen(num));
	return 0;
}

int dd_dom_hvm(uint32_t domid, uint64_t videoram_kib)
{
	struct dd_dom *d = dd_dom_get(domid);
	char base[64], num[24];

	if (!d || videoram_kib >= d->target_kib)
		return -EINVAL;
	d->videoram_kib = videoram_kib;
	snprintf(base, sizeof(base), "/local/domain/%" PRIu32, domid);
	snprintf(num, sizeof(num), "%" PRIu64, videoram_kib);
	put_node(base, "memory/videoram", num, 0, domid);
	snprintf(num, sizeof(num), "%" PRIu64, d->target_kib - videoram_kib);
	put_node(base, "memory/target", num, 0, domid);
	return 0;
}

void dd_dom_target_written(const char *path, const char *val)
{
	unsigned domid;
	char tail[32];
	struct dd_dom *d;

	if (sscanf(path, "/local/domain/%u/%31s", &domid, tail) != 2 ||
	    strcmp(tail, "memory/target") != 0)
		return;
	d = dd_dom_get(domid);
	if (d)
		d->target_kib = strtoull(val, NULL, 10) + d->videoram_kib;
}

uint64_t dd_host_free_kib(void)
{
	uint64_t used = DD_DOM0_KIB;

	for (uint32_t i = 1; i < DD_DOMID_MAX; i++)
		if (dd.dom[i])
			used += dd_dom_get(i)->cur_kib;
	return used < dd.host_kib ? dd.host_kib - used : 0;
}
