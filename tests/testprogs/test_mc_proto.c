/* memcached protocol encoder and decoder, table-driven: text and meta
 * replies, server errors, garbage, every partial prefix, pipelined input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mc_proto.h"

struct enc_case {
	enum mc_proto proto;
	enum mc_op op;
	const char *key, *value, *want; /* want NULL: expect rc */
	size_t cap;
	int rc;
};

static const struct enc_case enc_cases[] = {
    {MC_PROTO_TEXT, MC_OP_GET, "mc0001", "", "get mc0001\r\n", 64, 0},
    {MC_PROTO_TEXT, MC_OP_SET, "k", "abc", "set k 0 0 3\r\nabc\r\n", 64, 0},
    {MC_PROTO_TEXT, MC_OP_SET, "k", "", "set k 0 0 0\r\n\r\n", 64, 0},
    {MC_PROTO_META, MC_OP_GET, "mc0001", "", "mg mc0001 v\r\n", 64, 0},
    {MC_PROTO_META, MC_OP_SET, "k", "abc", "ms k 3\r\nabc\r\n", 64, 0},
    {MC_PROTO_TEXT, MC_OP_SET, "k", "abc", "set k 0 0 3\r\nabc\r\n", 18, 0}, /* exact fit */
    {MC_PROTO_TEXT, MC_OP_SET, "k", "abc", NULL, 17, -ENOSPC},
    {MC_PROTO_TEXT, MC_OP_GET, "mc0001", "", NULL, 11, -ENOSPC},
    {MC_PROTO_TEXT, MC_OP_GET, "", "", NULL, 64, -EINVAL},
    {MC_PROTO_TEXT, MC_OP_GET, "a b", "", NULL, 64, -EINVAL},
    {MC_PROTO_META, MC_OP_GET, "a\nb", "", NULL, 64, -EINVAL},
};

static void test_encode(void **state)
{
	char buf[300], key[300];

	(void)state;
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *c = &enc_cases[i];
		int rc = mc_encode(c->proto, c->op, c->key, strlen(c->key), c->value,
		                   strlen(c->value), buf, c->cap);
		if (!c->want) {
			assert_int_equal(rc, c->rc);
			continue;
		}
		assert_int_equal(rc, (int)strlen(c->want));
		assert_memory_equal(buf, c->want, strlen(c->want));
		assert_true((size_t)rc <= mc_encode_bound(strlen(c->key), strlen(c->value)));
	}
	memset(key, 'k', sizeof(key));
	assert_true(mc_encode(MC_PROTO_TEXT, MC_OP_GET, key, 250, "", 0, buf, sizeof(buf)) > 0);
	assert_int_equal(mc_encode(MC_PROTO_TEXT, MC_OP_GET, key, 251, "", 0, buf, sizeof(buf)),
	                 -EINVAL);
}

struct dec_case {
	const char *name;
	enum mc_proto proto;
	enum mc_op op;
	const char *in;
	int rc; /* > 0: bytes consumed (== strlen(in) unless pipelined) */
	enum mc_resp_kind kind;
	uint32_t value_len;
};

#define T MC_PROTO_TEXT
#define M MC_PROTO_META
#define G MC_OP_GET
#define S MC_OP_SET

