/* Console command parser (see mc_ctl.h). Numbers go through the strict
 * parsers of common/mm_parse.h: "rate 2e4" or "add -1" are refused. */
#include "mc_ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mc_opts.h"
#include "mm_parse.h"

const char mc_ctl_help[] = "commands: add N | remove N | rate OPS | pause | resume | stop | "
                           "status | help";

static const struct {
	const char *word;
	enum mc_ctl_op op;
	int arg; /* 0 none, 1 count, 2 rate */
} verbs[] = {
    {"add", MC_CTL_ADD, 1},       {"remove", MC_CTL_REMOVE, 1}, {"rate", MC_CTL_RATE, 2},
    {"pause", MC_CTL_PAUSE, 0},   {"resume", MC_CTL_RESUME, 0}, {"stop", MC_CTL_STOP, 0},
    {"status", MC_CTL_STATUS, 0}, {"help", MC_CTL_HELP, 0},
};

const char *mc_ctl_name(enum mc_ctl_op op)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].op == op)
			return verbs[i].word;
	return "none";
}

int mc_ctl_parse(const char *line, struct mc_ctl_msg *m, char *why, size_t why_len)
{
	char buf[128], *save = NULL, *verb, *arg, *extra;
	uint64_t v;

	memset(m, 0, sizeof(*m));
	if (strlen(line) >= sizeof(buf)) {
		snprintf(why, why_len, "line too long");
		return -EINVAL;
	}
	strcpy(buf, line);
	verb = strtok_r(buf, " \t\r\n", &save);
	if (!verb)
		return 0;
	arg = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verb, verbs[i].word) != 0)
			continue;
		if (extra || (verbs[i].arg == 0 && arg) || (verbs[i].arg && !arg)) {
			snprintf(why, why_len, "%s takes %s", verb,
			         verbs[i].arg == 0   ? "no argument"
			         : verbs[i].arg == 1 ? "one count of connections"
			                             : "one rate in requests/s, e.g. 'rate 20000'");
			return -EINVAL;
		}
		m->op = verbs[i].op;
		if (verbs[i].arg == 1 && (mm_parse_u64(arg, MC_CONNS_MAX, &v) || v == 0)) {
			snprintf(why, why_len, "%s: '%s' is not a count from 1 to %d", verb, arg,
			         MC_CONNS_MAX);
			return -EINVAL;
		}
		if (verbs[i].arg == 2 && mm_parse_u64(arg, 100000000, &v)) {
			snprintf(why, why_len, "rate: '%s' is not a whole number of requests/s",
			         arg);
			return -EINVAL;
		}
		if (verbs[i].arg == 1)
			m->n = (uint32_t)v;
		if (verbs[i].arg == 2)
			m->rate_per_s = (double)v;
		return 0;
	}
	snprintf(why, why_len, "unknown command '%s' (%s)", verb, mc_ctl_help);
	return -EINVAL;
}
