/* The mm_test_* programs, run briefly: what they say they hold is resident
 * (VmRSS in /proc/<pid>/status), they resize, stop cleanly on signals and
 * reject bad arguments; mm_test_client's reports parse and form the
 * triangle; mm_util_swap reads a fake /proc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm_report.h"
#include "tp_spawn.h"

#define BIN(name) MM_BINARY_DIR "/testprogs/" name
/* Resident beyond what a program holds: libc, stack, sanitizer runtime. */
#define RSS_SLACK_KIB (40 * 1024)

static struct tp_proc *start(char *const argv[])
{
	struct tp_proc *p = malloc(sizeof(*p));

	assert_non_null(p);
	assert_int_equal(tp_spawn(p, argv), 0);
	return p;
}

/* The held size a progress line states must be resident right now. */
static uint64_t check_resident(struct tp_proc *p, const char *line)
{
	double held;
	uint64_t rss = tp_vmrss_kib(p->pid);

	assert_true(tp_kv(line, "held_kib", &held));
	if ((double)rss < held || (double)rss > held + RSS_SLACK_KIB)
		fail_msg("held_kib=%.0f but VmRSS=%llu kB: %s", held, (unsigned long long)rss,
		         line);
	return (uint64_t)held;
}

static void test_static_resident_resize_quit(void **state)
{
	char *argv[] = {BIN("mm_test_static"), "64M", "--progress", "-i", "100", NULL};
	struct tp_proc *p = start(argv);
	char line[256];

	(void)state;
	assert_true(tp_wait_line(p, "event=hold", 5000, line, sizeof(line)));
	assert_int_equal(check_resident(p, line), 65536);
	assert_int_equal(write(p->in_fd, "96M\n", 4), 4);
	assert_true(tp_wait_line(p, "event=resize", 5000, line, sizeof(line)));
	assert_int_equal(check_resident(p, line), 98304);
	assert_int_equal(write(p->in_fd, "not-a-size\n16M\n", 15), 15);
	assert_true(tp_wait_line(p, "event=resize", 5000, line, sizeof(line)));
	assert_int_equal(check_resident(p, line), 16384); /* shrinking gives pages back */
	assert_int_equal(write(p->in_fd, "q\n", 2), 2);
	assert_true(tp_wait_line(p, "event=quit", 5000, line, sizeof(line)));
	assert_int_equal(tp_finish(p, 5000), 0);
	assert_non_null(strstr(p->err, "'not-a-size'"));
	free(p);
}

static void test_mono_ramp(void **state)
{
	char *argv[] = {BIN("mm_test_mono"), "16M", "48M", "--step", "16M", "-i", "100",
	                "--progress",        NULL};
	const uint64_t want[] = {16384, 32768, 49152, 32768, 16384};
	struct tp_proc *p = start(argv);
	char line[256];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(
		    tp_wait_line(p, i < 3 ? "event=up" : "event=down", 5000, line, sizeof(line)));
		assert_int_equal(check_resident(p, line), want[i]);
	}
	assert_true(tp_wait_line(p, "event=done", 5000, line, sizeof(line)));
	assert_int_equal(tp_finish(p, 5000), 0);
	free(p);
}

static void test_random_range_and_sigterm(void **state)
{
	char *argv[] = {BIN("mm_test_random"), "16M", "64M", "--seed", "7", "-i", "50",
	                "--progress",          NULL};
	struct tp_proc *p = start(argv);
	char line[256];
	uint64_t prev = 0, changes = 0;

	(void)state;
	for (int i = 0; i < 6; i++) {
		uint64_t held;
		assert_true(tp_wait_line(p, "event=size", 5000, line, sizeof(line)));
		held = check_resident(p, line);
		assert_true(held >= 16384 && held <= 65536);
		changes += held != prev;
		prev = held;
	}
	assert_true(changes >= 4);
	kill(p->pid, SIGTERM);
	assert_true(tp_wait_line(p, "event=stopped", 5000, line, sizeof(line)));
	assert_int_equal(tp_finish(p, 5000), 0);
	free(p);
}

/* BASE 100M, DELTA 50M, MAX 300M: used goes 100, 150, ... 300, 250, ...
 * 100, 150 (MiB), in valid SPEC section 2 reports with seq 1, 2, ... */
