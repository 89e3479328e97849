/* Helpers of the live mm_bench_mc tests (see test_mc_memcached.c). */
#ifndef TEST_MC_MEMCACHED_H
#define TEST_MC_MEMCACHED_H

#include <sys/types.h>

#include "tp_spawn.h"

#define BENCH MM_BINARY_DIR "/testprogs/mc/mm_bench_mc"

extern pid_t mc_pid; /* the memcached under test */
extern int mc_port;
extern char server[64]; /* "127.0.0.1:PORT" */

struct run {
	int rc;
	char out[1 << 17];
	char summary[2048];
	char err[1 << 14];
};

int connect_port(int port);
/* cmocka group setup/teardown: start and kill memcached. */
int start_memcached(void **state);
int stop_memcached(void **state);
/* memcached's own "stats" value for key (the referee), or -1. */
double mc_stat(const char *key);
/* Runs a command line split on spaces, with pipes on stdin/out/err. */
struct tp_proc *spawn_words(const char *cmdline);
/* mm_bench_mc -s srv ARGS... */
struct tp_proc *bench_start(const char *srv, const char *args);
/* Waits for the summary line and the exit; keeps the output in r. */
void wait_summary(struct tp_proc *p, struct run *r);
struct run *bench(const char *srv, const char *args);
/* The number after key= in line; fails the test when absent. */
double kv(const char *line, const char *key);

#endif
