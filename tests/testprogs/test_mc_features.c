/* mm_bench_mc's monitor, --auto, live control, Zipf keys and value-size
 * lists, against a real memcached (Debian's) on a free loopback port, with
 * memcached's own stats as the referee. No timing asserts: the checks use
 * counts that are exact (per-second arrival counts, hit ratios over many
 * requests) or bounds a loaded machine cannot break. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "test_mc_memcached.h"
#include "tp_spawn.h"

static long long wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/* A typo on line 3 is found before set 1 runs: exit 2, the line named,
 * and memcached saw no request at all. */
static void test_auto_checked_whole(void **state)
{
	char path[] = "/tmp/mc_auto_XXXXXX", args[256];
	double get0 = mc_stat("cmd_get"), set0 = mc_stat("cmd_set");
	int fd = mkstemp(path);
	struct run *r;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "-c 2 -t 2 --warmup 0 --cooldown 0\n# a comment\n"
	                 "-c 2 -t 2 --warmup 0 --cooldown 0 --rate 10x\n");
	snprintf(args, sizeof(args), "-k 100 -q --auto %s", path);
	r = bench(server, args);
	unlink(path);
	assert_int_equal(r->rc, 2);
	assert_non_null(strstr(r->err, ":3: bad set 2 (nothing was run)"));
	assert_non_null(strstr(r->err, "--rate '10x'"));
	assert_null(strstr(r->out, "auto set="));
	assert_true(mc_stat("cmd_get") == get0 && mc_stat("cmd_set") == set0);
	free(r);
}

/* Two sets run in turn and land in one table whose rows are their
 * summaries; the open-loop set's count is exact (fixed per second). */
static void test_auto_table(void **state)
{
	char path[] = "/tmp/mc_auto_XXXXXX", args[256], *row;
	int fd = mkstemp(path);
	struct run *r;
	double a1, a2;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "-c 2 -t 2 --warmup 0 --cooldown 0\n"
	                 "-c 2 -t 3 --warmup 1 --cooldown 0 -r 500 --schedule fixed\n");
	snprintf(args, sizeof(args), "-k 100 -q --auto %s", path);
	r = bench(server, args);
	unlink(path);
	assert_int_equal(r->rc, 0);
	assert_int_equal(count_lines(r->out, "summary "), 2);
	assert_int_equal(count_lines(r->out, "table "), 3); /* header and two rows */
	assert_non_null(strstr(r->out, "table  set  target_ops_s  achieved_ops_s"));
	row = strstr(r->out, "table    1 ");
	assert_non_null(row);
	assert_non_null(strstr(row, " max "));
	a1 = kv(strstr(r->out, "summary set=1"), "achieved_ops_s");
	a2 = kv(strstr(r->out, "summary set=2"), "achieved_ops_s");
	assert_true(a1 > 0);
	/* 2 measured seconds of exactly 500 arrivals; replies counted when they
	 * come, so a stalled machine may move a few across the window's edge */
	assert_true(fabs(a2 - 500.0) < 25);
	/* the schedule's own count over the window is exact */
	assert_true(kv(strstr(r->out, "summary set=2"), "due") == 1000);
	row = strstr(r->out, "table    2 ");
	assert_non_null(row);
	assert_true(strstr(row, " 500 ") && strstr(row, " 500.0 "));
	free(r);
}

static int console_connect(struct tp_proc *p)
{
	char line[256];
	double port;
	int fd;

	assert_true(tp_wait_line(p, "control port=", 10000, line, sizeof(line)));
	assert_true(tp_kv(line, "port", &port));
	fd = connect_port((int)port);
	assert_true(fd >= 0);
	return fd;
}

/* Sends one command and returns the reply line. */
static const char *console_cmd(int fd, const char *cmd)
{
	static char buf[2048];
	size_t len = 0;

	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	assert_int_equal(write(fd, "\n", 1), 1);
	while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);
		assert_true(r > 0);
		len += (size_t)r;
	}
	buf[len] = '\0';
	fprintf(stderr, "console %s -> %s", cmd, buf);
	return buf;
}

