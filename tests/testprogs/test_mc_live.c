/* mm_bench_mc against a real memcached (Debian's), started here on a free
 * loopback port and always killed afterwards: fill and read back, a get/set
 * mix, a server that hangs up, a wrong port, and the coordinated-omission
 * check (SIGSTOP the server for 200 ms during an open-loop run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_mc_memcached.h"
#include "tp_spawn.h"

/* Runs first, on a fresh server: every key is stored (memcached counts
 * them) and read back with a hit ratio of exactly 1. */
static void test_fill_then_read(void **state)
{
	struct run *r;

	(void)state;
	r = bench(server, "--keys 5000 -g 1 -c 4 -d 4 -t 2 --warmup 0 --cooldown 0 -q");
	assert_int_equal(r->rc, 0);
	assert_non_null(strstr(r->out, "fill keys=5000 stored=5000 errors=0"));
	assert_true(kv(r->summary, "hit_ratio") == 1.0);
	assert_true(kv(r->summary, "ops") > 1000);
	/* Measured from second 0 (no warm-up): the first requests of each
	 * connection count from when they went out, not from the clock's 0
	 * (that bug showed as max_us=1099511627, the histogram's ceiling). */
	assert_true(kv(r->summary, "max_us") < 3e6);
	assert_true(kv(r->summary, "sets") == 0);
	assert_true(kv(r->summary, "errors") == 0);
	assert_true(mc_stat("curr_items") == 5000);
	free(r);
}

/* A 50/50 mix with the meta protocol from two processes: the mix holds,
 * every get hits, and memcached's own counters agree. */
static void test_set_get_mix(void **state)
{
	double get0 = mc_stat("cmd_get"), hit0 = mc_stat("get_hits"), set0 = mc_stat("cmd_set");
	double gets, sets, dget, dset;
	struct run *r;

	(void)state;
	r = bench(server, "--keys 20000 -g 0.5 --protocol meta -P 2 -c 4 -d 4 -t 3 --warmup 1 "
	                  "--cooldown 0 -q --seed 5");
	assert_int_equal(r->rc, 0);
	gets = kv(r->summary, "gets");
	sets = kv(r->summary, "sets");
	assert_true(gets + sets > 1000);
	assert_true(gets / (gets + sets) > 0.45 && gets / (gets + sets) < 0.55);
	assert_true(kv(r->summary, "hit_ratio") == 1.0);
	dget = mc_stat("cmd_get") - get0;
	dset = mc_stat("cmd_set") - set0;
	assert_true(dget == mc_stat("get_hits") - hit0); /* the referee saw no miss */
	assert_true(dget >= gets);                       /* window <= whole run */
	assert_true(dset >= 20000 + sets);               /* fill + run */
	free(r);
}

/* A server that accepts, reads, and hangs up: the run still ends on time,
 * counts the losses, and exits 3 (completed with errors). */
static void test_server_closes(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	char srv[64];
	uint64_t t0;
	pid_t pid;
	struct run *r;

	(void)state;
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	getsockname(lfd, (struct sockaddr *)&a, &len);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			char buf[256];
			int fd = accept(lfd, NULL, NULL);
			if (fd >= 0 && read(fd, buf, sizeof(buf)) >= 0)
				close(fd);
		}
	}
	close(lfd);
	snprintf(srv, sizeof(srv), "127.0.0.1:%d", ntohs(a.sin_port));
	t0 = tp_now_ms();
	r = bench(srv, "--no-fill -c 2 -t 2 --warmup 0 --cooldown 0 -q");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(r->rc, 3);
	assert_true(kv(r->summary, "closed") >= 2);
	assert_true(kv(r->summary, "failed") >= 1);
	assert_true(tp_now_ms() - t0 < 6000);
	free(r);
}

static void test_wrong_port(void **state)
{
	char srv[64], want[160];
	struct run *r;

	(void)state;
	snprintf(srv, sizeof(srv), "127.0.0.1:%d", tp_free_port());
	r = bench(srv, "-t 3");
	assert_int_equal(r->rc, 1);
	snprintf(want, sizeof(want), "addr=%s: Connection refused", srv);
	assert_non_null(strstr(r->err, want));
	assert_null(strstr(r->out, "summary"));
	free(r);
}

static void test_remote_refused(void **state)
{
	struct run *r;

	(void)state;
	r = bench("192.0.2.1:11211", "-t 3"); /* TEST-NET-1: never contacted */
	assert_int_equal(r->rc, 1);
	assert_non_null(strstr(r->err, "--allow-remote"));
	free(r);
}

