# One INTERFACE target carries the strict warning set and the sanitizer flags;
# every project target links it, nothing else sets flags.
add_library(mm_warnings INTERFACE)
target_compile_options(mm_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual -Wvla -Werror=implicit-function-declaration)
target_compile_definitions(mm_warnings INTERFACE _GNU_SOURCE)
if(SANITIZE)
  target_compile_options(mm_warnings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(mm_warnings INTERFACE -fsanitize=address,undefined)
endif()
