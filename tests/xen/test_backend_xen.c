/* The xen backend's ops through the double: domains appearing and
 * vanishing, report-node provisioning and its permissions, garbage,
 * 2013-format guests, a refused set_target, and a lost xenstore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "backend_xen.h"
#include "double_ctl.h"
#include "mm_config.h"
#include "mm_loop.h"
#include "mm_scope.h"

#define MIB 1024u

struct fx {
	struct mmd *d;
	struct mm_backend *b;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mm_xen_opts o = {.manage_dom0 = false};
	char err[256];

	if (!f || mmd_start(MMD_DAEMON_PATH, &f->d))
		return -1;
	if (mm_backend_xen_create(&o, &f->b, err, sizeof(err)))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	f->b->ops->destroy(f->b);
	mmd_stop(f->d);
	free(f);
	return 0;
}

/* Waits (up to 2 s) for wait() to report an event. */
static void expect_wake(struct mm_backend *b)
{
	for (int i = 0; i < 20; i++)
		if (b->ops->wait(b, 100) == 1)
			return;
	fail_msg("no event within 2 s");
}

static size_t list(struct mm_backend *b, struct mm_dom_info *out, size_t cap)
{
	size_t n = 99;

	assert_int_equal(b->ops->list_domains(b, out, cap, &n), 0);
	return n;
}

static void test_no_xen(void **state)
{
	struct mm_xen_opts o = {0};
	struct mm_backend *b = (void *)1;
	char err[256] = "";
	char *saved = strdup(getenv("MM_DOUBLE_SOCK"));

	(void)state;
	unsetenv("MM_DOUBLE_SOCK"); /* as on a machine without xenstored */
	assert_true(mm_backend_xen_create(&o, &b, err, sizeof(err)) < 0);
	assert_null(b);
	assert_non_null(strstr(err, "try --backend sim"));
	assert_null(strchr(err, '\n'));
	setenv("MM_DOUBLE_SOCK", saved, 1);
	free(saved);
}

static void test_domain_appears_and_is_provisioned(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct xs_handle *h;
	struct xs_permissions *p;
	unsigned np;

	assert_int_equal(list(f->b, d, 4), 0); /* dom0 is not managed */
	assert_int_equal(mmd_domain_create(f->d, 5, "web", 256 * MIB, 1024 * MIB), 0);
	expect_wake(f->b);
	assert_int_equal(list(f->b, d, 4), 1);
	assert_int_equal(d[0].domid, 5);
	assert_string_equal(d[0].name, "web");
	assert_int_equal(d[0].actual_kib, 256 * MIB);
	assert_int_equal(d[0].target_kib, 256 * MIB);
	assert_int_equal(d[0].maxmem_kib, 1024 * MIB);
	/* the report node: owned by the guest, no access for anyone else */
	h = xs_open(0);
	assert_non_null(h);
	p = xs_get_permissions(h, XBT_NULL, "/local/domain/5/memory/report", &np);
	assert_non_null(p);
	assert_int_equal(np, 1);
	assert_int_equal(p[0].id, 5);
	assert_int_equal(p[0].perms, XS_PERM_NONE);
	free(p);
	xs_close(h);
	/* memory/ itself stays closed to the guest */
	assert_int_equal(mmd_write_as(f->d, 5, "memory/other", "1", 1), -EACCES);
	assert_int_equal(mmd_write_as(f->d, 5, "memory/target", "1", 1), -EACCES);
}

static void test_reports_garbage_and_other_guest(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_report r;
	struct mm_report_error e;
	struct mm_xen_stats st;
	const char *good = "v=1 seq=1 tot=900000 free=300000";

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(mmd_domain_create(f->d, 2, "b", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 2);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, &e), -ENOENT); /* none yet */
	assert_int_equal(mmd_write_as(f->d, 1, "memory/report", good, strlen(good)), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, &e), 0);
	assert_int_equal(r.tot_kib, 900000);
	assert_int_equal(mm_report_used_kib(&r), 600000);
	/* guest 2 cannot write guest 1's report */
	assert_int_equal(
	    mmd_write_as(f->d, 2, "/local/domain/1/memory/report", "v=1 tot=9 free=1", 16),
	    -EACCES);
	/* the same report read again is not new (backend.h's freshness) */
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, &e), MM_BACKEND_SAME);
	assert_int_equal(r.tot_kib, 900000);
	/* garbage is refused, counted, and replaced by the next good report */
	assert_int_equal(mmd_write_as(f->d, 2, "memory/report", "v=1 tot=lots", 12), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 2, &r, &e), -EINVAL);
	assert_int_equal(e.code, MM_REPORT_E_VALUE);
	assert_string_equal(e.key, "tot");
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_int_equal(st.invalid_reports, 1);
	assert_int_equal(mmd_write_as(f->d, 2, "memory/report", good, strlen(good)), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 2, &r, &e), 0);
}

