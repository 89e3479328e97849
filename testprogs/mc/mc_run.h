/* One measured run of mm_bench_mc: forks the workers (one epoll loop
 * each), gathers their ticks into lines and a summary, and applies live
 * control from the console to them. Filling and --auto are mc_main's. */
#ifndef MC_RUN_H
#define MC_RUN_H

#include <stdio.h>

#include "mc_conn.h"
#include "mc_console.h"
#include "mc_opts.h"
#include "mc_report.h"

enum { MC_EXIT_OK = 0, MC_EXIT_RUN = 1, MC_EXIT_USAGE = 2, MC_EXIT_ERRORS = 3 };

/* Runs the load of o against addr; console may be NULL. Returns an exit
 * code and fills *res. */
int mc_run_load(const struct mc_opts *o, const struct mc_addr *addr, unsigned set_index,
                FILE *record, struct mc_console *console, struct mc_result *res);

#endif
