/* Reservations end to end in one process: the real loop and policy on the
 * simulator, the real control socket, clients scripted at simulated times
 * (ctl_harness.h). Issue 17's cases: met and claimed, refused with its
 * explanation, an expired lease, a client that disconnects, two at once,
 * hostile clients; and the scenario's own reservation against the same
 * scenario without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "ctl_harness.h"
#include "mm_ctl_proto.h"
#include "mm_log.h"

static struct run R;

static uint64_t field_u64(const char *text, const char *line_start, const char *key)
{
	const char *line = strstr(text, line_start);
	char v[64];

	if (!line || !mm_ctl_field(line, key, v, sizeof(v)))
		return UINT64_MAX;
	return strtoull(v, NULL, 10);
}

/* The scenario asks for 2G for vm4 at 20 s; vm4 is created at 30 s. With the
 * reservation it starts at once; without it, it waits 60 s and fails. */
static void test_scenario_start(void **state)
{
	const struct mm_guest_metrics *g;
	const struct mm_metrics *m;

	(void)state;
	assert_int_equal(h_run(&R, "resv-start", false, true), 0);
	g = h_guest(&R, "vm4");
	m = mm_backend_sim_metrics(R.b);
	assert_int_equal(g->start_result, 1);
	assert_int_equal(g->start_wait_ms, 0);
	assert_int_equal(g->shortfall_kib_ms, 0);
	assert_int_equal(m->resv_met, 1);
	assert_int_equal(m->resv_failed, 0);
	assert_true(m->resv_wait_max_ms <= 10000); /* asked at 20 s, vm4 came at 30 s */
	assert_int_equal(R.floor_breaches, 0);
	assert_int_equal(m->reserve_violation_ticks, 0);
	assert_int_equal(R.control.host.set.claimed, 1);
	h_dispose(&R);

	assert_int_equal(h_run(&R, "resv-start", false, false), 0);
	g = h_guest(&R, "vm4");
	assert_int_equal(g->start_result, 2);                  /* the balancer kept every byte */
	assert_in_range(g->start_wait_ms, 60000 - 100, 60000); /* the whole timeout, to a tick */
	assert_true(g->shortfall_kib_ms > 0);                  /* its demand went without */
	h_dispose(&R);
}

static void flush_end(void)
{
	mm_control_poll(&R.control, R.b->ops->mono_ms(R.b));
	for (int k = 0; k < H_CLIENTS; k++) {
		if (R.cli[k].fd >= 0)
			c_pump(&R.cli[k]);
		if (getenv("CTL_DUMP") && R.cli[k].len) /* to read what clients got */
			printf("--- client %d%s\n%s", k, R.cli[k].closed ? " (closed)" : "",
			       R.cli[k].buf);
	}
}

static void met_script(struct run *r, uint64_t t)
{
	if (r->step == 0 && t >= 10000) {
		assert_int_equal(c_connect(r, 0), 0);
		c_send(r, 0, "reserve 2G for vm4 timeout 30s\n", 31);
		r->step = 1;
	}
}

/* Met through the socket, then claimed when vm4 is created with it. */
static void test_met_claimed(void **state)
{
	const char *out;

	(void)state;
	R.script = met_script;
	assert_int_equal(h_run(&R, "resv-socket", true, false), 0);
	flush_end();
	out = R.cli[0].buf;
	assert_non_null(strstr(out, "accepted id=1 size_kib=2097152 for=vm4"));
	assert_non_null(strstr(out, "met id=1 size_kib=2097152 found_kib=2097152"));
	assert_true(field_u64(out, "met id=1", "waited_ms") <= 15000);
	assert_non_null(strstr(out, "ended id=1 why=claimed claimed_kib=2097152"));
	assert_int_equal(h_guest(&R, "vm4")->start_result, 1);
	assert_int_equal(h_guest(&R, "vm4")->start_wait_ms, 0);
	assert_int_equal(R.max_reserve_kib, 2 * 1024 * 1024);
	assert_int_equal(R.floor_breaches, 0);
	h_dispose(&R);
}

static void refused_script(struct run *r, uint64_t t)
{
	if (r->step == 0 && t >= 10000) {
		c_connect(r, 0);
		c_send(r, 0, "reserve 20G for vm4\n", 20);
		r->step = 1;
	}
}

