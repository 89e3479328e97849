/* The -v view: one table per round on a terminal, for people watching. */
#ifndef MM_TABLE_H
#define MM_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "mm_round.h"

/* redraw: clear the screen first (stdout is a terminal). */
void mm_table_print(FILE *f, const struct mm_round *r, bool redraw);

#endif
