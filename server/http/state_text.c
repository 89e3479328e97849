/* The /api/v1/state document written straight into a buffer, byte for byte
 * what json_dumps(mm_http_state_json(r), JSON_COMPACT | MM_HTTP_JSON_FLAGS)
 * gives (test_http_hist checks it), without building a jansson tree: at 100
 * domains the tree took 430 KiB of short-lived allocations per round, most of
 * the heap mmserver --http kept. Keys are written in sorted order by hand.
 * The /footprint array likewise (its tree's small pieces, made every round,
 * left holes between the history ring's rounds). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "http_render.h"

static void put_u64(struct mm_buf *b, const char *key, uint64_t v)
{
	mm_buf_printf(b, "\"%s\":%" PRIu64 ",", key,
	              v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v);
}

static void put_opt_u64(struct mm_buf *b, const char *key, bool present, uint64_t v)
{
	if (present)
		put_u64(b, key, v);
	else
		mm_buf_printf(b, "\"%s\":null,", key);
}

/* jansson's real: %.9g, a ".0" when it reads like an integer, the exponent
 * without "+" and leading zeros. */
static void put_real(struct mm_buf *b, const char *key, bool present, double v)
{
	char num[64];
	size_t len;

	if (!present || !isfinite(v)) {
		mm_buf_printf(b, "\"%s\":null,", key);
		return;
	}
	snprintf(num, sizeof(num) - 3, "%.9g", v);
	if (!strchr(num, '.') && !strchr(num, 'e'))
		strcat(num, ".0");
	char *e = strchr(num, 'e');
	if (e) {
		char *start = e + 1, *end = e + 2;
		if (*start == '-')
			start++;
		else if (*start == '+')
			end = start + 1;
		while (*end == '0' && end[1])
			end++;
		len = strlen(end);
		memmove(start, end, len + 1);
	}
	mm_buf_printf(b, "\"%s\":%s,", key, num);
}

/* A JSON string as jansson writes it: ", \ and control characters escaped,
 * UTF-8 kept. Bytes that are not UTF-8 are written as \u00XX (jansson
 * refuses such a string; a name from a guest must not blank the page). */
static void put_str(struct mm_buf *b, const char *s, size_t n)
{
	mm_buf_append(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t k = 0;
		if (c >= 0xc2 && c <= 0xf4) /* a lead byte: how many continuation bytes */
			k = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
		size_t j = 1;
		while (j <= k && i + j < n && ((unsigned char)s[i + j] & 0xc0) == 0x80)
			j++;
		if (k && j == k + 1) {
			mm_buf_append(b, s + i, k + 1);
			i += k;
		} else if (c == '"' || c == '\\') {
			mm_buf_printf(b, "\\%c", c);
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
			mm_buf_printf(b, "\\%c", "bfnrt"[strchr("\b\f\n\r\t", c) - "\b\f\n\r\t"]);
		} else if (c < 0x20 || c >= 0x80) {
			mm_buf_printf(b, "\\u%04X", (unsigned)c);
		} else {
			mm_buf_append(b, s + i, 1);
		}
	}
	mm_buf_append(b, "\"", 1);
}

static void put_key_str(struct mm_buf *b, const char *key, const char *s, size_t n)
{
	mm_buf_printf(b, "\"%s\":", key);
	put_str(b, s, n);
	mm_buf_append(b, ",", 1);
}

static void put_flags(struct mm_buf *b, uint32_t f)
{
	mm_buf_printf(b, "\"flags\":{\"capped\":%s,\"no_report\":%s,\"stale\":%s,\"stuck\":%s},",
	              f & MM_FLAG_CAPPED ? "true" : "false",
	              f & MM_FLAG_NO_REPORT ? "true" : "false",
	              f & MM_FLAG_STALE ? "true" : "false", f & MM_FLAG_STUCK ? "true" : "false");
}

/* Overwrites the trailing comma with the closing bracket. */
static void close_with(struct mm_buf *b, char c)
{
	if (b->len && b->data[b->len - 1] == ',')
		b->data[b->len - 1] = c;
	else
		mm_buf_append(b, &c, 1);
}