/* The line of the first second after the one in 'after' (sec=N). */
static void next_sec_line(struct tp_proc *p, char *line, size_t cap)
{
	assert_true(tp_wait_line(p, " phase=", 10000, line, cap));
}

/* Live control over the loopback console: add connections (memcached
 * counts them), change the rate (the next whole second has exactly the new
 * count due), pause (a whole second with nothing due or sent), resume,
 * status, a refused command, and stop. Each change shows in the lines and
 * in the record's events column. */
static void test_control_console(void **state)
{
	char rec[] = "/tmp/mc_rec_XXXXXX", args[256], line[1024];
	int rfd = mkstemp(rec), fd;
	long long w0 = wall_ms(), w1;
	double conns0;
	struct tp_proc *p;
	struct run *r = calloc(1, sizeof(*r));
	const char *reply, *text;

	(void)state;
	assert_true(rfd >= 0 && r);
	close(rfd);
	snprintf(args, sizeof(args),
	         "--no-fill -k 100 -c 2 -r 1000 -t 60 --warmup 0 --cooldown 0 --control 0 "
	         "--record %s",
	         rec);
	p = bench_start(server, args);
	fd = console_connect(p);
	next_sec_line(p, line, sizeof(line));
	conns0 = mc_stat("curr_connections");
	reply = console_cmd(fd, "add 3");
	assert_non_null(strstr(reply, "result=ok"));
	assert_true(kv(reply, "conns") == 5);
	reply = console_cmd(fd, "rate 3000");
	assert_true(kv(reply, "rate_ops_s") == 3000);
	/* the second after the change's second is whole at the new rate */
	next_sec_line(p, line, sizeof(line));
	next_sec_line(p, line, sizeof(line));
	assert_true(kv(line, "due") == 3000);
	assert_true(kv(line, "conns") == 5);
	assert_true(mc_stat("curr_connections") == conns0 + 3);
	reply = console_cmd(fd, "pause");
	assert_true(kv(reply, "paused") == 1);
	next_sec_line(p, line, sizeof(line));
	next_sec_line(p, line, sizeof(line));
	assert_true(kv(line, "paused") == 1 && kv(line, "due") == 0 && kv(line, "ops_s") == 0);
	reply = console_cmd(fd, "resume");
	assert_true(kv(reply, "paused") == 0);
	reply = console_cmd(fd, "remove 4");
	assert_non_null(strstr(reply, "result=ok"));
	assert_true(kv(reply, "conns") == 1);
	reply = console_cmd(fd, "rate -5");
	assert_non_null(
	    strstr(reply, "result=error why=\"rate: '-5' is not a whole number of requests/s\""));
	/* bytes a client sent come back escaped, never raw */
	reply = console_cmd(fd, "pau\"se\x7f\x01");
	assert_non_null(strstr(reply, "cmd=\"pau?se??\" result=error"));
	next_sec_line(p, line, sizeof(line));
	next_sec_line(p, line, sizeof(line));
	assert_true(kv(line, "due") == 3000 && kv(line, "paused") == 0);
	reply = console_cmd(fd, "status");
	assert_non_null(strstr(reply, "last=\"sec="));
	console_cmd(fd, "stop");
	close(fd);
	wait_summary(p, r);
	free(p);
	w1 = wall_ms();
	assert_int_equal(r->rc, 0);
	assert_true(kv(r->summary, "stopped") == 1);
	assert_true(kv(r->summary, "errors") == 0 && kv(r->summary, "failed") == 0);
	/* the lines carry the events and the record has them too */
	assert_non_null(strstr(r->out, "events=\"add 3;rate 3000\""));
	assert_non_null(strstr(r->out, "control sec="));
	text = read_file(rec);
	unlink(rec);
	assert_non_null(strstr(text, "\tunix_ms\t"));
	assert_non_null(strstr(text, "\tadd 3;rate 3000\n"));
	assert_non_null(strstr(text, "\tpause\n"));
	assert_non_null(strstr(text, "\tresume;remove 4\n"));
	/* every row's wall clock lies inside the run */
	for (const char *row = strchr(text, '\n') + 1; *row; row = strchr(row, '\n') + 1) {
		long long ms = strtoll(strchr(strchr(row, '\t') + 1, '\t') + 1, NULL, 10);
		assert_true(ms >= w0 && ms <= w1 + 1000);
	}
	free(r);
}

