/* The module's one export: mm_http.h's entry points in a table, with the
 * version and layout mmserver checks before it calls any of them. */
#include "mm_http.h"
#include "mm_http_module.h"
#include "mm_options.h"

_Static_assert((size_t)MM_HISTORY_DEFAULT_KIB << 10 == MM_HTTP_HISTORY_DEFAULT_BYTES,
               "mmserver --history's default is the HTTP module's");

#ifndef MM_VERSION
#error "MM_VERSION must be defined"
#endif

__attribute__((visibility("default"))) const struct mm_http_module mm_http_module = {
    .version = MM_VERSION,
    .round_size = sizeof(struct mm_round),
    .start_history = mm_http_start_history,
    .port = mm_http_port,
    .publish = mm_http_publish,
    .finish = mm_http_finish,
    .stop = mm_http_stop,
};
