/* The replay reader (server/replay): logs as mmserver -d writes them, turned
 * back into rounds; restarts, garbage rows, unknown reasons, columns in
 * another order, missing files; pacing and the stop flag. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mm_replay.h"

#define ROUNDS_HDR "time_ms\tn\tpool_kib\thost_free_kib\ttau\tpolicy\tround_cost_us\twrites\n"
#define DOM_HDR                                                                                    \
	"time_ms\tdomid\ttarget_kib\tactual_kib\ttot_kib\tfree_kib\tused_kib\tswap_used_"          \
	"kib\ttau\t"                                                                               \
	"reason\n"

struct fix {
	char dir[64];
	struct mm_settings set;
};

static void put(struct fix *f, const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/mm-replay-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->set.free_kib = 153600;
	f->set.reserve_kib = 65536;
	f->set.floor_kib = 204800;
	f->set.nfloors = 1;
	snprintf(f->set.floors[0].name, sizeof(f->set.floors[0].name), "b");
	f->set.floors[0].kib = 307200;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static const struct mm_round_dom *dom(const struct mm_round *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->dom[i].name, name))
			return &r->dom[i];
	return NULL;
}

/* Three rounds; b leaves after the first; a's reasons set flags. */
static void test_rounds(void **state)
{
	struct fix *f = *state;
	struct mm_replay rp;
	struct mm_round r;
	char err[300];

	put(f, "rounds.tsv",
	    ROUNDS_HDR "1000\t2\t4194304\t1048576\t0.250000\ttax\t12\t2\n"
	               "2000\t1\t4194304\t1000000\t0.500000\ttax\t10\t1\n"
	               "3000\t1\t4194304\t900000\t1.000000\ttax:0.75\t9\t0\n");
	put(f, "a.log",
	    DOM_HDR "1000\t1\t1048576\t1048576\t1048576\t200000\t848576\t0\t0.25\tgrow\n"
	            "2000\t1\t1100000\t1048576\t1048576\t100000\t948576\t4096\t0.5\tmaxmem\n"
	            "3000\t1\t1100000\t1100000\t1100000\t90000\t1010000\t4096\t1.0\tstuck\n");
	put(f, "b.log", DOM_HDR "1000\t2\t524288\t524288\t0\t0\t0\t0\t0.25\tno_report\n");
	put(f, "notes.txt", "not a log\n");
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.nrounds, 3);
	assert_int_equal(rp.ndoms, 2);
	assert_int_equal(rp.skipped_rows, 0);

	mm_replay_round(&rp, 0, &f->set, &r);
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.time_ms, 1000);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.pool_kib, 4194304);
	assert_int_equal(r.host_free_kib, 1048576);
	assert_int_equal(r.writes, 2);
	assert_int_equal(r.free_goal_kib, 153600);
	assert_int_equal(r.reserve_kib, 65536);
	assert_string_equal(r.policy, "tax");
	const struct mm_round_dom *a = dom(&r, "a"), *b = dom(&r, "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->has_report);
	assert_int_equal(a->reason, MM_REASON_GROW);
	assert_int_equal(a->prev_target_kib, 1048576); /* first row: no move */
	assert_int_equal(a->maxmem_kib, 1100000);      /* the largest seen */
	assert_int_equal(a->floor_kib, 204800);
	assert_false(b->has_report);
	assert_int_equal(b->flags, MM_FLAG_NO_REPORT);
	assert_int_equal(b->floor_kib, 307200); /* its own floor from the settings */

	mm_replay_round(&rp, 1, &f->set, &r);
	assert_int_equal(r.n, 1); /* b left */
	a = dom(&r, "a");
	assert_int_equal(a->prev_target_kib, 1048576);
	assert_int_equal(a->target_kib, 1100000);
	assert_int_equal(a->flags, MM_FLAG_CAPPED);
	assert_int_equal(a->report.swap_used_kib, 4096);
	mm_replay_round(&rp, 2, &f->set, &r);
	assert_string_equal(r.policy, "tax:0.75");
	assert_int_equal(dom(&r, "a")->flags, MM_FLAG_STUCK);
	mm_replay_free(&rp);
}

