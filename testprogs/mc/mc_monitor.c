/* The monitor loop (see mc_monitor.h). Two connections: one for "stats"
 * once a second, one for the probe (a get of a key nobody stores, so the
 * answer is the server's cheapest round trip, "END"). A probe that gets no
 * answer within a second counts as a probe error and its connection is
 * made again. Time lines are the wall clock at the end of each second. */
#include "mc_monitor.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mc_conn.h"
#include "mc_engine.h"
#include "mc_hist.h"
#include "mc_monstat.h"
#include "mc_opts.h"
#include "mm_parse.h"
#include "mm_tp.h"

#define NS_PER_MS  UINT64_C(1000000)
#define NS_PER_S   UINT64_C(1000000000)
#define IO_TIMEOUT 1000 /* ms: a reply later than this is an error */
#define REPLY_MAX  (64 * 1024)
#define PROBE_REQ  "get mm_bench_mc_probe\r\n"

struct mon_opts {
	char host[256], port[16];
	bool allow_remote, showavg, chart, quiet;
	uint32_t duration_s, probe_ms, width;
	enum mc_mon_field chart_field;
	char record[1024];
};

struct mon {
	struct mon_opts o;
	struct mc_addr addr;
	struct mc_conn stats, probe;
	struct mc_mon_sample first, prev;
	uint64_t first_ns, prev_ns, t0_ns;
	struct mc_hist sec_lat, all_lat;
	uint64_t probes, probe_errors, all_probe_errors;
	double chart_max;
	FILE *record;
	char *buf;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: mm_bench_mc monitor [HOST[:PORT]] [OPTIONS]\n"
	        "Watches a memcached server: per-second rates from its stats, a latency probe,\n"
	        "a strip chart. Loopback servers only unless --allow-remote.\n\n"
	        "  HOST[:PORT]            memcached address (default 127.0.0.1:11211)\n"
	        "      --allow-remote     allow a non-loopback server\n"
	        "  -t, --duration S       stop after S seconds (default 60, at most %d)\n"
	        "      --probe-ms MS      one probe get every MS milliseconds (default 100)\n"
	        "      --chart FIELD      strip chart of ops|gets|sets|misses|evictions|conns|\n"
	        "                         probe (default ops)\n"
	        "      --no-chart         key=value lines only\n"
	        "      --width N          chart width in characters (default 50)\n"
	        "      --showavg          add the averages since the start to every line\n"
	        "      --record FILE      per-second rows as TSV, with unix_ms\n"
	        "  -q, --quiet            the final summary only\n"
	        "  -h, --help             this text\n"
	        "Exit: 0 ok, 1 cannot connect or the server went away, 2 usage error.\n",
	        MC_DURATION_MAX_S);
}

static int parse_chart(const char *arg, enum mc_mon_field *f, bool *on)
{
	static const struct {
		const char *name;
		int field; /* -1: ops (gets + sets), -2: probe p50 */
	} names[] = {{"ops", -1},
	             {"gets", MC_MON_CMD_GET},
	             {"sets", MC_MON_CMD_SET},
	             {"misses", MC_MON_GET_MISSES},
	             {"evictions", MC_MON_EVICTIONS},
	             {"conns", MC_MON_CURR_CONNECTIONS},
	             {"probe", -2}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i].name) == 0) {
			*f = names[i].field < 0
			         ? (enum mc_mon_field)(MC_MON_NFIELDS - names[i].field)
			         : (enum mc_mon_field)names[i].field;
			*on = true;
			return 0;
		}
	return -EINVAL;
}

#define CHART_OPS   (MC_MON_NFIELDS + 1)
#define CHART_PROBE (MC_MON_NFIELDS + 2)

