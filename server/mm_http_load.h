/* Loads mmserver's HTTP module (mm_http_module.h) and checks it. */
#ifndef MM_HTTP_LOAD_H
#define MM_HTTP_LOAD_H

#include <stddef.h>

#include "mm_http_module.h"

/* dlopens path and checks its table: exported, same version, same round
 * layout. Returns the table, or NULL with a sentence in err that names the
 * file and what is wrong with it. The module stays loaded until exit. */
const struct mm_http_module *mm_http_module_load(const char *path, const char *version, char *err,
                                                 size_t errlen);

#endif