/* Logs append: a second run in the same folder; only the last one plays. */
static void test_last_run(void **state)
{
	struct fix *f = *state;
	struct mm_replay rp;
	struct mm_round r;
	char err[300];

	put(f, "rounds.tsv",
	    ROUNDS_HDR "1000\t1\t100\t100\t0\ttax\t1\t0\n2000\t1\t100\t100\t0\ttax\t1\t0\n"
	               "# restart time_ms=0\n"
	               "1000\t1\t200\t100\t0\tequal\t1\t0\n2000\t1\t200\t100\t0\tequal\t1\t0\n"
	               "3000\t1\t200\t100\t0\tequal\t1\t0\n");
	put(f, "a.log",
	    DOM_HDR "1000\t1\t9\t9\t9\t1\t8\t0\t0\thold\n2000\t1\t99999\t9\t9\t1\t8\t0\t0\thold\n"
	            "# restart time_ms=0\n"
	            "1000\t1\t10\t10\t10\t1\t9\t0\t0\thold\n2000\t1\t11\t10\t10\t1\t9\t0\t0\thold\n"
	            "3000\t1\t12\t10\t10\t1\t9\t0\t0\thold\n");
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.nrounds, 3);
	assert_int_equal(rp.dom[0].maxmem_kib, 12); /* not the first run's 99999 */
	mm_replay_round(&rp, 0, &f->set, &r);
	assert_int_equal(r.pool_kib, 200);
	assert_int_equal(r.dom[0].target_kib, 10);
	mm_replay_free(&rp);
}

/* Garbage rows are skipped and counted, never fatal; an unknown reason
 * (a newer server) reads as hold; columns are found by name. */
static void test_garbage(void **state)
{
	struct fix *f = *state;
	struct mm_replay rp;
	struct mm_round r;
	char err[300];

	put(f, "rounds.tsv",
	    "writes\ttime_ms\tpolicy\tround_cost_us\ttau\thost_free_kib\tpool_kib\tn\textra\n"
	    "1\t1000\ttax\t5\t0.5\t100\t200\t1\tx\n"
	    "x\t2000\ttax\t5\t0.5\t100\t200\t1\tx\n" /* bad number */
	    "1\t3000\ttax\t5\t0.5\n"                 /* too few fields */
	    "1\t4000\ttax\t5\tnan?\t100\t200\t1\tx\n"
	    "1\t5000\ttax\t5\t0.5\t100\t200\t1\tx\n"
	    "1\t6000\ttax\t5\t0.5\t100"); /* cut off */
	put(f, "a.log",
	    DOM_HDR "1000\t1\t10\t10\t10\t1\t9\t0\t0\tnot-a-reason-yet\n"
	            "5000\t1\t10\t10\t10\t11\t9\t0\t0\thold\n" /* free > tot */
	            "junk\n");
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.nrounds, 2);
	assert_int_equal(rp.skipped_rows, 6);
	assert_int_equal(rp.unknown_reasons, 1);
	mm_replay_round(&rp, 0, &f->set, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.dom[0].reason, MM_REASON_HOLD);
	mm_replay_round(&rp, 1, &f->set, &r);
	assert_int_equal(r.n, 0); /* its row at 5000 was garbage */
	mm_replay_free(&rp);
}

static void test_errors(void **state)
{
	struct fix *f = *state;
	struct mm_replay rp;
	char err[300];

	assert_int_equal(mm_replay_load("/nonexistent/xenmm", &rp, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "/nonexistent/xenmm/rounds.tsv"));
	put(f, "rounds.tsv", ROUNDS_HDR);
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), -ENODATA);
	assert_non_null(strstr(err, "no round"));
	put(f, "rounds.tsv", ROUNDS_HDR "1000\t1\t100\t100\t0\ttax\t1\t0\n");
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), -ENODATA);
	assert_non_null(strstr(err, "no domain log"));
	put(f, "other.log", "some\tother\tlog\n1\t2\t3\n");
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), -ENODATA);
}

static size_t published;
static volatile sig_atomic_t stop_after2;

static void count(void *arg, const struct mm_round *r)
{
	(void)arg;
	assert_int_equal(r->seq, published + 1);
	if (++published == 2)
		stop_after2 = 1;
}

static void test_play(void **state)
{
	struct fix *f = *state;
	struct mm_replay rp;
	char err[300];
	volatile sig_atomic_t never = 0;

	put(f, "rounds.tsv",
	    ROUNDS_HDR "1000\t1\t100\t100\t0\ttax\t1\t0\n1010\t1\t100\t100\t0\ttax\t1\t0\n"
	               "1020\t1\t100\t100\t0\ttax\t1\t0\n");
	put(f, "a.log", DOM_HDR "1000\t1\t10\t10\t10\t1\t9\t0\t0\thold\n");
	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), 0);
	published = 0;
	assert_int_equal(mm_replay_play(&rp, &f->set, 0, &never, count, NULL), 3);
	mm_replay_free(&rp);

	assert_int_equal(mm_replay_load(f->dir, &rp, err, sizeof(err)), 0);
	published = 0;
	stop_after2 = 0; /* 10 ms gaps at speed 2: 5 ms sleeps, then the stop */
	assert_int_equal(mm_replay_play(&rp, &f->set, 2, &stop_after2, count, NULL), 2);
	mm_replay_free(&rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_play, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
