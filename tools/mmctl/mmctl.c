/* mmctl: asks mmserver, over its control socket, to make room for a guest
 * (reserve), to give it back (release), or what it holds (status). Prints
 * the server's key=value answers as they are, so scripts can read them.
 * Exit codes are in mmctl(8). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mm_ctl_proto.h"
#include "mm_parse.h"
#include "mmctl_io.h"

#ifndef MMCTL_DEFAULT_SOCKET
#define MMCTL_DEFAULT_SOCKET "/run/xenmm/mmserver.sock"
#endif

enum { EXIT_MET = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3, EXIT_PROTOCOL = 4 };

#define ANSWER_MS   10000 /* an immediate answer (accepted, status) */
#define MARGIN_MS   10000 /* beyond the server's own timeout */
#define BLOCK_BYTES (128 * 1024)

struct opts {
	const char *socket, *for_name;
	uint64_t timeout_ms, lease_ms;
	bool quiet;
};

static void usage(FILE *f)
{
	fputs("Usage: mmctl [OPTION]... reserve SIZE [--for NAME] [--timeout T] [--lease T]\n"
	      "                          [-- COMMAND [ARG]...]\n"
	      "       mmctl [OPTION]... release ID\n"
	      "       mmctl [OPTION]... status\n"
	      "       mmctl [OPTION]... ping\n"
	      "Make room for a new Xen guest: mmserver shrinks the running guests (those with\n"
	      "the most free memory first, never below their floors) and keeps SIZE free in\n"
	      "Xen until the guest named by --for is created, the lease runs out, or it is\n"
	      "released. With a COMMAND, mmctl runs it once the memory is free and the\n"
	      "reservation ends when the command exits.\n\n"
	      "  -s, --socket PATH   mmserver's control socket (default $MMCTL_SOCKET or\n"
	      "                      " MMCTL_DEFAULT_SOCKET ")\n"
	      "  -f, --for NAME      the domain that will claim the memory\n"
	      "  -t, --timeout T     how long to wait for the memory (default 30s; max 1h)\n"
	      "  -l, --lease T       how long to hold it once found (default 120s; max 1h)\n"
	      "  -q, --quiet         print nothing on success\n"
	      "  -h, --help          this text\n"
	      "      --version       version\n\n"
	      "SIZE: a number with K, M, G or T (binary); a bare number is KiB. T: seconds, or\n"
	      "a number with s, m or h. Exit status: 0 done, 1 refused or failed (the reason\n"
	      "and who held what on stderr), 2 usage, 3 mmserver unreachable, 4 protocol\n"
	      "error; with a COMMAND, the command's own status.\n",
	      f);
}

