/* The end-of-run metrics of a simulation: a table for people, JSON for
 * scripts (bench/, tests). */
#ifndef MM_SUMMARY_H
#define MM_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "mm_metrics.h"

void mm_summary_print(FILE *f, const char *scenario, const char *policy,
                      const struct mm_metrics *m);

/* The JSON summary as an object (new reference), NULL when out of memory. */
json_t *mm_summary_json(const char *scenario, const char *policy, const struct mm_metrics *m);

/* Writes the JSON summary to path; 0 or -errno. */
int mm_summary_write_json(const char *path, const char *scenario, const char *policy,
                          const struct mm_metrics *m);

#endif