static const struct dec_case dec_cases[] = {
    {"text hit", T, G, "VALUE mc1 0 3\r\nabc\r\nEND\r\n", 25, MC_RESP_HIT, 3},
    {"text hit with cas", T, G, "VALUE mc1 7 3 99\r\nabc\r\nEND\r\n", 28, MC_RESP_HIT, 3},
    {"text hit empty value", T, G, "VALUE k 0 0\r\n\r\nEND\r\n", 20, MC_RESP_HIT, 0},
    {"text hit value holds END", T, G, "VALUE k 0 7\r\n\r\nEND\r\n\r\nEND\r\n", 27, MC_RESP_HIT, 7},
    {"text miss", T, G, "END\r\n", 5, MC_RESP_MISS, 0},
    {"text stored", T, S, "STORED\r\n", 8, MC_RESP_STORED, 0},
    {"text not stored", T, S, "NOT_STORED\r\n", 12, MC_RESP_NOT_STORED, 0},
    {"text exists", T, S, "EXISTS\r\n", 8, MC_RESP_NOT_STORED, 0},
    {"server error", T, S, "SERVER_ERROR out of memory storing object\r\n", 43, MC_RESP_ERROR, 0},
    {"server error on get", T, G, "SERVER_ERROR busy\r\n", 19, MC_RESP_ERROR, 0},
    {"client error", T, S, "CLIENT_ERROR bad data chunk\r\n", 29, MC_RESP_ERROR, 0},
    {"plain error", M, G, "ERROR\r\n", 7, MC_RESP_ERROR, 0},
    {"meta hit", M, G, "VA 3\r\nabc\r\n", 11, MC_RESP_HIT, 3},
    {"meta hit flags", M, G, "VA 3 f0 t-1\r\nabc\r\n", 18, MC_RESP_HIT, 3},
    {"meta miss", M, G, "EN\r\n", 4, MC_RESP_MISS, 0},
    {"meta stored", M, S, "HD\r\n", 4, MC_RESP_STORED, 0},
    {"meta stored flags", M, S, "HD c5\r\n", 7, MC_RESP_STORED, 0},
    {"meta not stored", M, S, "NS\r\n", 4, MC_RESP_NOT_STORED, 0},
    {"pipelined: first only", T, G, "END\r\nVALUE k 0 1\r\nx\r\nEND\r\n", 5, MC_RESP_MISS, 0},
    {"stored for a get", T, G, "STORED\r\n", -EPROTO, 0, 0},
    {"end for a set", T, S, "END\r\n", -EPROTO, 0, 0},
    {"text reply to meta", M, G, "END\r\n", -EPROTO, 0, 0},
    {"bare LF", T, G, "END\n", -EPROTO, 0, 0},
    {"bad trailer", T, G, "VALUE k 0 3\r\nabcXXEND\r\n", -EPROTO, 0, 0},
    {"value length short", T, G, "VALUE k 0 2\r\nabc\r\nEND\r\n", -EPROTO, 0, 0},
    {"negative length", T, G, "VALUE k 0 -1\r\n", -EPROTO, 0, 0},
    {"length not a number", T, G, "VALUE k 0 x\r\n", -EPROTO, 0, 0},
    {"length missing", T, G, "VALUE k 0\r\n", -EPROTO, 0, 0},
    {"length over 1 MiB", M, G, "VA 1048577\r\n", -EPROTO, 0, 0},
    {"ERRORX is not ERROR", T, S, "ERRORX\r\n", -EPROTO, 0, 0},
    {"empty line", T, S, "\r\n", -EPROTO, 0, 0},
};

static void test_decode_table(void **state)
{
	struct mc_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *c = &dec_cases[i];
		int rc = mc_decode(c->proto, c->op, c->in, strlen(c->in), &r);
		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d", c->name, rc, c->rc);
		if (rc > 0 && (r.kind != c->kind || r.value_len != c->value_len))
			fail_msg("%s: kind %s len %u", c->name, mc_resp_name(r.kind), r.value_len);
	}
}

/* Every proper prefix of a valid reply is "incomplete" (0), never an error
 * or a wrong answer; once the header is in, need says the whole size. */
static void test_partial_prefixes(void **state)
{
	struct mc_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *c = &dec_cases[i];
		if (c->rc <= 0)
			continue;
		for (size_t n = 0; n < (size_t)c->rc; n++) {
			int rc = mc_decode(c->proto, c->op, c->in, n, &r);
			if (rc != 0)
				fail_msg("%s: prefix %zu gave %d", c->name, n, rc);
			if (r.need && r.need != (size_t)c->rc)
				fail_msg("%s: prefix %zu need %zu", c->name, n, r.need);
		}
	}
}

static void test_long_line(void **state)
{
	char buf[MC_LINE_MAX + 10];
	struct mc_resp r;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "SERVER_ERROR ", 13);
	assert_int_equal(mc_decode(MC_PROTO_TEXT, MC_OP_GET, buf, MC_LINE_MAX - 1, &r), 0);
	assert_int_equal(mc_decode(MC_PROTO_TEXT, MC_OP_GET, buf, sizeof(buf), &r), -EPROTO);
}

/* A big value arrives in pieces: need tells the caller the total, and the
 * decoder only succeeds with every byte there. */
static void test_big_value(void **state)
{
	static char buf[200000];
	size_t hdr = (size_t)snprintf(buf, sizeof(buf), "VALUE k 0 %d\r\n", 150000);
	size_t total = hdr + 150000 + 7;
	struct mc_resp r;

	(void)state;
	memset(buf + hdr, 'v', 150000);
	memcpy(buf + hdr + 150000, "\r\nEND\r\n", 7);
	assert_int_equal(mc_decode(MC_PROTO_TEXT, MC_OP_GET, buf, hdr + 10, &r), 0);
	assert_int_equal(r.need, total);
	assert_int_equal(mc_decode(MC_PROTO_TEXT, MC_OP_GET, buf, total, &r), (int)total);
	assert_int_equal(r.kind, MC_RESP_HIT);
	assert_int_equal(r.value_len, 150000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode),           cmocka_unit_test(test_decode_table),
	    cmocka_unit_test(test_partial_prefixes), cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_big_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