static void test_client_triangle(void **state)
{
	char *argv[] = {BIN("mm_test_client"),
	                "100M",
	                "50M",
	                "300M",
	                "--tot",
	                "1G",
	                "-n",
	                "10",
	                "-i",
	                "1",
	                NULL};
	const int want_mib[] = {100, 150, 200, 250, 300, 250, 200, 150, 100, 150};
	struct tp_proc *p = start(argv);
	char *line, *save = NULL;
	int n = 0;

	(void)state;
	assert_int_equal(tp_finish(p, 5000), 0);
	for (line = strtok_r(p->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mm_report r;
		struct mm_report_error e;
		assert_int_equal(mm_report_parse(line, strlen(line), &r, &e), 0);
		assert_true(n < 10);
		assert_int_equal(r.seq, n + 1);
		assert_int_equal(r.tot_kib, 1048576);
		assert_int_equal(mm_report_used_kib(&r), (uint64_t)want_mib[n] * 1024);
		n++;
	}
	assert_int_equal(n, 10);
	free(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_util_swap_fake_proc(void **state)
{
	char dir[] = "/tmp/mm_util_swap_XXXXXX", path[128], log[128], buf[1024];
	char *argv[] = {BIN("mm_util_swap"), "--proc", dir, "-n", "2", "-i", "1", log, NULL};
	struct tp_proc *p;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	write_file(path, "MemTotal: 1000 kB\nSwapTotal:  1048572 kB\nSwapFree:  1000000 kB\n");
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	write_file(path, "pswpin 17\npswpout 42\npswpoutx 9\n");
	snprintf(log, sizeof(log), "%s/swap.log", dir);
	p = start(argv);
	assert_int_equal(tp_finish(p, 5000), 0);
	assert_non_null(f = fopen(log, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "swap_total_kib=1048572 swap_used_kib=48572 pswpin=17 "
	                            "pswpout=42\n"));
	assert_non_null(strstr(strchr(buf, '\n') + 1, "swap_used_kib=48572"));
	unlink(log);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	unlink(path);
	rmdir(dir);
	free(p);
}

/* With a PSI file the line carries the pressure averages. */
static void test_util_swap_psi(void **state)
{
	char dir[] = "/tmp/mm_util_swap_XXXXXX", path[160], log[128], buf[1024];
	char *argv[] = {BIN("mm_util_swap"), "--proc", dir, "-n", "1", log, NULL};
	struct tp_proc *p;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	write_file(path, "SwapTotal:  2000 kB\nSwapFree:  1500 kB\n");
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	write_file(path, "pswpin 1\npswpout 2\n");
	snprintf(path, sizeof(path), "%s/pressure", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/pressure/memory", dir);
	write_file(path, "some avg10=12.50 avg60=3.00 avg300=1.00 total=123\n"
	                 "full avg10=4.25 avg60=1.00 avg300=0.50 total=45\n");
	snprintf(log, sizeof(log), "%s/swap.log", dir);
	p = start(argv);
	assert_int_equal(tp_finish(p, 5000), 0);
	assert_non_null(f = fopen(log, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "swap_used_kib=500 pswpin=1 pswpout=2 psi_some10=12.50 "
	                            "psi_full10=4.25\n"));
	unlink(log);
	unlink(path);
	snprintf(path, sizeof(path), "%s/pressure", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	unlink(path);
	rmdir(dir);
	free(p);
}

struct usage_case {
	const char *prog, *a1, *a2;
	int rc;
	const char *msg; /* expected in stderr (or stdout for rc 0) */
};

static const struct usage_case usage_cases[] = {
    {"mm_test_mono", "--help", NULL, 0, "Usage:"},
    {"mm_test_mono", "150", "300M", 2, "add a suffix"},
    {"mm_test_mono", "300M", "100M", 2, "LOW must not exceed HIGH"},
    {"mm_test_mono", "1X", "2G", 2, "unknown suffix"},
    {"mm_test_static", "--help", NULL, 0, "Usage:"},
    {"mm_test_static", "5Q", NULL, 2, "unknown suffix"},
    {"mm_test_static", "-5M", NULL, 2, "invalid option"},
    {"mm_test_random", "--help", NULL, 0, "Usage:"},
    {"mm_test_random", "1M", NULL, 2, "Usage:"},
    {"mm_test_client", "--help", NULL, 0, "Usage:"},
    {"mm_test_client", "100M", "0M", 2, "Usage:"},
    {"mm_util_swap", "--help", NULL, 0, "Usage:"},
    {"mm_util_swap", "-i", "0", 2, "too small"},
};

static void test_usage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(usage_cases) / sizeof(usage_cases[0]); i++) {
		const struct usage_case *c = &usage_cases[i];
		char path[512], a1[64], a2[64];
		char *argv[] = {path, a1, c->a2 ? a2 : NULL, NULL};
		struct tp_proc *p;
		int rc;
		snprintf(path, sizeof(path), "%s/testprogs/%s", MM_BINARY_DIR, c->prog);
		snprintf(a1, sizeof(a1), "%s", c->a1);
		snprintf(a2, sizeof(a2), "%s", c->a2 ? c->a2 : "");
		p = start(argv);
		rc = tp_finish(p, 5000);
		if (rc != c->rc || !strstr(c->rc ? p->err : p->out, c->msg))
			fail_msg("%s %s: rc %d, stderr: %s", c->prog, c->a1, rc, p->err);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_static_resident_resize_quit),
	    cmocka_unit_test(test_mono_ramp),
	    cmocka_unit_test(test_random_range_and_sigterm),
	    cmocka_unit_test(test_client_triangle),
	    cmocka_unit_test(test_util_swap_fake_proc),
	    cmocka_unit_test(test_util_swap_psi),
	    cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
