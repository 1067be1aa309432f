# Sanitizer and fuzzing builds. They live in their own build trees, never in
# build/ (scripts/test.sh: build-asan/ with clang, ASan+UBSan and the fuzz
# targets; build-tsan/ with clang and TSan):
#   OPSCALE_SANITIZER   "" (none), "address" (ASan + UBSan) or "thread" (TSan)
#   OPSCALE_FUZZ        ON: add fuzz/ (libFuzzer; clang and "address" only)
#   OPSCALE_SANITIZER_TESTS  the unit tests (opscale_test names) such a tree
#                       builds and registers; the others are left out of it
# In a sanitizer tree only the unit tests and the fuzz targets exist as
# tests (apps/ and tests/ are not configured), labelled "sanitized" and
# "fuzz"; `cmake --build <tree> --target opscale_sanitized` builds them all.
set(OPSCALE_SANITIZER "" CACHE STRING "Sanitizer build: \"\", address or thread")
option(OPSCALE_FUZZ "Build the libFuzzer targets in fuzz/ (clang, OPSCALE_SANITIZER=address)" OFF)
set(OPSCALE_SANITIZER_TESTS "" CACHE STRING "Unit tests a sanitizer tree builds (;-list)")

if(OPSCALE_SANITIZER STREQUAL "")
  if(OPSCALE_FUZZ)
    message(FATAL_ERROR "OPSCALE_FUZZ needs -DOPSCALE_SANITIZER=address")
  endif()
  return()
endif()

# Full debug info costs much compile time; line tables are enough for the
# reports' stacks. -O1: the sanitizers' usual level (fast enough, builds
# quicker than -O2). Assertions stay on.
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1")
add_compile_options(-fno-omit-frame-pointer)
if(OPSCALE_SANITIZER STREQUAL "address")
  # Any UBSan report aborts (and so fails the test or the fuzz run).
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
elseif(OPSCALE_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread)
  add_link_options(-fsanitize=thread)
else()
  message(FATAL_ERROR "OPSCALE_SANITIZER must be \"\", address or thread")
endif()

if(OPSCALE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT OPSCALE_SANITIZER STREQUAL "address")
    message(FATAL_ERROR "OPSCALE_FUZZ needs clang (CXX=clang++) and OPSCALE_SANITIZER=address")
  endif()
  # Coverage instrumentation for everything the fuzz targets link; only the
  # targets themselves link libFuzzer's main (-fsanitize=fuzzer, fuzz/).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

add_custom_target(opscale_sanitized)
