/* Golden tests of the pure renderers: every folder under golden/ holds an
 * input.json (a round) and the expected state JSON, and optionally the
 * expected footprint and metrics. MM_GOLDEN_UPDATE=1 rewrites them. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "http_render.h"
#include "round_json.h"

#define GOLDEN_DIR MM_SOURCE_DIR "/tests/http/golden"
#define MIN_CASES  6

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* Compares text with the golden file (or writes it in update mode). */
static void check_golden(const char *dir, const char *file, const char *text, bool optional)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);

	if (getenv("MM_GOLDEN_UPDATE")) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	char *want = slurp(path);
	if (!want && optional)
		return;
	if (!want)
		fail_msg("missing %s", path);
	if (strcmp(want, text) != 0)
		fail_msg("%s differs; got:\n%s", path, text);
	free(want);
}

static char *dump(json_t *v)
{
	assert_non_null(v);
	char *s = json_dumps(v, JSON_INDENT(2) | MM_HTTP_JSON_FLAGS);
	assert_non_null(s);
	json_decref(v);
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	assert_non_null(t);
	memcpy(t + n, "\n", 2);
	return t;
}

static void test_case(void **state)
{
	const char *dir = *state;
	char path[1024], err[256] = "";
	json_error_t je;
	struct mm_round r;

	snprintf(path, sizeof(path), "%s/input.json", dir);
	json_t *in = json_load_file(path, 0, &je);
	if (!in)
		fail_msg("%s:%d:%d: %s", path, je.line, je.column, je.text);
	if (round_from_json(in, &r, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	json_decref(in);

	char *state_text = dump(mm_http_state_json(&r));
	check_golden(dir, "expected.json", state_text, false);
	char *foot = dump(mm_http_footprint_json(&r));
	check_golden(dir, "expected.footprint.json", foot, true);

	struct mm_http_totals t = {.rounds = r.seq, .writes = r.writes, .cost_us = r.cost_us};
	struct mm_buf b;
	size_t len;
	mm_buf_init(&b);
	mm_http_metrics_text(&r, &t, &b);
	char *metrics = mm_buf_take(&b, &len);
	assert_non_null(metrics);
	check_golden(dir, "expected.metrics", metrics, true);

	free(state_text);
	free(foot);
	free(metrics);
	round_dispose(&r);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct CMUnitTest *)a)->name, ((const struct CMUnitTest *)b)->name);
}

int main(void)
{
	struct CMUnitTest tests[64];
	size_t n = 0;
	DIR *d = opendir(GOLDEN_DIR);
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "cannot open %s\n", GOLDEN_DIR);
		return 1;
	}
	while ((e = readdir(d)) && n < sizeof(tests) / sizeof(tests[0])) {
		char *dir;
		struct stat st;
		if (e->d_name[0] == '.' || asprintf(&dir, "%s/%s", GOLDEN_DIR, e->d_name) < 0)
			continue;
		if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
			free(dir);
			continue;
		}
		tests[n++] = (struct CMUnitTest){strdup(e->d_name), test_case, NULL, NULL, dir};
	}
	closedir(d);
	if (n < MIN_CASES) {
		fprintf(stderr, "only %zu golden cases under %s\n", n, GOLDEN_DIR);
		return 1;
	}
	qsort(tests, n, sizeof(tests[0]), by_name);
	int rc = _cmocka_run_group_tests("state_json", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		free((void *)(uintptr_t)tests[i].name);
		free(tests[i].initial_state);
	}
	return rc;
}
