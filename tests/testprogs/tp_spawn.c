/* Test helpers (see tp_spawn.h). Everything has a timeout: a hung child
 * fails the test instead of hanging CTest. */
#include "tp_spawn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t tp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int tp_spawn(struct tp_proc *p, char *const argv[])
{
	int in[2], out[2], err[2];

	memset(p, 0, sizeof(*p));
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	p->in_fd = in[1];
	p->out_fd = out[0];
	p->err_fd = err[0];
	return 0;
}

/* Reads what is available from stdout/stderr within timeout_ms. */
static void pump(struct tp_proc *p, int timeout_ms)
{
	struct pollfd pfd[2] = {{.fd = p->out_fd, .events = POLLIN},
	                        {.fd = p->err_fd, .events = POLLIN}};
	char *buf[2] = {p->out, p->err};
	size_t *len[2] = {&p->out_len, &p->err_len};
	size_t cap[2] = {sizeof(p->out) - 1, sizeof(p->err) - 1};
	int *fd[2] = {&p->out_fd, &p->err_fd};

	if (poll(pfd, 2, timeout_ms) <= 0)
		return;
	for (int i = 0; i < 2; i++) {
		ssize_t r;
		if (*fd[i] < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (*len[i] == cap[i]) /* full: keep the newest half */
			*len[i] = 0;
		r = read(*fd[i], buf[i] + *len[i], cap[i] - *len[i]);
		if (r <= 0) {
			close(*fd[i]);
			*fd[i] = -1;
		} else {
			*len[i] += (size_t)r;
		}
		buf[i][*len[i]] = '\0';
	}
}

bool tp_wait_line(struct tp_proc *p, const char *needle, int timeout_ms, char *line, size_t cap)
{
	uint64_t end = tp_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		char *nl;
		p->out[p->out_len] = '\0';
		while ((nl = strchr(p->out + p->scan_pos, '\n')) != NULL) {
			char *start = p->out + p->scan_pos;
			size_t n = (size_t)(nl - start);
			p->scan_pos += n + 1;
			if (memmem(start, n, needle, strlen(needle))) {
				n = n < cap - 1 ? n : cap - 1;
				memcpy(line, start, n);
				line[n] = '\0';
				return true;
			}
		}
		if (p->out_fd < 0 || tp_now_ms() >= end)
			return false;
		pump(p, (int)(end - tp_now_ms()));
	}
}

int tp_finish(struct tp_proc *p, int timeout_ms)
{
	uint64_t end = tp_now_ms() + (uint64_t)timeout_ms;
	pid_t r;

	if (p->in_fd >= 0)
		close(p->in_fd);
	p->in_fd = -1;
	while ((p->out_fd >= 0 || p->err_fd >= 0) && tp_now_ms() < end)
		pump(p, (int)(end - tp_now_ms()));
	while ((r = waitpid(p->pid, &p->status, WNOHANG)) == 0 && tp_now_ms() < end)
		pump(p, 10);
	if (r == 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &p->status, 0);
		fprintf(stderr, "tp_finish: pid %d timed out, killed\n", (int)p->pid);
	}
	for (int i = 0; i < 2; i++) {
		int *fd = i ? &p->err_fd : &p->out_fd;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	if (r == 0 || !WIFEXITED(p->status))
		return -1;
	return WEXITSTATUS(p->status);
}

bool tp_kv(const char *text, const char *key, double *out)
{
	size_t klen = strlen(key);

	for (const char *s = text; (s = strstr(s, key)) != NULL; s += klen) {
		char *end;
		if ((s != text && s[-1] != ' ') || s[klen] != '=')
			continue;
		*out = strtod(s + klen + 1, &end);
		return end != s + klen + 1;
	}
	return false;
}

uint64_t tp_vmrss_kib(pid_t pid)
{
	char path[64], line[256];
	unsigned long long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int tp_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}
