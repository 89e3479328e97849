/* See double_ctl.h. The control connection is an ordinary dom0
 * connection that only sends DP_CTL_* requests. */
#include "double_ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "double_client.h"

struct mmd {
	pid_t pid;
	int fd;
	char dir[64];
	char sock[96];
};

static struct dp_buf req;
static char rep[DP_MAX_PACKET];

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool mmd_wait_for(bool (*cond)(void *), void *arg, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;

	for (;;) {
		if (cond(arg))
			return true;
		if (mono_ms() >= end)
			return false;
		nap_ms(2);
	}
}

static bool daemon_up(void *arg)
{
	struct mmd *d = arg;
	uint32_t id;

	d->fd = dc_connect(0, &id);
	return d->fd >= 0;
}

/* In a child: die when the test that forked it dies. A test that fails
 * (or stops a daemon and fails before resuming it) must not leave daemons
 * behind that hold CTest's output pipe until its timeout. */
static void die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
}

int mmd_start(const char *daemon_path, struct mmd **out)
{
	struct mmd *d = calloc(1, sizeof(*d));
	pid_t parent = getpid();

	*out = NULL;
	if (!d)
		return -ENOMEM;
	snprintf(d->dir, sizeof(d->dir), "/tmp/mm_double_XXXXXX");
	if (!mkdtemp(d->dir)) {
		free(d);
		return -errno;
	}
	snprintf(d->sock, sizeof(d->sock), "%s/xs.sock", d->dir);
	setenv(DP_ENV_SOCK, d->sock, 1);
	setenv(DP_ENV_DOMID, "0", 1);
	d->pid = fork();
	if (d->pid == 0) {
		die_with_parent(parent);
		execl(daemon_path, "mm_xen_double", d->sock, (char *)NULL);
		_exit(127);
	}
	if (d->pid < 0 || !mmd_wait_for(daemon_up, d, 5000)) {
		mmd_stop(d);
		return -ETIMEDOUT;
	}
	*out = d;
	return 0;
}

void mmd_stop(struct mmd *d)
{
	if (!d)
		return;
	if (d->fd > 0)
		close(d->fd);
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
	}
	unlink(d->sock);
	rmdir(d->dir);
	free(d);
}

const char *mmd_socket(const struct mmd *d)
{
	return d->sock;
}

pid_t mmd_pid(const struct mmd *d)
{
	return d->pid;
}

/* Sends req on fd; returns the reply's code as -errno with *r on its args. */
static int call_on(int fd, struct dp_reader *r)
{
	int32_t code;
	uint32_t tx;
	long n = dc_call(fd, &req, rep);

	if (n < 0)
		return (int)n;
	if (dp_open(r, rep, (size_t)n, &code, &tx))
		return -EPROTO;
	return -code;
}

static int ctl(struct mmd *d, int op, uint64_t domid, uint64_t a, int nargs)
{
	struct dp_reader r;

	dp_start(&req, op, 0);
	if (nargs > 0)
		dp_put_u64(&req, domid);
	if (nargs > 1)
		dp_put_u64(&req, a);
	return call_on(d->fd, &r);
}

int mmd_domain_create(struct mmd *d, uint32_t domid, const char *name, uint64_t mem_kib,
                      uint64_t maxmem_kib)
{
	struct dp_reader r;

	dp_start(&req, DP_CTL_CREATE, 0);
	dp_put_u64(&req, domid);
	dp_put_str(&req, name);
	dp_put_u64(&req, mem_kib);
	dp_put_u64(&req, maxmem_kib);
	return call_on(d->fd, &r);
}

int mmd_domain_destroy(struct mmd *d, uint32_t domid)
{
	return ctl(d, DP_CTL_DESTROY, domid, 0, 1);
}

int mmd_domain_speed(struct mmd *d, uint32_t domid, uint64_t kib_per_s)
{
	return ctl(d, DP_CTL_SPEED, domid, kib_per_s, 2);
}

int mmd_domain_hvm(struct mmd *d, uint32_t domid, uint64_t videoram_kib)
{
	return ctl(d, DP_CTL_HVM, domid, videoram_kib, 2);
}

int mmd_domain_refuse(struct mmd *d, uint32_t domid, bool refuse)
{
	return ctl(d, DP_CTL_REFUSE, domid, refuse, 2);
}

int mmd_host(struct mmd *d, uint64_t total_kib)
{
	return ctl(d, DP_CTL_HOST, total_kib, 0, 1);
}

int mmd_drop_connections(struct mmd *d)
{
	return ctl(d, DP_CTL_DROP, 0, 0, 0);
}

int mmd_accept(struct mmd *d, bool on)
{
	return ctl(d, DP_CTL_ACCEPT, on, 0, 1);
}

int mmd_domain_get(struct mmd *d, uint32_t domid, struct mmd_dom *out)
{
	struct dp_reader r;
	int rc;

	dp_start(&req, DP_CTL_GET, 0);
	dp_put_u64(&req, domid);
	rc = call_on(d->fd, &r);
	if (rc == 0 && (dp_get_u64(&r, &out->cur_kib) || dp_get_u64(&r, &out->target_kib) ||
	                dp_get_u64(&r, &out->maxmem_kib) || dp_get_u64(&r, &out->max_pages_kib)))
		rc = -EPROTO;
	return rc;
}

int mmd_stats(struct mmd *d, struct mmd_stats *out)
{
	struct dp_reader r;
	int rc;

	dp_start(&req, DP_CTL_STATS, 0);
	rc = call_on(d->fd, &r);
	if (rc == 0 && (dp_get_u64(&r, &out->requests) || dp_get_u64(&r, &out->denied) ||
	                dp_get_u64(&r, &out->connections)))
		rc = -EPROTO;
	return rc;
}

static int as_guest(struct mmd *d, uint32_t domid, int op, const char *path, const void *buf,
                    size_t len, char *out, size_t cap)
{
	struct dp_reader r;
	const char *v;
	size_t l;
	uint32_t id;
	/* dom0 reuses the control connection: benches write thousands of nodes */
	int fd = domid == 0 ? d->fd : dc_connect(domid, &id), rc;

	if (fd < 0)
		return fd;
	dp_start(&req, op, 0);
	dp_put_str(&req, path);
	if (op == DP_WRITE)
		dp_put(&req, buf, len);
	rc = call_on(fd, &r);
	if (fd != d->fd)
		close(fd);
	if (rc == 0 && out) {
		if (dp_get(&r, &v, &l) || l >= cap)
			return -EOVERFLOW;
		memcpy(out, v, l);
		out[l] = '\0';
	}
	return rc;
}

int mmd_write_as(struct mmd *d, uint32_t domid, const char *path, const void *buf, size_t len)
{
	return as_guest(d, domid, DP_WRITE, path, buf, len, NULL, 0);
}

int mmd_rm_as(struct mmd *d, uint32_t domid, const char *path)
{
	return as_guest(d, domid, DP_RM, path, NULL, 0, NULL, 0);
}

int mmd_read_as(struct mmd *d, uint32_t domid, const char *path, char *buf, size_t cap)
{
	return as_guest(d, domid, DP_READ, path, NULL, 0, buf, cap);
}

pid_t mmd_spawn(struct mmd *d, uint32_t domid, char *const argv[])
{
	char num[16];
	pid_t pid, parent = getpid();

	snprintf(num, sizeof(num), "%" PRIu32, domid);
	pid = fork();
	if (pid == 0) {
		die_with_parent(parent);
		setenv(DP_ENV_SOCK, d->sock, 1);
		setenv(DP_ENV_DOMID, num, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid < 0 ? -errno : pid;
}
