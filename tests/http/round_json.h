/* Test helper: builds a struct mm_round from a JSON description (the golden
 * cases' input.json), so adding a case needs no C. */
#ifndef MM_TEST_ROUND_JSON_H
#define MM_TEST_ROUND_JSON_H

#include <jansson.h>

#include "mm_round.h"

/* Fills r (r->dom and r->policy allocated); 0 or -EINVAL with a message in err. */
int round_from_json(json_t *in, struct mm_round *r, char *err, size_t errlen);
void round_dispose(struct mm_round *r);

#endif
