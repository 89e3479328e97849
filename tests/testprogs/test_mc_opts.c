/* mm_bench_mc option parsing, table-driven: each row is a command line
 * (words split on spaces), the expected result, and a field to check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "mc_opts.h"

struct ocase {
	const char *args;
	int ok;            /* 1: parse and finish succeed */
	const char *field; /* checked when ok */
	double want;
};

static double field(const struct mc_opts *o, const char *name)
{
	if (!strcmp(name, "port")) {
		double p = 0;
		sscanf(o->port, "%lf", &p);
		return p;
	}
	if (!strcmp(name, "conns"))
		return o->conns;
	if (!strcmp(name, "rate"))
		return o->rate_per_s;
	if (!strcmp(name, "keys"))
		return (double)o->keys;
	if (!strcmp(name, "key_len"))
		return o->key_len;
	if (!strcmp(name, "vmin"))
		return o->value_min;
	if (!strcmp(name, "vmax"))
		return o->value_max;
	if (!strcmp(name, "get_ratio"))
		return o->get_ratio;
	if (!strcmp(name, "hot_prob"))
		return o->hot_prob;
	if (!strcmp(name, "proto"))
		return o->proto;
	if (!strcmp(name, "sched"))
		return o->sched;
	if (!strcmp(name, "fill"))
		return o->fill;
	if (!strcmp(name, "duration"))
		return o->duration_s;
	if (!strcmp(name, "zipf"))
		return o->zipf_s;
	if (!strcmp(name, "nsizes"))
		return o->nsizes;
	if (!strcmp(name, "w0"))
		return o->vweight[0];
	if (!strcmp(name, "depth"))
		return o->depth;
	if (!strcmp(name, "batch"))
		return o->batch_auto ? -1.0 : (double)o->batch_us;
	if (!strcmp(name, "coalesce"))
		return (double)o->coalesce_us;
	fail_msg("unknown field %s", name);
	return 0;
}

