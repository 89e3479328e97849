/* The xen backend's managed domains: discovery from libxl's list,
 * provisioning of each guest's report node, one watch per guest on its
 * memory/ directory, cached reads invalidated by watch events, and clean
 * removal of domains that vanished. */
#include "mm_log.h"
#include "xen_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_paths.h"
#include "mm_scope.h"

static void dom_path(char *buf, size_t cap, uint32_t domid, const char *rel)
{
	snprintf(buf, cap, MM_XS_DOMAIN_FMT "/%s", domid, rel);
}

/* Reads a decimal KiB node of a domain; 0 or -errno. */
static int read_kib(struct xb *b, uint32_t domid, const char *rel, uint64_t *kib)
{
	char path[96], val[32];
	size_t len;
	int rc;

	dom_path(path, sizeof(path), domid, rel);
	rc = xen_xs_read(b->xs, path, val, sizeof(val), &len);
	if (rc)
		return rc;
	return mm_parse_u64_n(val, len, MM_SIZE_MAX_KIB, kib) ? -EINVAL : 0;
}

/* Whether mmserver may write anything of this domain: not when its name
 * alone puts it out of scope (excluded, or not included). Whether it has
 * reported cannot be known before its report node exists, so that part of
 * the scope is the loop's. */
static bool may_write(const struct xb *b, const struct xdom *x)
{
	return !b->pub.scope || mm_scope_manages(b->pub.scope, x->name, true);
}

/* Provisions the report node (in scope only) and watches memory/ (a watch
 * writes nothing); 0 or -errno. */
static int arm(struct xb *b, struct xdom *x)
{
	char path[96];
	int rc = 0;

	dom_path(path, sizeof(path), x->domid, MM_XS_REPORT);
	if (may_write(b, x))
		rc = xen_xs_provision(b->xs, path, x->domid);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		b->st.provisioned++;
		mm_log(MM_LOG_INFO, "report-node-provisioned",
		       "domid=%" PRIu32 " path=%s owner=%" PRIu32, x->domid, path, x->domid);
	}
	dom_path(path, sizeof(path), x->domid, MM_XS_MEMORY_DIR);
	rc = xen_xs_watch(b->xs, path, XB_TOKEN_DOM);
	if (rc == 0 || rc == -EEXIST) /* already ours: the watch is there */
		x->watched = true, rc = 0;
	return rc;
}

/* Brings a domain's metadata up to date; -ENOENT when it is gone or not
 * built yet (no memory/static-max), another -errno on trouble. */
static int refresh(struct xb *b, struct xdom *x)
{
	int rc = 0;

	if (!x->watched && (rc = arm(b, x)) != 0)
		return rc;
	if (!x->meta_dirty)
		return 0;
	rc = read_kib(b, x->domid, MM_XS_STATIC_MAX, &x->maxmem_kib);
	if (rc == 0)
		rc = read_kib(b, x->domid, MM_XS_TARGET, &x->target_kib);
	if (rc == 0) {
		/* libxl's own view of the target: the node plus the VGA pages of
		 * an HVM guest (none for PV and PVH), the same units as the
		 * allocation and as what libxl_set_memory_target takes. Without it
		 * an HVM guest read back short, was rewritten every round and
		 * judged stuck. */
		uint64_t vram = 0;
		int r = read_kib(b, x->domid, MM_XS_VIDEORAM, &vram);
		if (r && r != -ENOENT)
			return r;
		x->target_kib += vram;
		x->meta_dirty = false;
	}
	return rc;
}

static struct xdom *add(struct xb *b, uint32_t domid)
{
	struct xdom *x = calloc(1, sizeof(*x));
	char path[96];
	size_t len;

	if (!x)
		return NULL;
	x->domid = domid;
	x->meta_dirty = x->report_dirty = true;
	dom_path(path, sizeof(path), domid, MM_XS_NAME);
	if (xen_xs_read(b->xs, path, x->name, sizeof(x->name), &len))
		snprintf(x->name, sizeof(x->name), "dom%" PRIu32, domid);
	b->dom[domid] = x;
	return x;
}

void xb_drop(struct xb *b, uint32_t domid)
{
	struct xdom *x = b->dom[domid];
	char path[96];

	if (!x)
		return;
	if (x->watched && b->xs) {
		dom_path(path, sizeof(path), domid, MM_XS_MEMORY_DIR);
		xen_xs_unwatch(b->xs, path, XB_TOKEN_DOM); /* may already be gone: fine */
	}
	mm_log(MM_LOG_INFO, "domain-dropped", "domid=%" PRIu32 " name=%s", domid, x->name);
	b->st.domains_dropped++;
	b->dom[domid] = NULL;
	free(x);
}

