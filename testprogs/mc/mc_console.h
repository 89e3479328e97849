/* The live-control console of a running mm_bench_mc: lines from stdin, or
 * from clients of a loopback TCP port (127.0.0.1 only, a few at a time).
 * It reads and splits lines and sends replies; what a line means is
 * mc_ctl's, what it does is mc_main's. */
#ifndef MC_CONSOLE_H
#define MC_CONSOLE_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#define MC_CONSOLE_CLIENTS 4
#define MC_CONSOLE_FDS     (2 + MC_CONSOLE_CLIENTS)
#define MC_CONSOLE_LINE    256

struct mc_console_client {
	int fd; /* -1: free slot */
	size_t len;
	char buf[MC_CONSOLE_LINE];
};

struct mc_console {
	int stdin_on;  /* read commands from fd 0, reply on stdout */
	int listen_fd; /* -1: no port */
	uint16_t port; /* the bound port (when spec was 0, the one picked) */
	struct mc_console_client in;
	struct mc_console_client cl[MC_CONSOLE_CLIENTS];
};

/* spec "stdin" or a port number (0: any free port). 0 or -errno, with a
 * message on err. */
int mc_console_open(struct mc_console *k, const char *spec, FILE *err);
/* Fills up to MC_CONSOLE_FDS pollfds; returns how many. */
int mc_console_pollfds(const struct mc_console *k, struct pollfd *pfd);
/* Called for each whole line; reply_fd is where the answer goes. */
typedef void (*mc_console_cb)(void *arg, const char *line, int reply_fd);
/* After poll: accepts clients, reads, and calls cb for each line. */
void mc_console_handle(struct mc_console *k, const struct pollfd *pfd, int n, mc_console_cb cb,
                       void *arg);
/* Writes text and a newline to reply_fd (stdout's fd 1 is flushed first). */
void mc_console_reply(int reply_fd, const char *text);
void mc_console_close(struct mc_console *k);

#endif
