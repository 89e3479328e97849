# CPack for the 2013 options: -DDEB=ON or -DRPM=ON, then `make package` (or
# `cpack`) writes one package per install component, named as debian/ and
# rpm/ name them: xenmm-server, xenmm-client, xenmm-tools. With ONLY_CLIENT=ON
# only xenmm-client is made. These are quick local packages; the distribution
# packages are built by debian/ (dpkg-buildpackage) and rpm/xenmm.spec.
set(CPACK_PACKAGE_NAME xenmm)
set(CPACK_PACKAGE_VENDOR "xenmm")
set(CPACK_PACKAGE_CONTACT "xenmm developers <xenmm@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "memory balancer for Xen guests")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/COPYING)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)

if(ONLY_CLIENT)
  set(CPACK_COMPONENTS_ALL client)
else()
  set(CPACK_COMPONENTS_ALL server client tools)
endif()

set(_mm_sum_server "xenmm balancer for Xen dom0 (mmserver, live page, scenarios)")
set(_mm_sum_client "xenmm guest reporter for Xen domU (mmclient)")
set(_mm_sum_tools "xenmm workloads and helper scripts (mm_test_*, mm_bench_mc, set-mem.sh)")

if(DEB)
  set(CPACK_GENERATOR DEB)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_SECTION admin)
  set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
  foreach(c server client tools)
    string(TOUPPER ${c} C)
    set(CPACK_DEBIAN_${C}_PACKAGE_NAME xenmm-${c})
    set(CPACK_COMPONENT_${C}_DESCRIPTION "${_mm_sum_${c}}")
  endforeach()
  # /etc files are conffiles: an edited config survives an upgrade.
  file(WRITE ${CMAKE_BINARY_DIR}/cpack/server/conffiles
    "/etc/xenmm/mmserver.conf\n/etc/logrotate.d/xenmm-server\n")
  set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/cpack/server/conffiles)
elseif(RPM)
  set(CPACK_GENERATOR RPM)
  set(CPACK_RPM_COMPONENT_INSTALL ON)
  set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
  set(CPACK_RPM_PACKAGE_LICENSE "GPL-3.0-or-later")
  set(CPACK_RPM_PACKAGE_RELEASE 1)
  set(CPACK_RPM_PACKAGE_AUTOREQ ON)
  foreach(c server client tools)
    string(TOUPPER ${c} C)
    set(CPACK_RPM_${C}_PACKAGE_NAME xenmm-${c})
    set(CPACK_RPM_${C}_PACKAGE_SUMMARY "${_mm_sum_${c}}")
  endforeach()
  set(CPACK_RPM_SERVER_USER_FILELIST "%config(noreplace) /etc/xenmm/mmserver.conf"
    "%config(noreplace) ${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d/xenmm-server")
  # Folders the system owns, kept out of the packages' file lists.
  set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc /etc/logrotate.d /etc/sysconfig
    /etc/default /usr/sbin /usr/bin /lib
    /lib/systemd /lib/systemd/system /usr/lib/systemd /usr/lib/systemd/system
    /usr/share/man /usr/share/man/man1 /usr/share/man/man5 /usr/share/man/man8
    /usr/share/doc)
endif()

include(CPack)