static void put_dom(struct mm_buf *b, const struct mm_round_dom *d)
{
	const struct mm_report *rep = &d->report;
	bool ok = d->has_report, swap = ok && (rep->has & MM_REPORT_HAS_SWAP);

	mm_buf_append(b, "{", 1);
	put_u64(b, "actual_kib", d->actual_kib);
	put_opt_u64(b, "avail_kib", ok && (rep->has & MM_REPORT_HAS_AVAIL), rep->avail_kib);
	put_u64(b, "domid", d->domid);
	put_flags(b, d->flags);
	put_u64(b, "floor_kib", d->floor_kib);
	put_opt_u64(b, "free_kib", ok, rep->free_kib);
	mm_buf_printf(b, "\"has_report\":%s,", ok ? "true" : "false");
	put_u64(b, "invalid_reports", d->invalid_reports);
	put_u64(b, "maxmem_kib", d->maxmem_kib);
	put_key_str(b, "name", d->name, strnlen(d->name, sizeof(d->name)));
	put_u64(b, "prev_target_kib", d->prev_target_kib);
	put_real(b, "psi_some10", ok && (rep->has & MM_REPORT_HAS_PSI),
	         rep->psi_some10_centi / 100.0);
	mm_buf_printf(b, "\"reason\":\"%s\",", mm_reason_name(d->reason));
	put_opt_u64(b, "report_age_ms", ok, d->report_age_ms);
	put_opt_u64(b, "report_seq", ok && (rep->has & MM_REPORT_HAS_SEQ), rep->seq);
	put_opt_u64(b, "swap_total_kib", swap, rep->swap_total_kib);
	put_opt_u64(b, "swap_used_kib", swap, rep->swap_used_kib);
	put_u64(b, "target_kib", d->target_kib);
	put_opt_u64(b, "tot_kib", ok, rep->tot_kib);
	put_opt_u64(b, "used_kib", ok,
	            rep->tot_kib > rep->free_kib ? rep->tot_kib - rep->free_kib : 0);
	close_with(b, '}');
}

static void put_resv(struct mm_buf *b, const struct mm_round *r)
{
	mm_buf_append(b, "\"reservations\":[", 16);
	for (size_t i = 0; r->resv && i < MM_RESV_MAX; i++) {
		const struct mm_resv *x = &r->resv->r[i];
		if (!mm_resv_live(x))
			continue;
		mm_buf_append(b, "{", 1);
		put_u64(b, "age_ms", mm_resv_since(r->resv->now_ms, x->created_ms));
		put_u64(b, "claimed_kib", x->claimed_kib);
		put_key_str(b, "for", x->for_name, strnlen(x->for_name, sizeof(x->for_name)));
		put_u64(b, "found_kib", x->found_kib);
		put_u64(b, "id", x->id);
		put_u64(b, "size_kib", x->size_kib);
		mm_buf_printf(b, "\"state\":\"%s\"},", mm_resv_state_name(x->state));
	}
	close_with(b, ']');
	mm_buf_append(b, ",", 1);
}

void mm_http_state_text(const struct mm_round *r, struct mm_buf *b)
{
	uint64_t sum_target = 0, sum_actual = 0;

	for (size_t i = 0; i < r->n; i++) {
		sum_target += r->dom[i].target_kib;
		sum_actual += r->dom[i].actual_kib;
	}
	mm_buf_append(b, "{", 1);
	put_u64(b, "cost_us", r->cost_us);
	mm_buf_append(b, "\"domains\":[", 11);
	for (size_t i = 0; i < r->n; i++) {
		put_dom(b, &r->dom[i]);
		mm_buf_append(b, ",", 1);
	}
	close_with(b, ']');
	mm_buf_append(b, ",", 1);
	put_u64(b, "free_goal_kib", r->free_goal_kib);
	put_u64(b, "host_free_kib", r->host_free_kib);
	put_u64(b, "n", r->n);
	if (r->policy)
		put_key_str(b, "policy", r->policy, strlen(r->policy));
	else
		mm_buf_puts(b, "\"policy\":null,");
	put_u64(b, "pool_kib", r->pool_kib);
	put_resv(b, r);
	put_u64(b, "reserve_kib", r->reserve_kib);
	put_u64(b, "reserved_kib", r->resv ? r->resv->reserved_kib : 0);
	put_u64(b, "seq", r->seq);
	put_u64(b, "sum_actual_kib", sum_actual);
	put_u64(b, "sum_target_kib", sum_target);
	put_real(b, "tau", true, r->tau);
	put_u64(b, "time_ms", r->time_ms);
	put_u64(b, "v", 1);
	put_u64(b, "writes", r->writes);
	close_with(b, '}');
}

void mm_http_footprint_text(const struct mm_round *r, struct mm_buf *b)
{
	mm_buf_append(b, "[", 1);
	for (size_t i = 0; i < r->n; i++) {
		const struct mm_round_dom *d = &r->dom[i];
		const struct mm_report *rep = &d->report;
		if (d->has_report)
			mm_buf_printf(
			    b, "[%" PRId64 ",%" PRId64 ",%" PRId64 "],", (int64_t)rep->tot_kib,
			    (int64_t)(rep->tot_kib > rep->free_kib ? rep->tot_kib - rep->free_kib
			                                           : 0),
			    (int64_t)rep->free_kib);
		else
			mm_buf_append(b, "[0,0,0],", 8);
	}
	close_with(b, ']');
}
