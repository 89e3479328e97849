# Man pages: every man/**/NAME.SECTION.rst becomes NAME.SECTION with rst2man
# (python3-docutils), built with the project and installed by section, each
# in the install component of its program (cmake/Install.cmake).
find_program(RST2MAN NAMES rst2man rst2man.py)
if(NOT RST2MAN)
  message(STATUS "rst2man not found: man pages are not built (install python3-docutils)")
  return()
endif()
file(GLOB_RECURSE MM_MAN_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.rst)
set(MM_MAN_PAGES "")
foreach(src ${MM_MAN_SOURCES})
  get_filename_component(page ${src} NAME_WE)
  get_filename_component(full ${src} NAME)
  string(REGEX REPLACE "\\.rst$" "" out ${full})       # mmserver.8
  string(REGEX REPLACE "^.*\\." "" section ${out})     # 8
  set(dst ${CMAKE_BINARY_DIR}/man/${out})
  add_custom_command(OUTPUT ${dst}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${RST2MAN} --halt=error ${src} ${dst}
    DEPENDS ${src} COMMENT "man page ${out}")
  if(page MATCHES "^mmclient")
    set(component client)
  elseif(page MATCHES "^(mmserver|mmctl)") # mmctl talks to mmserver in dom0
    set(component server)
  else()
    set(component tools)
  endif()
  if(ONLY_CLIENT AND NOT component STREQUAL "client")
    continue()
  endif()
  list(APPEND MM_MAN_PAGES ${dst})
  install(FILES ${dst} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component})
endforeach()
add_custom_target(man ALL DEPENDS ${MM_MAN_PAGES})
