# FUZZ=ON: build every library with libFuzzer's coverage hooks and ASan +
# UBSan (Debian's clang-14 and libclang-rt-14-dev), and the targets of
# tests/fuzz as libFuzzer programs. Use its own build folder:
#   CC=clang-14 cmake -S . -B build-fuzz -DFUZZ=ON && cmake --build build-fuzz --target fuzz_all
# With FUZZ=OFF (the default) the same targets are built with a replay main
# that runs the seed corpus once, as ordinary tests.
option(FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang)" OFF)
if(FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FUZZ=ON needs clang (libFuzzer): configure a fresh folder with "
      "CC=clang-14, e.g. CC=clang-14 cmake -S . -B build-fuzz -DFUZZ=ON")
  endif()
  if(SANITIZE)
    message(FATAL_ERROR "FUZZ=ON already builds with ASan + UBSan: leave SANITIZE off")
  endif()
  target_compile_options(mm_warnings INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_link_options(mm_warnings INTERFACE -fsanitize=address,undefined)
endif()
