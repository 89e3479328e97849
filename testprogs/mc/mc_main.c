/* mm_bench_mc: parses options, checks a whole --auto file before anything
 * runs, fills the key space, and hands each parameter set to mc_run; the
 * "monitor" subcommand is mc_monitor's. Output formats are mc_report's. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mc_console.h"
#include "mc_engine.h"
#include "mc_monitor.h"
#include "mc_report.h"
#include "mc_run.h"
#include "mm_tp.h"

#define NS_PER_MS   UINT64_C(1000000)
#define DRAIN_NS    (1000 * NS_PER_MS)
#define AUTO_MAX    1000 /* parameter sets in one --auto file */
#define AUTO_LINE_B 1024

/* Stores every key once, from this process; 0 or MC_EXIT_RUN. */
static int fill(const struct mc_opts *o, const struct mc_addr *addr)
{
	struct mc_opts fo = *o;
	struct mc_engine_result res;
	struct mc_engine_cfg cfg = {.o = &fo,
	                            .addr = addr,
	                            .mode = MC_MODE_FILL,
	                            .nconns = o->conns < 8 ? o->conns : 8,
	                            .seed = o->seed,
	                            .key_from = 0,
	                            .key_step = 1,
	                            .tick_fd = -1,
	                            .ctl_fd = -1,
	                            .drain_ns = DRAIN_NS};
	double secs;

	fo.depth = o->depth > 32 ? o->depth : 32; /* a fill is throughput, not latency */
	cfg.t0_ns = mc_now_ns();
	cfg.end_ns = cfg.t0_ns + (uint64_t)o->fill_timeout_s * 1000 * NS_PER_MS;
	if (mc_engine_run(&cfg, &res, stderr))
		return MC_EXIT_RUN;
	secs = (double)res.elapsed_ns / 1e9;
	printf("fill keys=%llu stored=%llu errors=%llu secs=%.3f ops_s=%.0f\n",
	       (unsigned long long)o->keys, (unsigned long long)res.total.stored,
	       (unsigned long long)(res.total.errors + res.total.failed + res.total.not_stored),
	       secs, secs > 0 ? (double)res.total.stored / secs : 0.0);
	fflush(stdout);
	if (res.total.stored != o->keys) {
		fprintf(stderr, "mm_bench_mc: error=fill stored=%llu of keys=%llu%s\n",
		        (unsigned long long)res.total.stored, (unsigned long long)o->keys,
		        mm_tp_stop ? " (stopped)" : "");
		return MC_EXIT_RUN;
	}
	return MC_EXIT_OK;
}

/* One parameter set: check the server answers, fill, run. */
static int run_one(const struct mc_opts *o, unsigned set_index, FILE *record,
                   struct mc_console *console, struct mc_result *res)
{
	struct mc_addr addr;
	struct mc_conn probe;
	int rc;

	memset(res, 0, sizeof(*res));
	res->set_index = set_index;
	res->target_ops_s = o->rate_per_s;
	res->hit_ratio = -1;
	res->rc = MC_EXIT_RUN;
	if (mc_addr_resolve(o->host, o->port, o->allow_remote, &addr, stderr))
		return MC_EXIT_RUN;
	if (mc_conn_init(&probe, 1, 64))
		return MC_EXIT_RUN;
	rc = mc_conn_connect_wait(&probe, &addr, 2000);
	mc_conn_dispose(&probe);
	if (rc) {
		fprintf(stderr, "mm_bench_mc: error=connect addr=%s: %s%s\n", addr.text,
		        strerror(-rc), rc == -ECONNREFUSED ? " (is memcached running there?)" : "");
		return MC_EXIT_RUN;
	}
	if (o->fill && (rc = fill(o, &addr)))
		return rc;
	res->rc = MC_EXIT_OK;
	if (o->duration_s == 0 || mm_tp_stop)
		return MC_EXIT_OK;
	return mc_run_load(o, &addr, set_index, record, console, res);
}

/* Options an --auto line may not carry: they belong to the whole run. */
static int auto_line_ok(const struct mc_opts *base, const struct mc_opts *o, FILE *err)
{
	const char *what = strcmp(o->auto_file, base->auto_file) ? "--auto"
	                   : strcmp(o->record, base->record)     ? "--record"
	                   : strcmp(o->control, base->control)   ? "--control"
	                                                         : NULL;

	if (what)
		fprintf(err, "mm_bench_mc: %s is for the command line, not an --auto line\n", what);
	return what ? -EINVAL : 0;
}

/* Reads and checks every set of an --auto file before any runs: each
 * non-empty, non-comment line is options applied on top of the command
 * line. Returns the number of sets, or -1 after saying which line is bad. */
