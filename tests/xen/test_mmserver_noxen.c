/* Without Xen, mmserver (default backend xen) must exit 1 with one line
 * that says what is missing and suggests --backend sim. Checked on the real
 * binary (when this machine has no /dev/xen/privcmd) and on the one linked
 * with the double, with no double running. */
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

/* Runs path with no arguments in a temp dir; returns its exit status and
 * its stderr in err. */
static int run(const char *path, char *err, size_t cap)
{
	int pfd[2], status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		if (chdir("/tmp"))
			_exit(126);
		unsetenv("MM_DOUBLE_SOCK");
		execl(path, path, "-d", "/tmp/mm_noxen_logs_unused", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (len + 1 < cap && (n = read(pfd[0], err + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	err[len] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check(const char *path)
{
	char err[4096];

	assert_int_equal(run(path, err, sizeof(err)), 1);
	print_message("%s said: %s", path, err);
	assert_non_null(strstr(err, "try --backend sim"));
	/* one line, and it names what is missing */
	assert_non_null(strstr(err, "mmserver: "));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
}

static void test_double_build(void **state)
{
	(void)state;
	check(MMSERVER_DOUBLE);
}

static void test_real_build(void **state)
{
	(void)state;
	if (MMSERVER_REAL[0] == '\0' || access("/dev/xen/privcmd", F_OK) == 0) {
		print_message("skipped: no real mmserver built, or this machine has Xen\n");
		skip();
	}
	check(MMSERVER_REAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_double_build),
	    cmocka_unit_test(test_real_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
