/* The double itself must behave like Xen where xenmm depends on it:
 * libxl's default permissions, guest writes refused until dom0 grants a
 * node, per-node ownership, watches (initial fire, subtree, read
 * permission), balloon speed and cap, and connection drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "double_ctl.h"

static int setup(void **state)
{
	struct mmd *d;

	if (mmd_start(MMD_DAEMON_PATH, &d))
		return -1;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	mmd_stop(*state);
	return 0;
}

static void test_default_perms(void **state)
{
	struct mmd *d = *state;
	char buf[64];

	assert_int_equal(mmd_domain_create(d, 1, "g1", 131072, 524288), 0);
	assert_int_equal(mmd_domain_create(d, 2, "g2", 131072, 524288), 0);
	/* the guest reads its target, cannot write it or create under memory/ */
	assert_int_equal(mmd_read_as(d, 1, "memory/target", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "131072");
	assert_int_equal(mmd_write_as(d, 1, "memory/target", "1", 1), -EACCES);
	assert_int_equal(mmd_write_as(d, 1, "memory/guest-memtotal", "1", 1), -EACCES);
	/* data/ is the guest's own */
	assert_int_equal(mmd_write_as(d, 1, "data/x", "1", 1), 0);
	/* nobody reads another guest's tree */
	assert_int_equal(mmd_read_as(d, 2, "/local/domain/1/memory/target", buf, sizeof(buf)),
	                 -EACCES);
	assert_int_equal(mmd_write_as(d, 2, "/local/domain/1/data/x", "2", 1), -EACCES);
}

static void test_grant_node(void **state)
{
	struct mmd *d = *state;
	struct xs_handle *h = xs_open(0);
	struct xs_permissions p = {.id = 1, .perms = XS_PERM_NONE}, *got;
	unsigned n;

	assert_non_null(h);
	assert_true(xs_write(h, XBT_NULL, "/local/domain/1/memory/report", "", 0));
	assert_true(xs_set_permissions(h, XBT_NULL, "/local/domain/1/memory/report", &p, 1));
	got = xs_get_permissions(h, XBT_NULL, "/local/domain/1/memory/report", &n);
	assert_non_null(got);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].id, 1);
	assert_int_equal(got[0].perms, XS_PERM_NONE);
	free(got);
	assert_int_equal(mmd_write_as(d, 1, "memory/report", "v=1", 3), 0);
	assert_int_equal(mmd_write_as(d, 2, "/local/domain/1/memory/report", "x", 1), -EACCES);
	/* the owner may not hand its node's target sibling to itself */
	assert_int_equal(mmd_write_as(d, 1, "memory/target", "9", 1), -EACCES);
	xs_close(h);
}

static char **next_event(struct xs_handle *h)
{
	struct pollfd p = {xs_fileno(h), POLLIN, 0};

	if (poll(&p, 1, 2000) != 1)
		return NULL;
	return xs_check_watch(h);
}

static void test_watches(void **state)
{
	struct mmd *d = *state;
	struct xs_handle *h = xs_open(0);
	char **ev;

	assert_non_null(h);
	assert_true(xs_watch(h, "/local/domain/1/memory", "m1"));
	ev = next_event(h); /* the initial fire */
	assert_non_null(ev);
	assert_string_equal(ev[XS_WATCH_PATH], "/local/domain/1/memory");
	assert_string_equal(ev[XS_WATCH_TOKEN], "m1");
	free(ev);
	assert_null(xs_check_watch(h));
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(mmd_write_as(d, 1, "memory/report", "v=1 x", 5), 0);
	ev = next_event(h);
	assert_non_null(ev);
	assert_string_equal(ev[XS_WATCH_PATH], "/local/domain/1/memory/report");
	free(ev);
	assert_true(xs_watch(h, "@releaseDomain", "rel"));
	free(next_event(h));
	assert_int_equal(mmd_domain_destroy(d, 2), 0);
	ev = next_event(h);
	assert_non_null(ev);
	assert_string_equal(ev[XS_WATCH_TOKEN], "rel");
	free(ev);
	xs_close(h);
}

static void test_balloon_and_cap(void **state)
{
	struct mmd *d = *state;
	struct mmd_dom dom;

	assert_int_equal(mmd_domain_create(d, 3, "g3", 262144, 1048576), 0);
	assert_int_equal(mmd_domain_get(d, 3, &dom), 0);
	assert_int_equal(dom.max_pages_kib, 262144 + 1024);
	/* a direct write of memory/target cannot grow past max_pages (README pitfall 6) */
	assert_int_equal(mmd_write_as(d, 0, "/local/domain/3/memory/target", "524288", 6), 0);
	assert_int_equal(mmd_domain_get(d, 3, &dom), 0);
	assert_int_equal(dom.target_kib, 524288);
	assert_int_equal(dom.cur_kib, 262144 + 1024);
}

static void test_drop(void **state)
{
	struct mmd *d = *state;
	struct xs_handle *h = xs_open(0);
	unsigned len;

	assert_non_null(h);
	assert_int_equal(mmd_drop_connections(d), 0);
	assert_null(xs_read(h, XBT_NULL, "/local/domain/0/name", &len));
	assert_int_equal(errno, ECONNRESET);
	assert_int_equal(mmd_accept(d, false), 0);
	xs_close(h);
	assert_null(xs_open(0));
	assert_int_equal(mmd_accept(d, true), 0);
	h = xs_open(0);
	assert_non_null(h);
	xs_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_perms), cmocka_unit_test(test_grant_node),
	    cmocka_unit_test(test_watches),       cmocka_unit_test(test_balloon_and_cap),
	    cmocka_unit_test(test_drop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
