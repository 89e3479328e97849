# Optional dependencies, found once here and said plainly at configure time.
# What each one adds (Debian package in brackets; `bash script/setup.sh test`
# installs them all, `bash script/setup.sh demo` only what the simulator needs):
#   xenlight + xenstore + xentoollog [libxen-dev]: mmserver's xen backend,
#       mmclient, the Xen tests (tests/xen, tests/double)
#   cmocka [libcmocka-dev]: the tests
# Without the Xen libraries mmserver still builds, with the simulator backend.
pkg_check_modules(XEN_XENSTORE QUIET IMPORTED_TARGET GLOBAL xenstore)
pkg_check_modules(XEN_XENLIGHT QUIET IMPORTED_TARGET GLOBAL xenlight)
pkg_check_modules(XEN_XTL QUIET IMPORTED_TARGET GLOBAL xentoollog)

set(MM_HAVE_XENSTORE ${XEN_XENSTORE_FOUND})
if(XEN_XENSTORE_FOUND AND XEN_XENLIGHT_FOUND AND XEN_XTL_FOUND)
  set(MM_HAVE_XEN ON)
else()
  set(MM_HAVE_XEN OFF)
endif()

if(ONLY_CLIENT AND NOT MM_HAVE_XENSTORE)
  message(FATAL_ERROR "ONLY_CLIENT=ON builds mmclient, which needs libxenstore: "
    "pkg-config cannot find 'xenstore' (install libxen-dev)")
endif()

# The normal variable MM_SKIP shadows the cache entry of the same name for this
# tree only: the folders that need Xen are left out (server/xen, tests/xen).
if(NOT ONLY_CLIENT)
  if(MM_HAVE_XEN)
    message(STATUS "Xen libraries found (xenlight ${XEN_XENLIGHT_VERSION}): "
      "building the xen backend and mmclient")
  else()
    set(MM_SKIP ${MM_SKIP} xen)
    if(MM_HAVE_XENSTORE)
      set(_mm_what "mmserver gets the simulator backend only (mmclient is built)")
    else()
      set(_mm_what "mmserver gets the simulator backend only; mmclient is not built")
    endif()
    message(WARNING "Xen libraries not found (pkg-config: xenlight, xenstore, xentoollog; "
      "Debian package libxen-dev): ${_mm_what}, and the Xen tests are left out. "
      "Install them with: bash script/setup.sh test")
  endif()
endif()

set(MM_HAVE_CMOCKA OFF)
if(BUILD_TESTING AND NOT ONLY_CLIENT)
  pkg_check_modules(CMOCKA QUIET IMPORTED_TARGET GLOBAL cmocka)
  if(CMOCKA_FOUND)
    set(MM_HAVE_CMOCKA ON)
  else()
    message(WARNING "cmocka not found (Debian package libcmocka-dev): the tests are not built. "
      "Install it with: bash script/setup.sh test, or configure with -DBUILD_TESTING=OFF")
  endif()
endif()