/* Refused at once, with how much was found and who held what and why. */
static void test_refused(void **state)
{
	const char *out;

	(void)state;
	R.script = refused_script;
	assert_int_equal(h_run(&R, "resv-socket", true, false), 0);
	flush_end();
	out = R.cli[0].buf;
	assert_non_null(strstr(out, "failed id=1 why=refused size_kib=20971520"));
	assert_true(field_u64(out, "failed id=1", "waited_ms") <= 1000);
	assert_true(field_u64(out, "failed id=1", "short_kib") > 0);
	assert_true(field_u64(out, "failed id=1", "found_kib") > 1024 * 1024); /* some was */
	for (int i = 1; i <= 3; i++) {
		char line[32];
		snprintf(line, sizeof(line), "domain name=\"vm%d\"", i);
		assert_non_null(strstr(out, line));
		assert_true(field_u64(out, line, "can_give_kib") > 0);
	}
	assert_null(strstr(out, "met id=1"));
	assert_int_equal(h_guest(&R, "vm4")->start_result, 2); /* nothing was held */
	assert_int_equal(R.max_reserve_kib, 0);
	h_dispose(&R);
}

static void lease_script(struct run *r, uint64_t t)
{
	if (r->step == 0 && t >= 10000) {
		c_connect(r, 0);
		c_send(r, 0, "reserve 1G lease 5s detach\n", 27);
		r->step = 1;
	} else if (r->step == 1 && c_has(r, 0, "met id=1")) {
		c_close(r, 0); /* detached: it lives on without its client */
		c_connect(r, 1);
		c_send(r, 1, "status\n", 7);
		r->step = 2;
	} else if (r->step == 2 && t >= 30000) {
		c_connect(r, 2);
		c_send(r, 2, "status\n", 7);
		r->step = 3;
	}
}

/* A detached reservation outlives its client and ends with its lease. */
static void test_lease_expires(void **state)
{
	(void)state;
	R.script = lease_script;
	assert_int_equal(h_run(&R, "resv-socket", true, false), 0);
	flush_end();
	assert_int_equal(R.step, 3);
	assert_non_null(strstr(R.cli[1].buf, "ok reservations=1 reserved_kib=1048576"));
	assert_non_null(strstr(R.cli[1].buf, "reservation id=1 state=held"));
	assert_non_null(strstr(R.cli[2].buf, "ok reservations=0 reserved_kib=0"));
	assert_int_equal(field_u64(R.cli[2].buf, "ok ", "expired_total"), 1);
	h_dispose(&R);
}

static uint64_t sum_at_met;

static void gone_script(struct run *r, uint64_t t)
{
	if (r->step == 0 && t >= 10000) {
		c_connect(r, 0);
		c_send(r, 0, "reserve 1G\n", 11);
		r->step = 1;
	} else if (r->step == 1 && c_has(r, 0, "met id=1")) {
		sum_at_met = r->last_sum_target_kib;
		c_close(r, 0); /* attached: its reservation ends with it */
		r->step = 2;
		r->cli[1].len = 0;
	} else if (r->step == 2 && t >= 40000) {
		c_connect(r, 1);
		c_send(r, 1, "status\n", 7);
		r->step = 3;
	}
}

/* The client goes away: its reservation ends and the memory returns. */
static void test_disconnect(void **state)
{
	(void)state;
	R.script = gone_script;
	assert_int_equal(h_run(&R, "resv-socket", true, false), 0);
	flush_end();
	assert_int_equal(R.step, 3);
	assert_non_null(strstr(R.cli[1].buf, "ok reservations=0 reserved_kib=0"));
	assert_int_equal(field_u64(R.cli[1].buf, "ok ", "met_total"), 1);
	/* the guests got the gigabyte back */
	assert_true(R.last_sum_target_kib >= sum_at_met + 1000 * 1024);
	h_dispose(&R);
}

static void two_script(struct run *r, uint64_t t)
{
	if (r->step == 0 && t >= 10000) {
		c_connect(r, 0);
		c_connect(r, 1);
		c_send(r, 0, "reserve 1G for vm4\n", 19);
		c_send(r, 1, "reserve 1G timeout 20s\n", 23);
		r->step = 1;
	} else if (r->step == 1 && t >= 25000) {
		c_connect(r, 2);
		c_send(r, 2, "status\n", 7);
		r->step = 2;
	}
}