/* stdin is a console too: "stop" ends a 60 s run at once. */
static void test_control_stdin(void **state)
{
	struct tp_proc *p = bench_start(server, "--no-fill -k 100 -c 1 -t 60 --warmup 0 "
	                                        "--cooldown 0 --control stdin");
	struct run *r = calloc(1, sizeof(*r));
	char line[1024];

	(void)state;
	assert_non_null(r);
	next_sec_line(p, line, sizeof(line));
	assert_int_equal(write(p->in_fd, "stop\n", 5), 5);
	wait_summary(p, r);
	free(p);
	assert_int_equal(r->rc, 0);
	assert_true(kv(r->summary, "stopped") == 1);
	assert_non_null(strstr(r->out, "cmd=\"stop\" result=ok"));
	free(r);
}

/* The monitor beside an open-loop load of exactly 2000 requests/s: its
 * per-second rates (from memcached's stats) see that load, its probes
 * answer, its lines and record carry the wall clock, and --showavg adds
 * averages. memcached's counters over the whole time bound its sums. */
static void test_monitor(void **state)
{
	char rec[] = "/tmp/mc_mon_XXXXXX", cmd[512], *text;
	int rfd = mkstemp(rec);
	struct tp_proc *load, *mon;
	struct run *lr = calloc(1, sizeof(*lr));
	char line[2048];
	double get0 = mc_stat("cmd_get"), set0 = mc_stat("cmd_set"), sum = 0;
	long long w0 = wall_ms();
	int rc;

	(void)state;
	assert_true(rfd >= 0 && lr);
	close(rfd);
	load = bench_start(server, "--no-fill -k 100 -c 2 -r 2000 --schedule fixed -t 6 "
	                           "--warmup 0 --cooldown 0 -q");
	usleep(1200 * 1000); /* the load is under way */
	snprintf(cmd, sizeof(cmd), "%s monitor %s -t 3 --showavg --record %s --width 20", BENCH,
	         server, rec);
	mon = spawn_words(cmd);
	for (int s = 0; s < 3; s++) {
		assert_true(tp_wait_line(mon, "mon sec=", 10000, line, sizeof(line)));
		double ops = kv(line, "gets_s") + kv(line, "sets_s");
		sum += ops;
		fprintf(stderr, "%s\n", line);
		/* 2000/s from the load (+/- a second boundary), plus 1/s of stats */
		assert_true(ops > 1000 && ops < 3500);
		assert_true(kv(line, "probes") >= 1 && kv(line, "probe_errors") == 0);
		assert_true(kv(line, "conns") >= 4); /* the load's 2 and the monitor's 2 */
		assert_true(kv(line, "unix_ms") >= w0);
		assert_non_null(strstr(line, " avg_gets_s="));
	}
	assert_true(tp_wait_line(mon, "mon_summary ", 10000, line, sizeof(line)));
	assert_true(kv(line, "probes") >= 3);
	rc = tp_finish(mon, 10000);
	assert_int_equal(rc, 0);
	assert_int_equal(count_lines(mon->out, "chart "), 3);
	free(mon);
	wait_summary(load, lr);
	free(load);
	assert_int_equal(lr->rc, 0);
	/* referee: memcached's counters over the whole time hold the 3 s */
	assert_true(sum <= mc_stat("cmd_get") - get0 + mc_stat("cmd_set") - set0);
	text = read_file(rec);
	unlink(rec);
	assert_int_equal(strncmp(text, "sec\tunix_ms\tgets_s\t", 19), 0);
	assert_int_equal(count_lines(text, ""), 4); /* header + 3 rows */
	free(lr);
}