/* Freshness through the double: a rewrite with the same seq or an old one
 * (a replay) is not new; seq advancing is; a restarted client's seq 1 is. */
static void test_report_freshness(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_report r;
	struct mm_report_error e;
	static const struct {
		const char *text;
		int rc;
	} steps[] = {
	    {"v=1 seq=7 tot=900000 free=300000", 0},
	    {"v=1 seq=7 tot=900000 free=300000", MM_BACKEND_SAME},
	    {"v=1 seq=8 tot=900000 free=200000", 0},
	    {"v=1 seq=1000 tot=900000 free=200000", 0},
	    {"v=1 seq=500 tot=900000 free=100000", MM_BACKEND_SAME}, /* replayed */
	    {"v=1 seq=1 tot=900000 free=100000", 0},                 /* client restarted */
	};

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(
		    mmd_write_as(f->d, 1, "memory/report", steps[i].text, strlen(steps[i].text)),
		    0);
		expect_wake(f->b);
		assert_int_equal(f->b->ops->read_report(f->b, 1, &r, &e), steps[i].rc);
		/* nothing written since: the same report, however often it is read */
		assert_int_equal(f->b->ops->read_report(f->b, 1, &r, &e), MM_BACKEND_SAME);
	}
}

/* HVM (issue 9): libxl keeps target - videoram in memory/target while the
 * allocation counts the VGA pages. The backend must give libxl's own view,
 * or the loop rewrites the guest every round and the tracker calls it stuck.
 * Through the real loop: one write, converged, never stuck. */
static void test_hvm_videoram(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mmd_dom md;
	struct mm_settings s;
	struct mm_loop l;
	volatile sig_atomic_t stop = 0;
	char err[128], rep[96];
	uint64_t writes = 0;

	assert_int_equal(mmd_domain_create(f->d, 1, "hvm", 1024 * MIB, 2048 * MIB), 0);
	assert_int_equal(mmd_domain_create(f->d, 2, "pv", 1024 * MIB, 2048 * MIB), 0);
	assert_int_equal(mmd_domain_hvm(f->d, 1, 8 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 2);
	assert_int_equal(d[0].target_kib, 1024 * MIB); /* the node says 1016 MiB */
	assert_int_equal(d[0].actual_kib, 1024 * MIB);

	memset(&l, 0, sizeof(l));
	mm_settings_defaults(&s, "tax");
	s.pool_kib = 2048 * MIB;
	assert_int_equal(mm_loop_apply_settings(&l, &s, err, sizeof(err)), 0);
	l.b = f->b;
	l.stop = &stop;
	for (int k = 0; k < 8; k++) {
		/* the HVM guest busy, the PV one idle; a new report each round */
		snprintf(rep, sizeof(rep), "v=1 seq=%d tot=1000000 free=%d", k + 1, 100000);
		assert_int_equal(mmd_write_as(f->d, 1, "memory/report", rep, strlen(rep)), 0);
		snprintf(rep, sizeof(rep), "v=1 seq=%d tot=1000000 free=%d", k + 1, 900000);
		assert_int_equal(mmd_write_as(f->d, 2, "memory/report", rep, strlen(rep)), 0);
		expect_wake(f->b);
		assert_int_equal(mm_loop_round(&l), 0);
		writes += l.out[0].target_kib != l.in[0].target_kib;
		assert_false(l.in[0].flags & MM_FLAG_STUCK);
	}
	assert_int_equal(writes, 1); /* grown once, then left alone */
	assert_int_equal(mmd_domain_get(f->d, 1, &md), 0);
	assert_true(md.cur_kib > 1024 * MIB);
	assert_int_equal(md.cur_kib, md.target_kib); /* converged, VGA pages included */
	mm_loop_dispose(&l);
}

/* A domain being destroyed: re-provisioning its report node must not make
 * dom0-owned orphan nodes under /local/domain/<id> (xs_write makes missing
 * parents); it did, once per round, before the transaction. */
static void test_no_orphan_nodes(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_report r;
	struct mm_report_error e;
	struct xs_handle *h;
	unsigned len;
	void *v;

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	assert_int_equal(mmd_domain_destroy(f->d, 1), 0);
	for (int k = 0; k < 3; k++) /* rounds before @releaseDomain is seen */
		(void)f->b->ops->read_report(f->b, 1, &r, &e);
	h = xs_open(0);
	assert_non_null(h);
	v = xs_read(h, XBT_NULL, "/local/domain/1", &len);
	assert_null(v);
	free(v);
	xs_close(h);
	assert_int_equal(list(f->b, d, 4), 0);
}

/* A guest may remove its own node; it cannot create it again, mmserver does. */
static void test_node_removed_by_guest(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_report r;

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	assert_int_equal(mmd_rm_as(f->d, 1, "memory/report"), 0);
	assert_int_equal(mmd_write_as(f->d, 1, "memory/report", "v=1 tot=9 free=1", 16), -EACCES);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, NULL), -ENOENT);
	assert_int_equal(mmd_write_as(f->d, 1, "memory/report", "v=1 tot=9 free=1", 16), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, NULL), 0);
	assert_int_equal(r.tot_kib, 9);
}