/* One listed domain: known or new, up to date, or skipped. 1 when it is
 * managed this round, 0 when skipped, -errno when the connection died. */
static int take(struct xb *b, const struct xen_xl_dom *d)
{
	struct xdom *x;
	bool fresh;
	int rc;

	if ((d->domid == 0 && !b->o.manage_dom0) || d->going || d->domid >= XB_DOMID_MAX)
		return 0;
	fresh = b->dom[d->domid] == NULL;
	x = fresh ? add(b, d->domid) : b->dom[d->domid];
	if (!x)
		return -ENOMEM;
	rc = refresh(b, x);
	if (rc && xen_xs_lost(rc))
		return rc;
	if (rc) {
		/* being built or torn down: try again next round. Its watch goes
		 * too: xenstored refuses the same watch twice (EEXIST), so a domain
		 * created while mmserver ran was never managed (issue 17's real-Xen
		 * check: xl create under a running mmserver) */
		if (fresh) {
			if (x->watched) {
				char path[96];
				dom_path(path, sizeof(path), x->domid, MM_XS_MEMORY_DIR);
				xen_xs_unwatch(b->xs, path, XB_TOKEN_DOM);
			}
			b->dom[d->domid] = NULL;
			free(x);
		}
		return 0;
	}
	if (fresh) {
		b->st.domains_added++;
		mm_log(MM_LOG_INFO, "domain-added", "domid=%" PRIu32 " name=%s maxmem_kib=%" PRIu64,
		       x->domid, x->name, x->maxmem_kib);
		if (!may_write(b, x)) /* once: it is never armed again while it lives */
			mm_log(MM_LOG_INFO, "report-node-skipped",
			       "domid=%" PRIu32 " name=%s why=\"out of scope: never written\"",
			       x->domid, x->name);
	}
	x->seen = true;
	return 1;
}

/* One cheap read per round, so a dead xenstored is noticed even in a
 * round that has nothing else to read. */
static int probe(struct xb *b)
{
	char path[64], val[MM_NAME_MAX];
	size_t len;
	int rc;

	dom_path(path, sizeof(path), 0, MM_XS_NAME);
	rc = xen_xs_read(b->xs, path, val, sizeof(val), &len);
	return rc && xen_xs_lost(rc) ? rc : 0;
}

int xb_list(struct xb *b, struct mm_dom_info *out, size_t cap, size_t *n)
{
	struct xen_xl_dom *l;
	size_t nl, count = 0;
	bool wake = b->wake;
	/* events not yet drained by wait() may say a target or report moved;
	 * this round uses them, so they do not ask for another round */
	int rc = xen_xs_drain(b->xs, xb_event, b);

	b->wake = wake;
	*n = 0;
	if (rc >= 0)
		rc = probe(b);
	if (rc >= 0)
		rc = xen_xl_list(b->xl, &l, &nl);
	if (rc) {
		xb_disconnect(b, rc);
		return rc;
	}
	for (uint32_t i = 0; i < XB_DOMID_MAX; i++)
		if (b->dom[i])
			b->dom[i]->seen = false;
	for (size_t i = 0; i < nl; i++) {
		struct xdom *x;

		rc = take(b, &l[i]);
		if (rc < 0) {
			free(l);
			xb_disconnect(b, rc);
			return rc;
		}
		if (rc == 0)
			continue;
		x = b->dom[l[i].domid];
		if (count < cap) {
			out[count] = (struct mm_dom_info){.domid = x->domid,
			                                  .actual_kib = l[i].cur_kib,
			                                  .target_kib = x->target_kib,
			                                  .maxmem_kib = x->maxmem_kib};
			snprintf(out[count].name, sizeof(out[count].name), "%s", x->name);
		}
		count++;
	}
	free(l);
	for (uint32_t i = 0; i < XB_DOMID_MAX; i++)
		if (b->dom[i] && !b->dom[i]->seen)
			xb_drop(b, i);
	*n = count;
	return 0;
}

/* The 2013 form, for guests that never wrote a v=1 report. */
static int read_legacy(struct xb *b, uint32_t domid, struct mm_report *out,
                       struct mm_report_error *err)
{
	char fp[96], tp[96], f[32], t[32];
	size_t fl, tl;
	int rc;

	dom_path(fp, sizeof(fp), domid, MM_XS_LEGACY_FREE);
	dom_path(tp, sizeof(tp), domid, MM_XS_LEGACY_TOT);
	rc = xen_xs_read(b->xs, fp, f, sizeof(f), &fl);
	if (rc == 0)
		rc = xen_xs_read(b->xs, tp, t, sizeof(t), &tl);
	if (rc == -E2BIG) {
		memset(out, 0, sizeof(*out));
		*err = (struct mm_report_error){.code = MM_REPORT_E_TOO_LONG};
		return -EINVAL;
	}
	if (rc)
		return rc == -EACCES ? -ENOENT : rc;
	return mm_report_parse_legacy(f, fl, t, tl, out, err) ? -EINVAL : 0;
}