static void test_monitor_errors(void **state)
{
	char cmd[256];
	struct tp_proc *p;
	int rc;

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s monitor 127.0.0.1:%d -t 2", BENCH, tp_free_port());
	p = spawn_words(cmd);
	rc = tp_finish(p, 10000);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(p->err, "error=connect"));
	free(p);
	snprintf(cmd, sizeof(cmd), "%s monitor 192.0.2.1:11211 -t 2", BENCH);
	p = spawn_words(cmd);
	assert_int_equal(tp_finish(p, 10000), 1);
	assert_non_null(strstr(p->err, "--allow-remote"));
	free(p);
	snprintf(cmd, sizeof(cmd), "%s monitor %s --probe-ms 5", BENCH, server);
	p = spawn_words(cmd);
	assert_int_equal(tp_finish(p, 10000), 2);
	free(p);
}

/* Zipf popularity, refereed by memcached: only the 10 most popular keys
 * (0..9) are stored, so the share of gets that hit is P(rank <= 10) =
 * H(10, s) / H(1000, s); uniform keys would give 1 %. */
static void test_zipf_hits(void **state)
{
	double get0, hit0, gets, hits, want = 0, h = 0;
	struct run *r;

	(void)state;
	r = bench(server, "-k 10 --key-size 21 -t 0");
	assert_int_equal(r->rc, 0);
	free(r);
	for (int k = 1; k <= 1000; k++) {
		h += pow(k, -1.2);
		if (k == 10)
			want = h;
	}
	want /= h;
	get0 = mc_stat("cmd_get");
	hit0 = mc_stat("get_hits");
	r = bench(server, "--no-fill -k 1000 --key-size 21 -g 1 --zipf 1.2 -c 2 -d 4 -t 2 "
	                  "--warmup 0 --cooldown 0 -q --seed 3");
	assert_int_equal(r->rc, 0);
	gets = mc_stat("cmd_get") - get0;
	hits = mc_stat("get_hits") - hit0;
	fprintf(stderr, "zipf gets=%.0f hit_share=%.4f want=%.4f\n", gets, hits / gets, want);
	assert_true(gets > 2000);
	assert_true(fabs(hits / gets - want) < 5 * sqrt(want * (1 - want) / gets) + 0.002);
	assert_true(fabs(kv(r->summary, "hit_ratio") - want) < 0.02);
	free(r);
}

/* A weighted value-size list, refereed by memcached: over many sets the
 * bytes it read per set are the list's mean value (550) plus the request
 * header and CRLFs. */
static void test_value_sizes(void **state)
{
	double set0 = mc_stat("cmd_set"), rd0 = mc_stat("bytes_read"), sets, per_set;
	/* "set " + 16-byte key + " 0 0 " + 3 or 4 digits + CRLF + CRLF */
	const double header = 4 + 16 + 5 + 3.5 + 2 + 2;
	struct run *r;

	(void)state;
	r = bench(server, "--no-fill -k 1000 -g 0 -v 100:1,1000:1 -c 2 -d 4 -t 2 --warmup 0 "
	                  "--cooldown 0 -q --seed 9");
	assert_int_equal(r->rc, 0);
	sets = mc_stat("cmd_set") - set0;
	per_set = (mc_stat("bytes_read") - rd0 - 7 * 3) / sets; /* 3 "stats\r\n" */
	fprintf(stderr, "value list sets=%.0f bytes_per_set=%.1f want=%.1f\n", sets, per_set,
	        550 + header);
	assert_true(sets > 2000);
	/* sd of one size is 450 B: 5 sigma of the mean, and the digits' 0.5 */
	assert_true(fabs(per_set - (550 + header)) < 5 * 450 / sqrt(sets) + 1);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auto_checked_whole),
	    cmocka_unit_test(test_auto_table),
	    cmocka_unit_test(test_control_console),
	    cmocka_unit_test(test_control_stdin),
	    cmocka_unit_test(test_monitor),
	    cmocka_unit_test(test_monitor_errors),
	    cmocka_unit_test(test_zipf_hits),
	    cmocka_unit_test(test_value_sizes),
	};
	return cmocka_run_group_tests(tests, start_memcached, stop_memcached);
}
