/* See mmc_loop.h. Time comes from CLOCK_MONOTONIC; the decision of when to
 * write is mmc_report_due (pure), the writing is mmc_xs. */
#include "mmc_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "mmc_decide.h"
#include "mmc_log.h"
#include "mmc_sample.h"
#include "mmc_xs.h"

struct state {
	const struct mmc_opts *o;
	struct mmc_xs *xs;
	uint64_t next_open_ms, backoff_ms;
	struct mmc_last last;
	uint64_t seq;
	int last_err;       /* logged once until it changes */
	bool real_proc;     /* reading this kernel's /proc: sysinfo(2) may stand in */
	uint64_t free_read; /* sysinfo's free memory at the last meminfo read, KiB */
	int psi_fd;         /* a PSI trigger on memory/ (POLLPRI on a stall); -1: none */
	bool pressure;      /* the trigger fired since the last meminfo read */
};

/* This kernel's free memory from sysinfo(2), KiB; 0 if it fails. */
static uint64_t sys_free_kib(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return 0;
	return (uint64_t)si.freeram * si.mem_unit / 1024;
}

/* A PSI trigger (Documentation/accounting/psi.rst): the kernel wakes us when
 * tasks stalled on memory for 100 ms within 1 s, so a check under pressure
 * happens at once instead of at the next tick. -1 where the kernel has no
 * PSI or we may not set a trigger; the plain tick then does it all. */
static int psi_trigger_open(const char *proc_root)
{
	static const char trig[] = "some 100000 1000000";
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/pressure/memory", proc_root);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, trig, sizeof(trig)) != (ssize_t)sizeof(trig)) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Sleeps ms unless a signal or a pressure event comes first (the caller
 * checks its flag). */
static void nap_ms(struct state *st, uint64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	struct pollfd p = {st->psi_fd, POLLPRI, 0};

	if (st->psi_fd < 0) {
		nanosleep(&ts, NULL);
		return;
	}
	if (ppoll(&p, 1, &ts, NULL) == 1) {
		if (p.revents & POLLPRI) {
			st->pressure = true;
		} else { /* POLLERR: the trigger is gone; tick on without it */
			close(st->psi_fd);
			st->psi_fd = -1;
		}
	}
}

static void note_error(struct state *st, const char *what, int err)
{
	if (err == st->last_err)
		return;
	st->last_err = err;
	mmc_log(LOG_WARNING, "event=%s errno=%d error=\"%s\"", what, -err, strerror(-err));
}

static void try_open(struct state *st, uint64_t now)
{
	int rc;

	if (st->xs || now < st->next_open_ms)
		return;
	rc = mmc_xs_open(&st->xs);
	if (rc) {
		note_error(st, "xenstore_unreachable", rc);
		st->next_open_ms = now + st->backoff_ms;
		st->backoff_ms = st->backoff_ms * 2 > MMC_BACKOFF_MAX_MS ? MMC_BACKOFF_MAX_MS
		                                                         : st->backoff_ms * 2;
		return;
	}
	mmc_log(LOG_INFO, "event=xenstore_connected");
	st->backoff_ms = MMC_BACKOFF_MIN_MS;
	st->last_err = 0;
}

/* Writes one report (and the 2013 nodes with --legacy); 0 or -errno. */
static int publish(struct state *st, const struct mm_report *r)
{
	int rc = mmc_xs_write_report(st->xs, r);

	if (rc == 0 && st->o->legacy) {
		int lrc = mmc_xs_write_legacy(st->xs, r);

		/* the 2013 nodes are a courtesy: a refusal there is logged only */
		if (lrc && mmc_xs_lost(lrc))
			rc = lrc;
		else if (lrc)
			note_error(st, "legacy_write_refused", lrc);
	}
	if (rc) {
		note_error(st, rc == -EACCES ? "report_node_not_granted" : "report_write_failed",
		           rc);
		if (mmc_xs_lost(rc)) {
			mmc_xs_close(st->xs);
			st->xs = NULL;
		}
	}
	return rc;
}

/* One check: meminfo, and if a report is due the rest and the write.
 * Returns 0, 1 when written, or -errno. */
static int step(struct state *st, uint64_t now)
{
	struct mmc_pace pace = {st->o->interval_ms, st->o->threshold_kib};
	struct mmc_sample s;
	struct mm_report r;
	uint64_t free_now = st->real_proc ? sys_free_kib() : 0;
	int rc;

	/* most checks end here: nothing moved, no heartbeat due, no pressure */
	if (st->real_proc && st->xs && free_now &&
	    !mmc_meminfo_worth_reading(&pace, &st->last, now, free_now, st->free_read,
	                               st->pressure))
		return 0;
	st->free_read = free_now;
	st->pressure = false;
	rc = mmc_sample_read_mem(st->o->proc_root, &s);
	if (rc) {
		note_error(st, "meminfo_unreadable", rc);
		return rc;
	}
	mmc_report_build(&s, st->seq + 1, &r);
	try_open(st, now);
	if (!st->xs || !mmc_report_due(&pace, &st->last, now, mm_report_used_kib(&r)))
		return 0;
	mmc_sample_read_rest(st->o->proc_root, st->o->sys_root, &s);
	mmc_report_build(&s, st->seq + 1, &r);
	rc = publish(st, &r);
	if (rc)
		return rc;
	st->seq++;
	st->last = (struct mmc_last){true, now, mm_report_used_kib(&r)};
	st->last_err = 0;
	mmc_log(LOG_DEBUG, "event=report seq=%llu tot_kib=%llu free_kib=%llu",
	        (unsigned long long)r.seq, (unsigned long long)r.tot_kib,
	        (unsigned long long)r.free_kib);
	return 1;
}

static int run_once(struct state *st)
{
	struct mmc_sample s;
	int rc;

	if (mmc_sample_read(st->o->proc_root, st->o->sys_root, &s))
		return MMC_EXIT_NO_PROC;
	rc = step(st, mono_ms());
	if (rc == 1)
		return MMC_EXIT_OK;
	return st->xs ? MMC_EXIT_FAIL : MMC_EXIT_NO_XS;
}

int mmc_run(const struct mmc_opts *o, volatile sig_atomic_t *stop)
{
	struct state st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.o = o;
	st.backoff_ms = MMC_BACKOFF_MIN_MS;
	st.real_proc = !strcmp(o->proc_root, "/proc");
	st.psi_fd = o->once ? -1 : psi_trigger_open(o->proc_root);
	if (st.psi_fd >= 0)
		mmc_log(LOG_INFO, "event=psi_trigger some_us=100000 window_us=1000000");
	if (o->once) {
		rc = run_once(&st);
		mmc_xs_close(st.xs);
		return rc;
	}
	while (!*stop) {
		step(&st, mono_ms());
		if (!*stop)
			nap_ms(&st, o->check_ms);
	}
	mmc_log(LOG_INFO, "event=stop reports=%llu", (unsigned long long)st.seq);
	if (st.psi_fd >= 0)
		close(st.psi_fd);
	mmc_xs_close(st.xs);
	return MMC_EXIT_OK;
}
