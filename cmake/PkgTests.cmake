# Tests of the installed layout that run in the build tree: the generated
# systemd units pass `systemd-analyze verify` (when systemd-analyze exists),
# the config example holds every key and checks. (deploy-deb.sh has its own
# test in tests/experiment.)
# The packages themselves are built, linted and installed into a fresh root by
# tests/pkg/run.sh, a step of script/test.sh (minutes, not a CTest test).
find_program(SYSTEMD_ANALYZE systemd-analyze)
if(SYSTEMD_ANALYZE AND MM_HAVE_XENSTORE AND RST2MAN)
  add_test(NAME pkg_units_verify COMMAND sh ${CMAKE_SOURCE_DIR}/tests/pkg/verify-units.sh
    ${CMAKE_BINARY_DIR} ${CMAKE_INSTALL_FULL_SBINDIR})
else()
  message(STATUS "systemd-analyze, mmclient or rst2man missing: pkg_units_verify is not run")
endif()

add_test(NAME pkg_config_example COMMAND sh ${CMAKE_SOURCE_DIR}/tests/pkg/test_config_example.sh
  $<TARGET_FILE:mmserver> ${CMAKE_SOURCE_DIR}/etc/mmserver.conf)
