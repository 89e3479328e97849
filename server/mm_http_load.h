/* Finds and loads mmserver's HTTP module (mm_http_module.h). */
#ifndef MM_HTTP_LOAD_H
#define MM_HTTP_LOAD_H

#include <stddef.h>

#include "mm_http_module.h"

/* The module's path: the build tree's when this mmserver runs from its build
 * tree (exe_path under build_dir), else the installed one. */
const char *mm_http_module_path(const char *exe_path, const char *build_dir,
                                const char *build_module, const char *installed_module);

/* dlopens path and checks its table: exported, same version, same round
 * layout. Returns the table, or NULL with a sentence in err that names the
 * file and what is wrong with it. The module stays loaded until exit. */
const struct mm_http_module *mm_http_module_load(const char *path, const char *version, char *err,
                                                 size_t errlen);

#endif