static const struct ocase cases[] = {
    {"", 1, "port", 11211},
    {"-s 127.0.0.1:22122", 1, "port", 22122},
    {"-s [::1]:22123", 1, "port", 22123},
    {"-s localhost", 1, "port", 11211},
    {"-s ::1", 0, NULL, 0},
    {"-s 127.0.0.1:0", 0, NULL, 0},
    {"-s 127.0.0.1:65536", 0, NULL, 0},
    {"-s :11211", 0, NULL, 0},
    {"-c 16", 1, "conns", 16},
    {"-c 0", 0, NULL, 0},
    {"-c -1", 0, NULL, 0},
    {"-c 4x", 0, NULL, 0},
    {"-r 20000", 1, "rate", 20000},
    {"-r 20k", 0, NULL, 0},
    {"--keys 1000000", 1, "key_len", 16},
    {"--keys 1000000000000", 1, "key_len", 16},
    {"--keys 10000000000000", 0, NULL, 0},
    {"--keys 1000 --key-size 3", 0, NULL, 0},
    {"--keyspace 1M -v 1024", 1, "keys", 1024},
    {"--keyspace 100", 0, NULL, 0},
    {"--keyspace 1M --keys 5", 1, "keys", 5},
    {"-v 10-20", 1, "vmax", 20},
    {"-v 10-20", 1, "vmin", 10},
    {"-v 20-10", 0, NULL, 0},
    {"-v 0", 0, NULL, 0},
    {"-v 2000000", 0, NULL, 0},
    {"-g 0.75", 1, "get_ratio", 0.75},
    {"-g 1", 1, "get_ratio", 1},
    {"-g 1.5", 0, NULL, 0},
    {"-g -0.5", 0, NULL, 0},
    {"--hot 0.1:0.9", 1, "hot_prob", 0.9},
    {"--hot 0.1", 0, NULL, 0},
    {"--protocol meta", 1, "proto", MC_PROTO_META},
    {"--protocol binary", 0, NULL, 0},
    {"--schedule fixed", 1, "sched", MC_SCHED_FIXED},
    {"--no-fill", 1, "fill", 0},
    {"-t 0", 1, "duration", 0},
    {"-t 3600", 1, "duration", 3600},
    {"-t 3601", 0, NULL, 0},
    {"-t 2", 0, NULL, 0}, /* warm-up 1 + cool-down 1 leave nothing */
    {"-t 2 --warmup 0", 1, "duration", 2},
    {"-P 4 -c 2", 0, NULL, 0},
    {"--zipf 0.99", 1, "zipf", 0.99},
    {"--zipf 1.2 -k 50", 1, "zipf", 1.2},
    {"--zipf 0", 0, NULL, 0},
    {"--zipf -1", 0, NULL, 0},
    {"--zipf 11", 0, NULL, 0},
    {"--zipf 1e0", 0, NULL, 0},
    {"--zipf 0.9 --hot 0.1:0.9", 0, NULL, 0},
    {"-v 100:0.7,1000:0.2,10000:0.1", 1, "nsizes", 3},
    {"-v 100:0.7,1000:0.2,10000:0.1", 1, "vmax", 10000},
    {"-v 100:0.7,1000:0.2,10000:0.1", 1, "w0", 0.7},
    {"-v 100:3,1000:1", 1, "w0", 0.75},
    {"-v 100:1,1000:1 --keyspace 1M", 1, "keys", 1906}, /* mean 550 B */
    {"-v 100:0.5,", 0, NULL, 0},
    {"-v 100:0", 0, NULL, 0},
    {"-v 0:1", 0, NULL, 0},
    {"-v 100", 1, "nsizes", 0},
    {"-v 100:1,200:1,300:1,400:1,500:1,600:1,700:1,800:1,900:1,1000:1,1100:1,1200:1,"
     "1300:1,1400:1,1500:1,1600:1,1700:1",
     0, NULL, 0},
    {"--batch-us 200", 1, "batch", 200},
    {"", 1, "batch", -1},
    {"--batch-us 0", 1, "batch", 0},
    {"--batch-us 0 --batch-us auto", 1, "batch", -1},
    {"--batch-us often", 0, NULL, 0},
    {"", 1, "coalesce", 500},
    {"--coalesce-us 0", 1, "coalesce", 0},
    {"--coalesce-us 100001", 0, NULL, 0},
    {"-d 32 --refill 16", 1, "depth", 32},
    {"-d 4 --refill 5", 0, NULL, 0},
    {"--refill 0", 0, NULL, 0},
    {"--batch-us 100001", 0, NULL, 0},
    {"--control stdin", 1, "conns", 4},
    {"--control 0", 1, "conns", 4},
    {"--control 70000", 0, NULL, 0},
    {"--control tty", 0, NULL, 0},
    {"extra", 0, NULL, 0},
    {"--bogus", 0, NULL, 0},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mc_opts o;
		FILE *null = fopen("/dev/null", "w");
		int rc;
		mc_opts_defaults(&o);
		rc = mc_opts_parse_line(&o, cases[i].args, null);
		if (rc == 0)
			rc = mc_opts_finish(&o, null);
		fclose(null);
		if ((rc == 0) != cases[i].ok)
			fail_msg("'%s': rc %d, want %s", cases[i].args, rc,
			         cases[i].ok ? "ok" : "error");
		if (rc == 0 && cases[i].field && field(&o, cases[i].field) != cases[i].want)
			fail_msg("'%s': %s = %g, want %g", cases[i].args, cases[i].field,
			         field(&o, cases[i].field), cases[i].want);
	}
}

/* --auto lines apply on top of the command line, and parsing twice works
 * (getopt is reset). */
static void test_layering(void **state)
{
	struct mc_opts o;

	(void)state;
	mc_opts_defaults(&o);
	assert_int_equal(mc_opts_parse_line(&o, "-c 8 -r 1000", stderr), 0);
	assert_int_equal(mc_opts_parse_line(&o, "-r 2000", stderr), 0);
	assert_int_equal(o.conns, 8);
	assert_int_equal((int)o.rate_per_s, 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_table),
	                                   cmocka_unit_test(test_layering)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