/* Two at once, from two clients: both met, both held, then vm4 claims its own. */
static void test_two_at_once(void **state)
{
	(void)state;
	R.script = two_script;
	assert_int_equal(h_run(&R, "resv-socket", true, false), 0);
	flush_end();
	assert_non_null(strstr(R.cli[0].buf, "met id=1 size_kib=1048576"));
	assert_non_null(strstr(R.cli[1].buf, "met id=2 size_kib=1048576"));
	assert_non_null(strstr(R.cli[2].buf, "ok reservations=2 reserved_kib=2097152"));
	assert_non_null(strstr(R.cli[0].buf, "ended id=1 why=claimed"));
	assert_int_equal(R.max_reserve_kib, 2 * 1024 * 1024);
	assert_int_equal(R.floor_breaches, 0);
	h_dispose(&R);
}

static size_t max_conns;
static int refused_conns;

static void hostile_script(struct run *r, uint64_t t)
{
	static char big[10000];

	if (r->control.ctl && mm_ctl_connections(r->control.ctl) > max_conns)
		max_conns = mm_ctl_connections(r->control.ctl);
	if (r->step == 0 && t >= 10000) {
		c_connect(r, 0);
		c_send(r, 0, "\x01\x02garbage\nreserve\nreserve 2G for ../../etc\n", 44);
		c_connect(r, 1);
		memset(big, 'a', sizeof(big));
		c_send(r, 1, big, sizeof(big));
		c_connect(r, 2);
		c_send(r, 2, "stat", 4); /* half a request, for ever */
		for (int k = 3; k < 23; k++)
			if (c_connect(r, k))
				refused_conns++;
		r->step = 1;
	} else if (r->step == 1 && t >= 25000) {
		for (int k = 3; k < 23; k++) {
			if (c_has(r, k, "too many connections"))
				refused_conns++;
			c_close(r, k);
		}
		r->step = 2;
	} else if (r->step == 2 && t >= 27000) {
		c_connect(r, 23);
		c_send(r, 23, "ping\nstatus\n", 12);
		r->step = 3;
	}
}

/* Garbage, a huge line, half a line, too many connections: each gets a
 * clear error or is closed, the loop never stops, a good client is served. */
static void test_hostile(void **state)
{
	(void)state;
	max_conns = 0;
	refused_conns = 0;
	R.script = hostile_script;
	assert_int_equal(h_run(&R, "resv-socket", true, false), 0);
	flush_end();
	assert_int_equal(R.step, 3);
	assert_non_null(strstr(R.cli[0].buf, "error why=\"control or non-ASCII byte"));
	assert_non_null(strstr(R.cli[0].buf, "error why=\"reserve needs a SIZE"));
	assert_non_null(strstr(R.cli[0].buf, "error why=\"for NAME"));
	assert_true(R.cli[0].closed); /* three errors: closed */
	assert_non_null(strstr(R.cli[1].buf, "error why=\"request longer than 256 bytes\""));
	assert_true(R.cli[1].closed);
	assert_true(R.cli[2].closed); /* the half request timed out */
	assert_int_equal(R.cli[2].len, 0);
	assert_true(max_conns <= MM_CTL_CONN_MAX);
	assert_true(refused_conns >= 1);
	assert_non_null(strstr(R.cli[23].buf, "ok pong\n\nok reservations=0"));
	assert_int_equal(R.control.host.set.next_id, 0); /* nothing was reserved */
	assert_true(R.rounds >= 110);                    /* 120 s at 1 s: the loop never stalled */
	h_dispose(&R);
}

/* A failed assertion leaves the run up: close its socket for the next. */
static int teardown(void **state)
{
	(void)state;
	h_dispose(&R);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_scenario_start, teardown),
	    cmocka_unit_test_teardown(test_met_claimed, teardown),
	    cmocka_unit_test_teardown(test_refused, teardown),
	    cmocka_unit_test_teardown(test_lease_expires, teardown),
	    cmocka_unit_test_teardown(test_disconnect, teardown),
	    cmocka_unit_test_teardown(test_two_at_once, teardown),
	    cmocka_unit_test_teardown(test_hostile, teardown),
	};
	signal(SIGPIPE, SIG_IGN);
	mm_log_init("test_ctl_loop", false, MM_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
