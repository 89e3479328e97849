/* The backends mmserver can run on, as one table: --backend NAME picks a
 * row, and main() never learns more than the row's open(). */
#ifndef MM_BACKENDS_H
#define MM_BACKENDS_H

#include <jansson.h>

#include "backend.h"
#include "mm_options.h"

struct mm_backend_kind {
	const char *name;
	const char *help; /* one line for --help and refusals */
	/* Opens the backend for the options; may fill settings the command line
	 * left open (a scenario's pool, say). 0, or an MM_EXIT_* code after
	 * printing one line that says why to stderr. */
	int (*open)(const struct mm_options *o, struct mm_settings *s, struct mm_backend **out);
	/* Called once after the run (a simulation's summary); may be NULL.
	 * 0, or MM_EXIT_RUNTIME when what it had to write could not be. */
	int (*finish)(const struct mm_options *o, struct mm_backend *b, const char *policy);
	/* The finished run's summary for the canvas ("finished" in the state
	 * document, with "kind"); may be NULL. New reference, or NULL. */
	json_t *(*summary)(struct mm_backend *b, const char *policy);
};

/* NULL-terminated, in the order --help lists them. */
extern const struct mm_backend_kind *const mm_backend_kinds[];

/* The row called name, or NULL after printing the known names to stderr. */
const struct mm_backend_kind *mm_backend_kind_find(const char *name);

#endif
