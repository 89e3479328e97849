/* Test helpers for the workload tests: run a program with pipes on its
 * stdin/stdout/stderr, wait for a line, read key=value fields, VmRSS, a
 * free loopback port. Test code only; never linked into a program. */
#ifndef TP_SPAWN_H
#define TP_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tp_proc {
	pid_t pid;
	int in_fd, out_fd, err_fd; /* -1 once closed */
	char out[1 << 17];
	size_t out_len, scan_pos; /* scan_pos: where the next wait_line looks */
	char err[1 << 14];
	size_t err_len;
	int status; /* waitpid status once finished */
};

/* Starts argv[0] (a path) with three pipes. 0 or -errno. */
int tp_spawn(struct tp_proc *p, char *const argv[]);
/* Waits up to timeout_ms for a whole stdout line containing needle (after
 * the previous match); copies it to line (NUL-terminated). true if found. */
bool tp_wait_line(struct tp_proc *p, const char *needle, int timeout_ms, char *line, size_t cap);
/* Closes stdin, reads to EOF, reaps. Kills the process after timeout_ms.
 * Returns the exit code, or -1 if it was killed by a signal or timed out. */
int tp_finish(struct tp_proc *p, int timeout_ms);
/* Finds " key=" (or "key=" at the start) in text; parses a double. */
bool tp_kv(const char *text, const char *key, double *out);
/* VmRSS of pid in KiB, 0 if unreadable. */
uint64_t tp_vmrss_kib(pid_t pid);
/* A loopback TCP port that was free a moment ago. */
int tp_free_port(void);
uint64_t tp_now_ms(void);

#endif
