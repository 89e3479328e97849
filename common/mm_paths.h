/* Every xenstore path and key xenmm uses, in one place for the client, the
 * server and the scripts' documentation. Paths are relative to
 * /local/domain/<domid>/ unless they start with '/' or '@'. */
#ifndef MM_PATHS_H
#define MM_PATHS_H

#define MM_XS_DOMAIN_FMT  "/local/domain/%u"
#define MM_XS_MEMORY_DIR  "memory"            /* the guest's memory/ dir: one watch covers all */
#define MM_XS_REPORT      "memory/report"     /* v=1 report, owned by the guest */
#define MM_XS_LEGACY_FREE "memory/free"       /* 2013 client: MemFree+Cached, KiB */
#define MM_XS_LEGACY_TOT  "memory/tot"        /* 2013 client: MemTotal, KiB */
#define MM_XS_TARGET      "memory/target"     /* balloon target, KiB, written by libxl */
#define MM_XS_STATIC_MAX  "memory/static-max" /* maxmem, KiB */
/* HVM: VGA memory, KiB. libxl writes target - videoram into memory/target
 * (libxl_mem.c) while the allocation counts the VGA pages. */
#define MM_XS_VIDEORAM        "memory/videoram"
#define MM_XS_NAME            "name"
#define MM_XS_WATCH_INTRODUCE "@introduceDomain"
#define MM_XS_WATCH_RELEASE   "@releaseDomain"

#endif