static int auto_load(const struct mc_opts *base, struct mc_opts **sets, char (**lines)[AUTO_LINE_B])
{
	FILE *f = fopen(base->auto_file, "r");
	char line[AUTO_LINE_B + 2];
	unsigned lineno = 0;
	int n = 0;

	*sets = calloc(AUTO_MAX, sizeof(**sets));
	*lines = calloc(AUTO_MAX, sizeof(**lines));
	if (!f || !*sets || !*lines) {
		fprintf(stderr, "mm_bench_mc: --auto %s: %s\n", base->auto_file, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct mc_opts *o = &(*sets)[n];
		struct mc_addr addr;
		size_t skip;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "mm_bench_mc: --auto %s:%u: line longer than %d bytes\n",
			        base->auto_file, lineno, AUTO_LINE_B);
			n = -1;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		skip = strspn(line, " \t");
		if (line[skip] == '\0' || line[skip] == '#')
			continue;
		if (n == AUTO_MAX) {
			fprintf(stderr, "mm_bench_mc: --auto %s: more than %d sets\n",
			        base->auto_file, AUTO_MAX);
			n = -1;
			break;
		}
		*o = *base;
		if (mc_opts_parse_line(o, line + skip, stderr) || auto_line_ok(base, o, stderr) ||
		    mc_opts_finish(o, stderr) ||
		    mc_addr_resolve(o->host, o->port, o->allow_remote, &addr, stderr)) {
			fprintf(stderr,
			        "mm_bench_mc: --auto %s:%u: bad set %d (nothing was run): %s\n",
			        base->auto_file, lineno, n + 1, line + skip);
			n = -1;
			break;
		}
		snprintf((*lines)[n], AUTO_LINE_B, "%s", line + skip);
		n++;
	}
	fclose(f);
	if (n == 0)
		fprintf(stderr, "mm_bench_mc: --auto %s: no parameter sets\n", base->auto_file);
	return n > 0 ? n : -1;
}

/* --auto: runs every set in turn, then prints one table of all summaries.
 * Returns the worst exit code. */
static int run_auto(const struct mc_opts *base, FILE *record, struct mc_console *console)
{
	struct mc_opts *sets = NULL;
	char(*lines)[AUTO_LINE_B] = NULL;
	struct mc_result *res = NULL;
	int n = auto_load(base, &sets, &lines), worst = MC_EXIT_OK, ran = 0;

	if (n > 0 && !(res = calloc((size_t)n, sizeof(*res))))
		n = -1;
	for (int i = 0; i < n && !mm_tp_stop; i++, ran++) {
		int rc;
		printf("auto set=%d of=%d args=\"%s\"\n", i + 1, n, lines[i]);
		rc = run_one(&sets[i], (unsigned)i + 1, record, console, &res[i]);
		if (rc > worst)
			worst = rc;
	}
	if (n > 0)
		mc_results_table(stdout, res, (size_t)ran);
	free(sets);
	free(lines);
	free(res);
	return n < 0 ? MC_EXIT_USAGE : worst;
}

int main(int argc, char **argv)
{
	struct mc_opts o;
	struct mc_console console, *con = NULL;
	struct mc_result res;
	FILE *record = NULL;
	int rc;

	if (argc > 1 && strcmp(argv[1], "monitor") == 0)
		return mc_monitor_main(argc - 1, argv + 1);
	mc_opts_defaults(&o);
	rc = mc_opts_parse(&o, argc, argv, stderr);
	if (rc)
		return rc > 0 ? MC_EXIT_OK : MC_EXIT_USAGE;
	if (!o.auto_file[0] && mc_opts_finish(&o, stderr))
		return MC_EXIT_USAGE;
	mm_tp_signals_install();
	signal(SIGPIPE, SIG_IGN);
	if (o.control[0]) {
		if (mc_console_open(&console, o.control, stderr))
			return MC_EXIT_USAGE;
		con = &console;
		if (console.listen_fd >= 0)
			printf("control port=%u\n", (unsigned)console.port);
		fflush(stdout);
	}
	if (o.record[0]) {
		if (!(record = fopen(o.record, "w"))) {
			fprintf(stderr, "mm_bench_mc: --record %s: %s\n", o.record,
			        strerror(errno));
			return MC_EXIT_USAGE;
		}
		mc_record_header(record);
	}
	rc = o.auto_file[0] ? run_auto(&o, record, con) : run_one(&o, 0, record, con, &res);
	if (record)
		fclose(record);
	if (con)
		mc_console_close(con);
	return rc;
}
