/* Shared by the live mm_bench_mc tests: a real memcached (Debian's) on a
 * free loopback port, its "stats" as the referee, and mm_bench_mc runs
 * whose output is kept for checking. Test code only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_mc_memcached.h"

pid_t mc_pid = -1;
int mc_port;
char server[64];

int connect_port(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* memcached cannot bind port 0, so a free port is found first; a lost race
 * (someone took it) shows up as memcached exiting, and we try another. */
int start_memcached(void **state)
{
	(void)state;
	for (int attempt = 0; attempt < 5; attempt++) {
		char port[16];
		uint64_t end;
		mc_port = tp_free_port();
		snprintf(port, sizeof(port), "%d", mc_port);
		mc_pid = fork();
		if (mc_pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			execl(MEMCACHED_BIN, "memcached", "-l", "127.0.0.1", "-p", port, "-U", "0",
			      "-t", "1", "-m", "64", "-u", "nobody", (char *)NULL);
			_exit(127);
		}
		for (end = tp_now_ms() + 3000; tp_now_ms() < end;) {
			int fd = connect_port(mc_port), st;
			if (fd >= 0) {
				close(fd);
				snprintf(server, sizeof(server), "127.0.0.1:%d", mc_port);
				fprintf(stderr, "memcached pid=%d port=%d\n", (int)mc_pid, mc_port);
				return 0;
			}
			if (waitpid(mc_pid, &st, WNOHANG) == mc_pid)
				break; /* exited: port taken, try another */
			usleep(10000);
		}
		kill(mc_pid, SIGKILL);
		waitpid(mc_pid, NULL, 0);
	}
	mc_pid = -1;
	return -1;
}

int stop_memcached(void **state)
{
	(void)state;
	if (mc_pid > 0) {
		kill(mc_pid, SIGCONT);
		kill(mc_pid, SIGKILL);
		waitpid(mc_pid, NULL, 0);
	}
	mc_pid = -1;
	return 0;
}

/* memcached's own "stats" value for key (the referee), or -1. */
double mc_stat(const char *key)
{
	char buf[8192], want[64];
	size_t len = 0;
	int fd = connect_port(mc_port);
	double v = -1;
	char *p;

	if (fd < 0)
		return -1;
	if (write(fd, "stats\r\n", 7) != 7) {
		close(fd);
		return -1;
	}
	while (len < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "END\r\n"))
			break;
	}
	close(fd);
	buf[len] = '\0';
	snprintf(want, sizeof(want), "STAT %s ", key);
	if ((p = strstr(buf, want)))
		v = strtod(p + strlen(want), NULL);
	return v;
}

void wait_summary(struct tp_proc *p, struct run *r)
{
	r->summary[0] = '\0';
	tp_wait_line(p, "summary ", 30000, r->summary, sizeof(r->summary));
	r->rc = tp_finish(p, 10000);
	snprintf(r->out, sizeof(r->out), "%s", p->out);
	snprintf(r->err, sizeof(r->err), "%s", p->err);
	fprintf(stderr, "  -> rc=%d %s\n%s", r->rc, r->summary, r->err);
}

struct tp_proc *spawn_words(const char *cmdline)
{
	static char buf[2048];
	char *argv[64], *save = NULL;
	struct tp_proc *p = malloc(sizeof(*p));
	int n = 0;

	assert_non_null(p);
	snprintf(buf, sizeof(buf), "%s", cmdline);
	fprintf(stderr, "run: %s\n", buf);
	for (char *w = strtok_r(buf, " ", &save); w && n < 63; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	assert_int_equal(tp_spawn(p, argv), 0);
	return p;
}

struct tp_proc *bench_start(const char *srv, const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s -s %s %s", BENCH, srv, args);
	return spawn_words(cmd);
}

struct run *bench(const char *srv, const char *args)
{
	struct tp_proc *p = bench_start(srv, args);
	struct run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	wait_summary(p, r);
	free(p);
	return r;
}

double kv(const char *line, const char *key)
{
	double v;

	if (!tp_kv(line, key, &v))
		fail_msg("no %s= in: %s", key, line);
	return v;
}
