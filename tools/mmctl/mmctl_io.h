/* mmctl's connection to mmserver's control socket. */
#ifndef MMCTL_IO_H
#define MMCTL_IO_H

#include <stddef.h>
#include <stdint.h>

struct mmctl_conn {
	int fd;
	char buf[128 * 1024]; /* a status block with 64 domains fits */
	size_t len;
};

/* 0 or -errno (ENOENT: no server there, EACCES: not allowed). */
int mmctl_connect(struct mmctl_conn *c, const char *path);

/* Sends the whole line (with its newline); 0 or -errno. */
int mmctl_send(struct mmctl_conn *c, const char *line);

/* The next answer block (lines up to the empty line, that line left out)
 * into out; 0, -ETIMEDOUT, -ECONNRESET (server closed) or -errno. */
int mmctl_read_block(struct mmctl_conn *c, char *out, size_t outlen, uint64_t timeout_ms);

void mmctl_close(struct mmctl_conn *c);

#endif
