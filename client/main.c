/* mmclient: the guest daemon (SPEC 4). Startup only: options, the meminfo
 * check, daemonizing, the pid file and signals; the loop is mmc_loop.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mmc_log.h"
#include "mmc_loop.h"
#include "mmc_opts.h"
#include "mmc_sample.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* No SA_RESTART: the loop's nanosleep returns at once on SIGTERM. */
static void set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL); /* a dead xenstored is an error, not a kill */
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct mmc_opts o;
	struct mmc_sample s;
	int rc = mmc_opts_parse(argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = mmc_sample_read(o.proc_root, o.sys_root, &s);
	if (rc) {
		fprintf(stderr, "mmclient: cannot use %s/meminfo: %s\n", o.proc_root,
		        rc == -EINVAL ? "unparsable" : strerror(-rc));
		return MMC_EXIT_NO_PROC;
	}
	if (!o.foreground && daemon(0, 0) != 0) {
		perror("mmclient: daemon");
		return MMC_EXIT_DAEMON;
	}
	mmc_log_init(o.use_syslog, o.verbose);
	if (o.pidfile && (rc = write_pidfile(o.pidfile)) != 0) {
		mmc_log(LOG_ERR, "event=pidfile_failed path=%s error=\"%s\"", o.pidfile,
		        strerror(-rc));
		return MMC_EXIT_DAEMON;
	}
	set_signals();
	if (!o.once)
		mmc_log(LOG_INFO, "event=start interval_ms=%llu threshold_kib=%llu legacy=%d",
		        (unsigned long long)o.interval_ms, (unsigned long long)o.threshold_kib,
		        o.legacy);
	rc = mmc_run(&o, &stop_flag);
	if (o.pidfile && !o.once)
		unlink(o.pidfile);
	return rc;
}