static int parse_opts(struct mon_opts *o, int argc, char **argv)
{
	enum { O_REMOTE = 256, O_PROBE, O_CHART, O_NOCHART, O_WIDTH, O_AVG, O_RECORD };
	static const struct option lo[] = {{"allow-remote", no_argument, NULL, O_REMOTE},
	                                   {"duration", required_argument, NULL, 't'},
	                                   {"probe-ms", required_argument, NULL, O_PROBE},
	                                   {"chart", required_argument, NULL, O_CHART},
	                                   {"no-chart", no_argument, NULL, O_NOCHART},
	                                   {"width", required_argument, NULL, O_WIDTH},
	                                   {"showavg", no_argument, NULL, O_AVG},
	                                   {"record", required_argument, NULL, O_RECORD},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	struct mc_opts srv;
	uint64_t v;
	int c;

	*o = (struct mon_opts){.duration_s = 60,
	                       .probe_ms = 100,
	                       .width = 50,
	                       .chart = true,
	                       .chart_field = CHART_OPS};
	optind = 0;
	while ((c = getopt_long(argc, argv, "t:qh", lo, NULL)) != -1) {
		switch (c) {
		case O_REMOTE: o->allow_remote = true; break;
		case 't':
			if (mm_parse_u64(optarg, MC_DURATION_MAX_S, &v) || v == 0)
				goto bad;
			o->duration_s = (uint32_t)v;
			break;
		case O_PROBE:
			if (mm_parse_u64(optarg, 1000, &v) || v < 10)
				goto bad;
			o->probe_ms = (uint32_t)v;
			break;
		case O_CHART:
			if (parse_chart(optarg, &o->chart_field, &o->chart))
				goto bad;
			break;
		case O_NOCHART: o->chart = false; break;
		case O_WIDTH:
			if (mm_parse_u64(optarg, 200, &v) || v < 10)
				goto bad;
			o->width = (uint32_t)v;
			break;
		case O_AVG: o->showavg = true; break;
		case O_RECORD:
			if (!optarg[0] || strlen(optarg) >= sizeof(o->record))
				goto bad;
			strcpy(o->record, optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return 1;
		default: fprintf(stderr, "mm_bench_mc monitor: try --help\n"); return -EINVAL;
		}
	}
	mc_opts_defaults(&srv);
	if (optind < argc) {
		char *sv[] = {(char *)"mm_bench_mc", (char *)"-s", argv[optind], NULL};
		if (optind + 1 < argc || mc_opts_parse(&srv, 3, sv, stderr)) {
			fprintf(stderr,
			        "mm_bench_mc monitor: expected one HOST[:PORT] (try --help)\n");
			return -EINVAL;
		}
	}
	memcpy(o->host, srv.host, sizeof(o->host));
	memcpy(o->port, srv.port, sizeof(o->port));
	return 0;
bad:
	fprintf(stderr, "mm_bench_mc monitor: bad value '%s' for %s (try --help)\n", optarg,
	        argv[optind - 1]);
	return -EINVAL;
}

/* Sends req and reads until the reply ends with end; reply length or -errno. */
static long request(struct mc_conn *c, const char *req, const char *end, char *buf, size_t cap)
{
	size_t len = 0, end_len = strlen(end), req_len = strlen(req);
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

	if (send(c->fd, req, req_len, MSG_NOSIGNAL) != (ssize_t)req_len)
		return -EIO;
	while (len < end_len || memcmp(buf + len - end_len, end, end_len) != 0) {
		ssize_t r;
		int p = poll(&pfd, 1, IO_TIMEOUT);
		if (p == 0)
			return -ETIMEDOUT;
		if (p < 0)
			return -errno;
		r = recv(c->fd, buf + len, cap - len, 0);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (r > 0)
			len += (size_t)r;
		if (len == cap)
			return -EMSGSIZE;
	}
	return (long)len;
}

static int connect_both(struct mon *m)
{
	int rc = 0;

	if (m->stats.state != MC_CONN_UP)
		rc = mc_conn_connect_wait(&m->stats, &m->addr, IO_TIMEOUT);
	if (!rc && m->probe.state != MC_CONN_UP)
		rc = mc_conn_connect_wait(&m->probe, &m->addr, IO_TIMEOUT);
	return rc;
}

static int sample(struct mon *m, struct mc_mon_sample *s)
{
	long n = request(&m->stats, "stats\r\n", "END\r\n", m->buf, REPLY_MAX);

	if (n < 0) {
		mc_conn_reset(&m->stats);
		return (int)n;
	}
	return mc_mon_parse(m->buf, (size_t)n, s);
}

static void probe(struct mon *m)
{
	char buf[64];
	uint64_t t = mc_now_ns();
	long n;

	if (m->probe.state != MC_CONN_UP && mc_conn_connect_wait(&m->probe, &m->addr, IO_TIMEOUT)) {
		m->probe_errors++;
		return;
	}
	n = request(&m->probe, PROBE_REQ, "END\r\n", buf, sizeof(buf));
	if (n != 5) {
		m->probe_errors++;
		mc_conn_reset(&m->probe);
		return;
	}
	mc_hist_add(&m->sec_lat, mc_now_ns() - t);
	m->probes++;
}

static double chart_value(const struct mon *m, const struct mc_mon_sample *s, uint64_t dt)
{
	if (m->o.chart_field == CHART_OPS)
		return mc_mon_rate(&m->prev, s, MC_MON_CMD_GET, dt) +
		       mc_mon_rate(&m->prev, s, MC_MON_CMD_SET, dt);
	if (m->o.chart_field == CHART_PROBE)
		return (double)mc_hist_percentile(&m->sec_lat, 50) / 1000.0;
	return mc_mon_rate(&m->prev, s, m->o.chart_field, dt);
}

/* One strip-chart row: a bar scaled to the largest value seen so far. */
static void chart_row(struct mon *m, double v, long long unix_ms)
{
	char bar[256];
	uint32_t w = m->o.width, fill;

	if (v > m->chart_max)
		m->chart_max = v;
	fill = m->chart_max > 0 ? (uint32_t)(v / m->chart_max * w + 0.5) : 0;
	memset(bar, '#', fill);
	memset(bar + fill, ' ', w - fill);
	bar[w] = '\0';
	printf("chart %02lld:%02lld:%02lld |%s| %.0f %s (full scale %.0f)\n",
	       unix_ms / 3600000 % 24, unix_ms / 60000 % 60, unix_ms / 1000 % 60, bar, v,
	       m->o.chart_field == CHART_PROBE ? "us" : "/s", m->chart_max);
}

static void line(struct mon *m, const struct mc_mon_sample *s, uint64_t now, int64_t sec)
{
	uint64_t dt = now - m->prev_ns;
	long long unix_ms = (long long)mc_unix_ms();
	char txt[1536];
	size_t n = 0;

	n += (size_t)snprintf(txt + n, sizeof(txt) - n, "mon sec=%lld unix_ms=%lld", (long long)sec,
	                      unix_ms);
	for (int f = 0; f < MC_MON_NFIELDS; f++)
		n += (size_t)snprintf(txt + n, sizeof(txt) - n, " %s=%.0f", mc_mon_key(f),
		                      mc_mon_rate(&m->prev, s, f, dt));
	n += (size_t)snprintf(txt + n, sizeof(txt) - n,
	                      " probes=%llu probe_errors=%llu probe_p50_us=%.1f probe_max_us=%.1f",
	                      (unsigned long long)m->probes, (unsigned long long)m->probe_errors,
	                      (double)mc_hist_percentile(&m->sec_lat, 50) / 1000.0,
	                      (double)m->sec_lat.max_ns / 1000.0);
	if (m->o.showavg) {
		uint64_t all = now - m->first_ns;
		for (int f = 0; f < MC_MON_NFIELDS; f++)
			if (!mc_mon_is_level(f))
				n += (size_t)snprintf(txt + n, sizeof(txt) - n, " avg_%s=%.0f",
				                      mc_mon_key(f),
				                      mc_mon_rate(&m->first, s, f, all));
		n += (size_t)snprintf(txt + n, sizeof(txt) - n, " avg_probe_p50_us=%.1f",
		                      (double)mc_hist_percentile(&m->all_lat, 50) / 1000.0);
	}
	if (!m->o.quiet) {
		printf("%s\n", txt);
		if (m->o.chart)
			chart_row(m, chart_value(m, s, dt), unix_ms);
		fflush(stdout);
	}
	if (m->record) {
		fprintf(m->record, "%lld\t%lld", (long long)sec, unix_ms);
		for (int f = 0; f < MC_MON_NFIELDS; f++)
			fprintf(m->record, "\t%.1f", mc_mon_rate(&m->prev, s, f, dt));
		fprintf(m->record, "\t%llu\t%llu\t%.1f\t%.1f\n", (unsigned long long)m->probes,
		        (unsigned long long)m->probe_errors,
		        (double)mc_hist_percentile(&m->sec_lat, 50) / 1000.0,
		        (double)m->sec_lat.max_ns / 1000.0);
		fflush(m->record);
	}
}

static void record_header(FILE *f)
{
	fprintf(f, "sec\tunix_ms");
	for (int i = 0; i < MC_MON_NFIELDS; i++)
		fprintf(f, "\t%s", mc_mon_key(i));
	fprintf(f, "\tprobes\tprobe_errors\tprobe_p50_us\tprobe_max_us\n");
}

static void summary(struct mon *m, int64_t secs)
{
	uint64_t all = m->prev_ns - m->first_ns;

	printf("mon_summary secs=%lld", (long long)secs);
	for (int f = 0; f < MC_MON_NFIELDS; f++)
		if (!mc_mon_is_level(f))
			printf(" avg_%s=%.0f", mc_mon_key(f),
			       mc_mon_rate(&m->first, &m->prev, f, all));
	printf(" probes=%llu probe_errors=%llu probe_p50_us=%.1f probe_p99_us=%.1f "
	       "probe_max_us=%.1f\n",
	       (unsigned long long)m->all_lat.count, (unsigned long long)m->all_probe_errors,
	       (double)mc_hist_percentile(&m->all_lat, 50) / 1000.0,
	       (double)mc_hist_percentile(&m->all_lat, 99) / 1000.0,
	       (double)m->all_lat.max_ns / 1000.0);
	fflush(stdout);
}

/* Probes every probe_ms; at each second's end, samples stats and prints. */
static int loop(struct mon *m)
{
	uint64_t probe_ns = (uint64_t)m->o.probe_ms * NS_PER_MS, next_probe = m->t0_ns;
	int64_t sec = 0;

	while (!mm_tp_stop && sec < (int64_t)m->o.duration_s) {
		uint64_t now = mc_now_ns(), sec_end = m->t0_ns + (uint64_t)(sec + 1) * NS_PER_S;
		if (now >= sec_end) {
			struct mc_mon_sample s;
			int rc = sample(m, &s);
			if (rc) {
				fprintf(stderr, "mm_bench_mc monitor: error=stats addr=%s: %s\n",
				        m->addr.text, strerror(-rc));
				return 1;
			}
			mc_hist_merge(&m->all_lat, &m->sec_lat);
			line(m, &s, now, sec);
			m->prev = s;
			m->prev_ns = now;
			mc_hist_reset(&m->sec_lat);
			m->all_probe_errors += m->probe_errors;
			m->probes = m->probe_errors = 0;
			sec++;
			continue;
		}
		if (now >= next_probe) {
			probe(m);
			next_probe += probe_ns;
			if (next_probe < now)
				next_probe = now + probe_ns; /* a slow probe: no catching up */
			continue;
		}
		mm_tp_sleep_ms(((next_probe < sec_end ? next_probe : sec_end) - now) / NS_PER_MS +
		               1);
	}
	summary(m, sec);
	return 0;
}

int mc_monitor_main(int argc, char **argv)
{
	struct mon *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return 1;
	rc = parse_opts(&m->o, argc, argv);
	if (rc) {
		free(m);
		return rc > 0 ? 0 : 2;
	}
	mm_tp_signals_install();
	signal(SIGPIPE, SIG_IGN);
	m->buf = malloc(REPLY_MAX);
	rc = m->buf ? 0 : -ENOMEM;
	if (!rc && mc_addr_resolve(m->o.host, m->o.port, m->o.allow_remote, &m->addr, stderr))
		rc = -EINVAL;
	if (!rc && !(rc = mc_conn_init(&m->stats, 1, 64)) && !(rc = mc_conn_init(&m->probe, 1, 64)))
		rc = connect_both(m);
	if (!rc)
		rc = sample(m, &m->first);
	if (rc && rc != -EINVAL)
		fprintf(stderr, "mm_bench_mc monitor: error=connect addr=%s: %s\n", m->addr.text,
		        strerror(-rc));
	if (!rc && m->o.record[0] && !(m->record = fopen(m->o.record, "w"))) {
		fprintf(stderr, "mm_bench_mc monitor: --record %s: %s\n", m->o.record,
		        strerror(errno));
		rc = 2;
	}
	if (!rc) {
		if (m->record)
			record_header(m->record);
		m->prev = m->first;
		m->first_ns = m->prev_ns = m->t0_ns = mc_now_ns();
		mc_hist_reset(&m->sec_lat);
		mc_hist_reset(&m->all_lat);
		rc = loop(m);
	} else if (rc < 0) {
		rc = 1;
	}
	if (m->record)
		fclose(m->record);
	mc_conn_dispose(&m->stats);
	mc_conn_dispose(&m->probe);
	free(m->buf);
	free(m);
	return rc;
}