static int die(int code, const char *what, const char *detail)
{
	fprintf(stderr, "mmctl: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return code;
}

static int open_conn(struct mmctl_conn *c, const char *path)
{
	int rc = mmctl_connect(c, path);
	char why[300];

	if (!rc)
		return 0;
	snprintf(why, sizeof(why), "%s: %s%s", path, strerror(-rc),
	         rc == -ENOENT || rc == -ECONNREFUSED ? " (is mmserver running with --control?)"
	         : rc == -EACCES                      ? " (root or the socket's group only)"
	                                              : "");
	return die(EXIT_UNREACHABLE, "cannot reach mmserver", why);
}

/* Reads one block; its first word decides. */
static int answer(struct mmctl_conn *c, char *block, uint64_t ms)
{
	int rc = mmctl_read_block(c, block, BLOCK_BYTES, ms);

	if (rc == -ETIMEDOUT)
		return die(EXIT_PROTOCOL, "no answer from mmserver in time", NULL);
	if (rc)
		return die(EXIT_PROTOCOL, "connection to mmserver lost", strerror(-rc));
	if (!strncmp(block, "error ", 6)) {
		char why[200];
		mm_ctl_field(block, "why", why, sizeof(why));
		return die(EXIT_FAILED, "mmserver refused the request", why);
	}
	return 0;
}

static int simple(const struct opts *o, const char *line, const char *expect)
{
	static struct mmctl_conn c;
	static char block[BLOCK_BYTES];
	int rc = open_conn(&c, o->socket);

	rc = rc ? rc : mmctl_send(&c, line) ? die(EXIT_UNREACHABLE, "send failed", NULL) : 0;
	rc = rc ? rc : answer(&c, block, ANSWER_MS);
	if (!rc && strncmp(block, expect, strlen(expect)))
		rc = die(EXIT_PROTOCOL, "unexpected answer", block);
	if (!rc && !o->quiet)
		fputs(block, stdout);
	mmctl_close(&c);
	return rc;
}

/* Runs argv once the memory is there; its exit status is ours. */
static int run_command(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return die(EXIT_FAILED, "fork", strerror(errno));
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "mmctl: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return die(EXIT_FAILED, "waitpid", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int reserve(const struct opts *o, const char *size, char **cmd)
{
	static struct mmctl_conn c;
	static char block[BLOCK_BYTES];
	char line[MM_CTL_LINE_MAX], extra[160] = "";
	uint64_t kib, wait_ms = (o->timeout_ms ? o->timeout_ms : 30000) + MARGIN_MS;
	int rc;

	if (mm_parse_size_kib(size, &kib) || kib < 1024)
		return die(EXIT_USAGE, "reserve SIZE: expected e.g. 2G or 512M, at least 1M", size);
	if (o->for_name)
		snprintf(extra, sizeof(extra), " for %s", o->for_name);
	snprintf(line, sizeof(line), "reserve %llu%s timeout %llus lease %llus%s\n",
	         (unsigned long long)kib, extra,
	         (unsigned long long)(o->timeout_ms ? o->timeout_ms / 1000 : 30),
	         (unsigned long long)(o->lease_ms ? o->lease_ms / 1000 : 120),
	         cmd ? "" : " detach");
	rc = open_conn(&c, o->socket);
	rc = rc ? rc : mmctl_send(&c, line) ? die(EXIT_UNREACHABLE, "send failed", NULL) : 0;
	rc = rc ? rc : answer(&c, block, ANSWER_MS); /* accepted */
	rc = rc ? rc : answer(&c, block, wait_ms);   /* met or failed */
	if (!rc && !strncmp(block, "failed ", 7)) {
		char why[200];
		mm_ctl_field(block, "reason", why, sizeof(why));
		fputs(block, stderr);
		rc = die(EXIT_FAILED, "reservation failed", why);
	} else if (!rc && strncmp(block, "met ", 4)) {
		rc = die(EXIT_PROTOCOL, "unexpected answer", block);
	}
	if (!rc && !o->quiet)
		fputs(block, stdout), fflush(stdout);
	if (!rc && cmd)
		rc = run_command(cmd); /* the connection holds the reservation meanwhile */
	mmctl_close(&c);
	return rc;
}

static int time_opt(const char *flag, const char *v, uint64_t *ms)
{
	if (mm_ctl_parse_time_ms(v, ms))
		return die(EXIT_USAGE, flag, "expected 1s to 1h, e.g. 30s or 2m");
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"socket", required_argument, NULL, 's'},  {"for", required_argument, NULL, 'f'},
	    {"timeout", required_argument, NULL, 't'}, {"lease", required_argument, NULL, 'l'},
	    {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0}};
	int ch, rc = 0;

	/* '+': options stop at the first word that is not one, so a COMMAND
	 * after -- keeps its own options */
	while (!rc && (ch = getopt_long(argc, argv, "+s:f:t:l:qh", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->socket = optarg; break;
		case 'f':
			if (!mm_ctl_name_ok(optarg))
				return die(EXIT_USAGE, "--for NAME: 1 to 63 letters, digits, _ . -",
				           optarg);
			o->for_name = optarg;
			break;
		case 't': rc = time_opt("--timeout", optarg, &o->timeout_ms); break;
		case 'l': rc = time_opt("--lease", optarg, &o->lease_ms); break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(EXIT_MET);
		case 'V': printf("mmctl " MM_VERSION "\n"); exit(EXIT_MET);
		default: return EXIT_USAGE;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {.socket = getenv("MMCTL_SOCKET")};
	const char *verb, *arg = NULL;
	char **cmd = NULL, line[64];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (!o.socket || !*o.socket)
		o.socket = MMCTL_DEFAULT_SOCKET;
	rc = parse(argc, argv, &o);
	if (rc)
		return rc;
	if (optind >= argc)
		return usage(stderr), EXIT_USAGE;
	verb = argv[optind++];
	if (!strcmp(verb, "reserve")) {
		if (optind >= argc)
			return die(EXIT_USAGE, "reserve needs a SIZE", NULL);
		arg = argv[optind++];
		rc = parse(argc, argv, &o); /* options may follow SIZE too */
		if (rc)
			return rc;
		if (optind < argc && !strcmp(argv[optind - 1], "--"))
			cmd = &argv[optind];
		else if (optind < argc)
			return die(EXIT_USAGE, "unexpected word (a command goes after --)",
			           argv[optind]);
		return reserve(&o, arg, cmd);
	}
	if (!strcmp(verb, "release") && optind + 1 == argc) {
		uint64_t id;
		if (mm_parse_u64(argv[optind], UINT32_MAX, &id) || !id)
			return die(EXIT_USAGE, "release ID: a reservation number", argv[optind]);
		snprintf(line, sizeof(line), "release %llu\n", (unsigned long long)id);
		return simple(&o, line, "ok ");
	}
	if ((!strcmp(verb, "status") || !strcmp(verb, "ping")) && optind == argc)
		return simple(&o, verb[0] == 's' ? "status\n" : "ping\n", "ok ");
	return die(EXIT_USAGE, "expected reserve SIZE, release ID, status or ping; see --help",
	           verb);
}
