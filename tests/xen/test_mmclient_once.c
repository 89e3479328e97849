/* The real mmclient (linked with the double), one report at a time: each
 * documented exit status of --once, the report it writes, and --legacy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenstore.h>

#include "double_ctl.h"

#define DATA MM_SOURCE_DIR "/tests/client/data"

static int status_of(pid_t pid)
{
	int st = -1;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* mmclient --once [extra] as domain 1 on the 6.1 fake tree; exit status. */
static int once(struct mmd *d, const char *extra, const char *proc)
{
	char p[256], s[256], x[32];
	char *argv[] = {MMCLIENT_DOUBLE, "--once", "--proc", p, "--sys", s, x, NULL};

	snprintf(p, sizeof(p), "%s", proc);
	snprintf(s, sizeof(s), "%s", DATA "/sys-6.1");
	snprintf(x, sizeof(x), "%s", extra ? extra : "");
	if (!extra)
		argv[6] = NULL;
	return status_of(mmd_spawn(d, 1, argv));
}

static void grant(const char *node)
{
	struct xs_handle *h = xs_open(0);
	struct xs_permissions p = {.id = 1, .perms = XS_PERM_NONE};
	char path[96];

	assert_non_null(h);
	snprintf(path, sizeof(path), "/local/domain/1/%s", node);
	assert_true(xs_write(h, XBT_NULL, path, "", 0));
	assert_true(xs_set_permissions(h, XBT_NULL, path, &p, 1));
	xs_close(h);
}

static void test_exit_codes(void **state)
{
	struct mmd *d;
	char buf[600];
	pid_t pid;

	(void)state;
	assert_int_equal(mmd_start(MMD_DAEMON_PATH, &d), 0);
	assert_int_equal(mmd_domain_create(d, 1, "g1", 1048576, 2097152), 0);
	/* not granted yet: xenstore answers, refuses */
	assert_int_equal(once(d, NULL, DATA "/proc-6.1"), 1);
	grant("memory/report");
	assert_int_equal(once(d, NULL, DATA "/proc-6.1"), 0);
	assert_int_equal(mmd_read_as(d, 0, "/local/domain/1/memory/report", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "v=1 seq=1 tot=1015808 free=330324 avail=351220 cached=250112 "
	                         "swap_total=1048572 swap_used=8572 pswpin=17 pswpout=42 "
	                         "pgmajfault=311 psi_some10=1.25 balloon_cur=1048576");
	/* --legacy: a refusal of the 2013 nodes is not fatal; once granted they are written */
	assert_int_equal(once(d, "--legacy", DATA "/proc-6.1"), 0);
	grant("memory/free");
	grant("memory/tot");
	assert_int_equal(once(d, "--legacy", DATA "/proc-6.1"), 0);
	assert_int_equal(mmd_read_as(d, 0, "/local/domain/1/memory/free", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "330324");
	assert_int_equal(mmd_read_as(d, 0, "/local/domain/1/memory/tot", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1015808");
	/* unparsable meminfo, bad flag */
	assert_int_equal(once(d, NULL, DATA "/proc-garbage"), 4);
	assert_int_equal(once(d, "--interval=1", DATA "/proc-6.1"), 2);
	mmd_stop(d);
	/* no xenstore at all */
	pid = fork();
	if (pid == 0) {
		setenv("MM_DOUBLE_SOCK", "/nonexistent/xs.sock", 1);
		execl(MMCLIENT_DOUBLE, "mmclient", "--once", "--proc", DATA "/proc-6.1",
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(status_of(pid), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_exit_codes)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