static void test_coalesced(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_report r;
	char rep[64];

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	expect_wake(f->b); /* introduce + initial watch fires */
	for (int i = 1; i <= 50; i++) {
		int n = snprintf(rep, sizeof(rep), "v=1 seq=%d tot=900000 free=%d", i, 1000 * i);

		assert_int_equal(mmd_write_as(f->d, 1, "memory/report", rep, (size_t)n), 0);
	}
	/* every event already sits in the socket: one wake-up drains all 50 */
	assert_int_equal(f->b->ops->wait(f->b, 1000), 1);
	assert_int_equal(f->b->ops->wait(f->b, 0), 0);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, NULL), 0);
	assert_int_equal(r.seq, 50);
}

static void test_destroyed_mid_round(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_xen_stats st;
	struct mm_report r;

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(mmd_domain_create(f->d, 2, "b", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 2);
	/* the round has its list; the domain goes away before the writes */
	assert_int_equal(mmd_domain_destroy(f->d, 1), 0);
	assert_true(f->b->ops->set_target(f->b, 1, 300 * MIB) < 0);
	assert_int_equal(f->b->ops->set_target(f->b, 2, 300 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	assert_int_equal(d[0].domid, 2);
	assert_int_equal(f->b->ops->set_target(f->b, 1, 300 * MIB), -ENOENT);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, NULL), -ENOENT);
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_int_equal(st.domains_dropped, 1);
}

static void test_set_target_refused_for_one(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mmd_dom g;

	for (uint32_t i = 1; i <= 3; i++)
		assert_int_equal(mmd_domain_create(f->d, i, "g", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 3);
	assert_int_equal(mmd_domain_refuse(f->d, 2, true), 0);
	assert_int_equal(f->b->ops->set_target(f->b, 1, 200 * MIB), 0);
	assert_int_equal(f->b->ops->set_target(f->b, 2, 312 * MIB), -EIO);
	/* growing past the initial size works: libxl raises Xen's cap too */
	assert_int_equal(f->b->ops->set_target(f->b, 3, 312 * MIB), 0);
	assert_int_equal(mmd_domain_get(f->d, 1, &g), 0);
	assert_int_equal(g.cur_kib, 200 * MIB);
	assert_int_equal(mmd_domain_get(f->d, 2, &g), 0);
	assert_int_equal(g.target_kib, 256 * MIB);
	assert_int_equal(mmd_domain_get(f->d, 3, &g), 0);
	assert_int_equal(g.cur_kib, 312 * MIB);
	/* above static-max is refused as libxl does */
	assert_int_equal(f->b->ops->set_target(f->b, 3, 2048 * MIB), -EINVAL);
	assert_int_equal(list(f->b, d, 4), 3);
	assert_int_equal(d[0].target_kib + d[1].target_kib + d[2].target_kib,
	                 (200 + 256 + 312) * MIB);
}

static void test_legacy_client(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_report r;
	struct xs_handle *h = xs_open(0);
	struct xs_permissions p = {.id = 4, .perms = XS_PERM_NONE};

	assert_non_null(h);
	assert_int_equal(mmd_domain_create(f->d, 4, "old", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	/* what script/set-mem.sh --legacy grants: the two nodes, nothing more */
	assert_true(xs_write(h, XBT_NULL, "/local/domain/4/memory/free", "", 0));
	assert_true(xs_set_permissions(h, XBT_NULL, "/local/domain/4/memory/free", &p, 1));
	assert_true(xs_write(h, XBT_NULL, "/local/domain/4/memory/tot", "", 0));
	assert_true(xs_set_permissions(h, XBT_NULL, "/local/domain/4/memory/tot", &p, 1));
	xs_close(h);
	assert_int_equal(mmd_write_as(f->d, 4, "memory/free", "150000", 6), 0);
	assert_int_equal(mmd_write_as(f->d, 4, "memory/tot", "500000", 6), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 4, &r, NULL), 0);
	assert_true(r.has & MM_REPORT_LEGACY);
	assert_int_equal(r.free_kib, 150000);
	assert_int_equal(r.tot_kib, 500000);
	/* a v=1 report wins once there is one */
	assert_int_equal(mmd_write_as(f->d, 4, "memory/report", "v=1 tot=600000 free=1", 21), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 4, &r, NULL), 0);
	assert_false(r.has & MM_REPORT_LEGACY);
	assert_int_equal(r.tot_kib, 600000);
}

static void test_manage_dom0(void **state)
{
	struct fx *f = *state;
	struct mm_xen_opts o = {.manage_dom0 = true};
	struct mm_backend *b;
	struct mm_dom_info d[4];
	char err[256];

	assert_int_equal(mm_backend_xen_create(&o, &b, err, sizeof(err)), 0);
	assert_int_equal(list(b, d, 4), 1);
	assert_int_equal(d[0].domid, 0);
	assert_string_equal(d[0].name, "Domain-0");
	b->ops->destroy(b);
	(void)f;
}

static void test_reconnect(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_xen_stats st;
	struct mm_report r;
	size_t n;

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	expect_wake(f->b);
	assert_int_equal(mmd_accept(f->d, false), 0);
	assert_int_equal(mmd_drop_connections(f->d), 0);
	/* the loss is seen on the event socket; nothing works meanwhile */
	assert_int_equal(f->b->ops->wait(f->b, 200), 0);
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_false(st.connected);
	assert_int_equal(f->b->ops->list_domains(f->b, d, 4, &n), -ENOTCONN);
	assert_int_equal(mmd_accept(f->d, true), 0);
	expect_wake(f->b); /* reconnected within the backoff */
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_true(st.connected);
	assert_int_equal(st.reconnects, 1);
	assert_int_equal(list(f->b, d, 4), 1);
	/* watches are armed again: a new report wakes us and is read */
	assert_int_equal(mmd_write_as(f->d, 1, "memory/report", "v=1 tot=800000 free=2", 21), 0);
	expect_wake(f->b);
	assert_int_equal(f->b->ops->read_report(f->b, 1, &r, NULL), 0);
	assert_int_equal(r.tot_kib, 800000);
}

/* xenstored stops answering (SIGSTOP) for 2.5 s: the call blocks (no
 * spinning, no error), returns once it answers, and the stall is counted
 * and logged as xenstore-slow; a fast call after it is not. */
static void test_xenstore_stalled(void **state)
{
	struct fx *f = *state;
	struct mm_dom_info d[4];
	struct mm_xen_stats st;
	struct timespec t0, t1;
	pid_t waker;
	long ms;

	assert_int_equal(mmd_domain_create(f->d, 1, "a", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 1);
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_int_equal(st.slow_calls, 0);
	assert_int_equal(kill(mmd_pid(f->d), SIGSTOP), 0);
	waker = fork();
	assert_true(waker >= 0);
	if (waker == 0) {
		usleep(2500 * 1000);
		_exit(kill(mmd_pid(f->d), SIGCONT) ? 1 : 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(list(f->b, d, 4), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(waitpid(waker, NULL, 0), waker);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 2000);
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_int_equal(st.slow_calls, 1);
	assert_true(st.connected);
	assert_int_equal(list(f->b, d, 4), 1);
	assert_int_equal(mm_backend_xen_stats(f->b, &st), 0);
	assert_int_equal(st.slow_calls, 1);
}

/* A domain its name puts out of scope gets no report node (issue 12):
 * mmserver writes nothing of it; the one in scope is provisioned. */
static void test_out_of_scope_not_provisioned(void **state)
{
	struct fx *f = *state;
	struct mm_scope sc = {.manage = MM_MANAGE_REPORTING};
	struct mm_dom_info d[4];
	char buf[32];

	assert_null(mm_scope_add(&sc, true, "appliance*"));
	f->b->scope = &sc;
	assert_int_equal(mmd_domain_create(f->d, 1, "web", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(mmd_domain_create(f->d, 2, "appliance1", 256 * MIB, 1024 * MIB), 0);
	assert_int_equal(list(f->b, d, 4), 2); /* listed: its memory still counts */
	assert_int_equal(mmd_read_as(f->d, 0, "/local/domain/1/memory/report", buf, sizeof(buf)),
	                 0);
	assert_int_equal(mmd_read_as(f->d, 0, "/local/domain/2/memory/report", buf, sizeof(buf)),
	                 -ENOENT);
	assert_int_equal(mmd_write_as(f->d, 2, "memory/report", "v=1 tot=1 free=1", 16), -EACCES);
	/* nor later, when a read finds the node missing */
	assert_int_equal(f->b->ops->read_report(f->b, 2, &(struct mm_report){0}, NULL), -ENOENT);
	assert_int_equal(mmd_read_as(f->d, 0, "/local/domain/2/memory/report", buf, sizeof(buf)),
	                 -ENOENT);
	f->b->scope = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_xen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_domain_appears_and_is_provisioned, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_report_freshness, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hvm_videoram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_orphan_nodes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reports_garbage_and_other_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_coalesced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_node_removed_by_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroyed_mid_round, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_target_refused_for_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_legacy_client, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_manage_dom0, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_xenstore_stalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_scope_not_provisioned, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
