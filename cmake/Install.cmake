# The installed layout (cmake --install, make install, CPack, debian/, rpm/),
# in three components that match the packages:
#   server: mmserver, its unit, config example, logrotate, the canvas page,
#           the scenarios and the 2013 traces they replay, the Prometheus example
#   client: mmclient, its unit and SysV script
#   tools:  the workloads (installed by testprogs/), set-mem.sh, deploy-deb.sh
# Man pages are given their component by cmake/Man.cmake.
set(MM_DATA_DIR ${CMAKE_INSTALL_DATADIR}/xenmm)
set(MM_SYSTEMD_UNIT_DIR "" CACHE PATH
  "Where the systemd units go (default PREFIX/lib/systemd/system; Debian 12: /lib/systemd/system)")
if(NOT MM_SYSTEMD_UNIT_DIR)
  set(MM_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(RPM)
  set(_mm_env_dir /etc/sysconfig)
else()
  set(_mm_env_dir /etc/default)
endif()
set(MM_ENV_DIR "${_mm_env_dir}" CACHE PATH
  "Folder of the units' environment files mmserver and mmclient (default /etc/default; RPM=ON: /etc/sysconfig)")
# The unit's LogsDirectory=xenmm is always /var/log/xenmm.
set(MM_LOG_DIR "/var/log/xenmm")
# mmserver reads this path unless -c says otherwise (server/mm_config.h).
set(MM_CONFIG_FILE "/etc/xenmm/mmserver.conf")

set(_mm_units ${CMAKE_BINARY_DIR}/systemd)
foreach(unit mmserver mmclient)
  configure_file(${CMAKE_SOURCE_DIR}/systemd/${unit}.service.in ${_mm_units}/${unit}.service
    @ONLY)
endforeach()

if(TARGET mmclient)
  install(FILES ${_mm_units}/mmclient.service DESTINATION ${MM_SYSTEMD_UNIT_DIR}
    COMPONENT client)
  install(PROGRAMS ${CMAKE_SOURCE_DIR}/script/mmclientd DESTINATION ${MM_DATA_DIR}/script
    COMPONENT client)
  install(FILES ${CMAKE_SOURCE_DIR}/etc/mmclient.default DESTINATION ${MM_ENV_DIR}
    RENAME mmclient COMPONENT client)
endif()

if(ONLY_CLIENT)
  return()
endif()

install(PROGRAMS ${CMAKE_SOURCE_DIR}/script/set-mem.sh ${CMAKE_SOURCE_DIR}/script/deploy-deb.sh
  DESTINATION ${MM_DATA_DIR}/script COMPONENT tools)

install(FILES ${_mm_units}/mmserver.service DESTINATION ${MM_SYSTEMD_UNIT_DIR} COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/etc/mmserver.conf DESTINATION /etc/xenmm COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/etc/mmserver.default DESTINATION ${MM_ENV_DIR}
  RENAME mmserver COMPONENT server)
configure_file(${CMAKE_SOURCE_DIR}/etc/xenmm-server.logrotate.in
  ${CMAKE_BINARY_DIR}/etc/xenmm-server @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/etc/xenmm-server
  DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/etc/prometheus-xenmm.yml
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/xenmm/examples COMPONENT server)

# The page mmserver --http serves (server/main.c looks here by default).
if(SOCK)
  install(FILES ${CMAKE_SOURCE_DIR}/canvas/index.html ${CMAKE_SOURCE_DIR}/canvas/style.css
    ${CMAKE_SOURCE_DIR}/canvas/favicon.svg DESTINATION ${MM_DATA_DIR}/canvas COMPONENT server)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/canvas/js DESTINATION ${MM_DATA_DIR}/canvas
    COMPONENT server FILES_MATCHING PATTERN "*.js")
  install(FILES ${CMAKE_SOURCE_DIR}/canvas/vendor/uplot/uPlot.iife.min.js
    ${CMAKE_SOURCE_DIR}/canvas/vendor/uplot/uPlot.min.css
    ${CMAKE_SOURCE_DIR}/canvas/vendor/uplot/VERSION
    DESTINATION ${MM_DATA_DIR}/canvas/vendor/uplot COMPONENT server)
endif()

# Scenarios: the replays name their traces relative to the scenario file
# (../tests/data/traces/...); installed, the traces sit in ../traces/.
file(GLOB _mm_scenarios CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.json)
foreach(src ${_mm_scenarios})
  get_filename_component(name ${src} NAME)
  file(READ ${src} text)
  string(REPLACE "../tests/data/traces/" "../traces/" text "${text}")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/scenarios-installed/${name} CONTENT "${text}")
  install(FILES ${CMAKE_BINARY_DIR}/scenarios-installed/${name}
    DESTINATION ${MM_DATA_DIR}/scenarios COMPONENT server)
endforeach()
# configs some scenarios are run with (weights.json with -c weights.conf)
file(GLOB _mm_scenario_confs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.conf)
install(FILES ${_mm_scenario_confs} DESTINATION ${MM_DATA_DIR}/scenarios COMPONENT server)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/tests/data/traces/xenmm-2013
  DESTINATION ${MM_DATA_DIR}/traces COMPONENT server)
