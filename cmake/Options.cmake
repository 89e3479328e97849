# Validates the 2013 build options so a wrong value fails at configure time
# with a message that names the option, not later with a compiler error.
string(TOUPPER "${TAX_RATE}" _tax_rate_upper)
if(_tax_rate_upper STREQUAL "AUTO")
  set(MM_DEFAULT_POLICY "tax")
elseif(TAX_RATE MATCHES "^(0(\\.[0-9]+)?|1(\\.0+)?)$")
  set(MM_DEFAULT_POLICY "tax:${TAX_RATE}")
else()
  message(FATAL_ERROR "TAX_RATE='${TAX_RATE}': expected AUTO or a number from 0.0 to 1.0")
endif()

if(DEB AND RPM)
  message(FATAL_ERROR "DEB and RPM are exclusive: choose one package format per build tree")
endif()