static int reload(struct xb *b, struct xdom *x)
{
	char path[96], buf[MM_REPORT_MAX_BYTES + 2];
	size_t len = 0;
	int rc;

	dom_path(path, sizeof(path), x->domid, MM_XS_REPORT);
	rc = xen_xs_read(b->xs, path, buf, sizeof(buf), &len);
	if (rc == -E2BIG) {
		x->rerr = (struct mm_report_error){.code = MM_REPORT_E_TOO_LONG};
		memset(&x->report, 0, sizeof(x->report));
		rc = -EINVAL;
	} else if (rc == 0 && len > 0) {
		rc = mm_report_parse(buf, len, &x->report, &x->rerr) ? -EINVAL : 0;
	} else if (rc == 0 || rc == -ENOENT) {
		/* a guest may delete its own node but never create it again */
		if (rc == -ENOENT && may_write(b, x) && xen_xs_provision(b->xs, path, x->domid) > 0)
			b->st.provisioned++;
		/* empty (just provisioned) or missing: maybe a 2013 client */
		memset(&x->report, 0, sizeof(x->report));
		memset(&x->rerr, 0, sizeof(x->rerr));
		rc = read_legacy(b, x->domid, &x->report, &x->rerr);
	}
	if (rc && xen_xs_lost(rc))
		return rc;
	if (rc == -EINVAL)
		b->st.invalid_reports++;
	x->report_rc = rc;
	x->report_dirty = false;
	x->wrote = true;
	return 0;
}

/* New or the same report again (backend.h): by seq when there is one,
 * else (the 2013 nodes) by whether a watch fired since the last read. */
static int freshness(struct xdom *x)
{
	bool fresh = (x->report.has & MM_REPORT_HAS_SEQ)
	                 ? mm_report_seq_new(x->seq_seen, x->last_seq, &x->report)
	                 : x->wrote;

	x->wrote = false;
	if (!fresh)
		return MM_BACKEND_SAME;
	x->seq_seen = true;
	x->last_seq = x->report.seq;
	return 0;
}

int xb_report(struct xb *b, uint32_t domid, struct mm_report *out, struct mm_report_error *err)
{
	struct xdom *x = domid < XB_DOMID_MAX ? b->dom[domid] : NULL;
	int rc;

	if (!x)
		return -ENOENT;
	if (x->report_dirty) {
		if (!xb_ready(b))
			return -ENOTCONN;
		rc = reload(b, x);
		if (rc) {
			xb_disconnect(b, rc);
			return rc;
		}
	}
	*out = x->report;
	if (err)
		*err = x->rerr;
	return x->report_rc ? x->report_rc : freshness(x);
}

/* "/local/domain/<id>/memory[/<leaf>]" -> id and leaf ("" for memory/). */
static bool split_path(const char *path, uint32_t *domid, const char **leaf)
{
	unsigned id;
	int end = 0;

	if (sscanf(path, "/local/domain/%u/memory%n", &id, &end) != 1 || end == 0 ||
	    id >= XB_DOMID_MAX)
		return false;
	if (path[end] != '\0' && path[end] != '/')
		return false;
	*domid = id;
	*leaf = path[end] ? path + end + 1 : "";
	return true;
}

void xb_event(void *arg, const char *path, const char *token)
{
	struct xb *b = arg;
	const char *leaf;
	uint32_t domid;
	struct xdom *x;

	b->st.events++;
	if (strcmp(token, XB_TOKEN_INTRO) == 0 || strcmp(token, XB_TOKEN_RELEASE) == 0) {
		b->wake = true; /* the next list_domains adds or drops */
		return;
	}
	if (!split_path(path, &domid, &leaf) || !(x = b->dom[domid]))
		return;
	if (strcmp(leaf, "target") == 0 || strcmp(leaf, "static-max") == 0) {
		x->meta_dirty = true; /* often our own write: no round for it */
		return;
	}
	if (*leaf == '\0' || strcmp(leaf, "report") == 0 || strcmp(leaf, "free") == 0 ||
	    strcmp(leaf, "tot") == 0) {
		x->report_dirty = true;
		x->meta_dirty |= *leaf == '\0';
		b->wake = true;
	}
}

void xb_mark_all(struct xb *b)
{
	for (uint32_t i = 0; i < XB_DOMID_MAX; i++)
		if (b->dom[i])
			b->dom[i]->watched = false, b->dom[i]->meta_dirty = true,
			b->dom[i]->report_dirty = true;
}