/* Coordinated omission: at a fixed 5000 requests/s, the server is frozen
 * (SIGSTOP) for about 200 ms inside the measured window. A tool that
 * waits for replies before sending would hide this; measured from the due
 * times, p99.9 must show the stall and the requests delayed past 20 ms must
 * number rate x (stall - 20 ms) (-20 % .. +50 %). The 20 ms threshold keeps
 * scheduler noise of a busy 2-core machine (a few ms) out of the count:
 * with 5 ms, a CI run counted 1213 against 1000 expected.
 * What the stall must cause (lower bounds) is asserted on every attempt;
 * the upper bounds can also be broken by the machine freezing the client
 * or memcached on its own (at a load average of 10 on 2 CPUs: 1.02 to
 * 1.4 times the formula, once 4.8 times), so an attempt that breaks only
 * those is made again, up to 3 times: a client that over-counts breaks
 * them every time. */
static bool co_attempt(const char *extra)
{
	const double rate = 5000;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000000L};
	struct tp_proc *p;
	struct run *r = calloc(1, sizeof(*r));
	char line[512], args[512];
	double stall_ms, expect, delayed, p999_ms;
	uint64_t t_stop, t_cont;
	bool tight;

	assert_non_null(r);
	snprintf(args, sizeof(args),
	         "--no-fill -r 5000 --schedule fixed -c 8 -d 8 -t 4 --warmup 1 --cooldown 1 "
	         "--delay-us 20000 --late-us 5000 %s",
	         extra);
	p = bench_start(server, args);
	/* "sec=0" is printed once second 1 (the first measured one) has begun. */
	assert_true(tp_wait_line(p, "sec=0 ", 10000, line, sizeof(line)));
	t_stop = tp_now_ms();
	kill(mc_pid, SIGSTOP);
	nanosleep(&ts, NULL);
	kill(mc_pid, SIGCONT);
	t_cont = tp_now_ms();
	wait_summary(p, r);
	free(p);
	assert_int_equal(r->rc, 0);
	stall_ms = (double)(t_cont - t_stop);
	expect = rate * (stall_ms - 20.0) / 1000.0;
	delayed = kv(r->summary, "delayed");
	p999_ms = kv(r->summary, "p999_us") / 1000.0;
	fprintf(stderr, "stall_ms=%.0f expect_delayed=%.0f delayed=%.0f p999_ms=%.1f late=%.0f\n",
	        stall_ms, expect, delayed, p999_ms, kv(r->summary, "late"));
	/* the summary says which grid the sends were on (its wait is in the
	 * latency from due): the one --batch-us asked for */
	assert_non_null(strstr(r->summary, " grid_us="));
	assert_true(kv(r->summary, "grid_us") == strtod(strrchr(extra, ' ') + 1, NULL));
	assert_true(delayed > 0.8 * expect);
	assert_true(p999_ms > 0.75 * stall_ms);
	assert_true(kv(r->summary, "max_us") / 1000.0 > 0.9 * stall_ms);
	/* Only 8 x 8 requests fit in flight: the rest were sent late, and
	 * still counted from their due time. */
	assert_true(kv(r->summary, "late") > 0.5 * expect);
	/* The stall costs no requests: the achieved rate is still the target. */
	tight = delayed < 1.5 * expect && p999_ms < stall_ms + 50 &&
	        kv(r->summary, "achieved_ops_s") > 0.97 * rate;
	free(r);
	return tight;
}

static void coordinated_omission(const char *extra)
{
	int attempt = 0;

	while (!co_attempt(extra))
		if (++attempt == 3)
			fail_msg("3 attempts over the upper bounds: the client over-counts");
}

/* Each arrival sent at its own time (--batch-us 0); replies still wait
 * in the sockets up to --coalesce-us, timed by the kernel's stamps. */
static void test_coordinated_omission(void **state)
{
	(void)state;
	coordinated_omission("--batch-us 0");
}

/* The same with sends and reads on a 250 us grid (--batch-us; the default
 * grid at 5000/s would be 750 us): replies are timed by the kernel's
 * receive stamps, so the stall is measured just as well though the loop
 * looks at the sockets only on the grid. (A coarse grid drains the backlog
 * more slowly, 64 requests per grid point, which rightly adds delayed
 * replies: with 1 ms, 10-50 % more than the formula.) */
static void test_coordinated_omission_batched(void **state)
{
	(void)state;
	coordinated_omission("--batch-us 250");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fill_then_read),
	    cmocka_unit_test(test_set_get_mix),
	    cmocka_unit_test(test_coordinated_omission),
	    cmocka_unit_test(test_coordinated_omission_batched),
	    cmocka_unit_test(test_server_closes),
	    cmocka_unit_test(test_wrong_port),
	    cmocka_unit_test(test_remote_refused),
	};
	return cmocka_run_group_tests(tests, start_memcached, stop_memcached);
}
