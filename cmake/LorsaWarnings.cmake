# One interface target carries the warning flags and sanitizer settings of our own code.
# Third-party headers arrive as SYSTEM includes, so their warnings stay out.
add_library(lorsa_warnings INTERFACE)
add_library(lorsa::warnings ALIAS lorsa_warnings)
# clang (the fuzz preset) has no -Wshadow=local. (Flag order kept: ccache keys on it.)
target_compile_options(lorsa_warnings INTERFACE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wnon-virtual-dtor)
if(LORSA_WERROR)
  target_compile_options(lorsa_warnings INTERFACE -Werror)
endif()
target_compile_definitions(lorsa_warnings INTERFACE
  QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII QT_NO_FOREACH QT_NO_NARROWING_CONVERSIONS_IN_CONNECT)
# Debian's LibTorch pulls Qt5 in (through OpenCV's highgui). An executable that exports its
# out-of-line copies of Qt6 inline functions would have Qt5's libraries bind to them (same
# mangled names) and crash before main in unoptimised builds: keep inline functions, and
# everything from static libraries, out of every executable's dynamic symbol table.
target_compile_options(lorsa_warnings INTERFACE -fvisibility-inlines-hidden)
# Not in the fuzz build: there clang links the sanitizer runtimes statically, and hiding their
# malloc/new from the shared libraries makes ASan see libstdc++'s allocations as wild frees.
if(NOT LORSA_FUZZ)
  target_link_options(lorsa_warnings INTERFACE LINKER:--exclude-libs,ALL)
endif()
if(LORSA_SANITIZE)
  target_compile_options(lorsa_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(lorsa_warnings INTERFACE -fsanitize=address,undefined)
endif()
# The fuzz preset (clang): our code gets libFuzzer's coverage instrumentation plus ASan/UBSan;
# only the harnesses link libFuzzer's main (tests/fuzz). UB aborts, so the fuzzer sees it.
if(LORSA_FUZZ)
  target_compile_options(lorsa_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(lorsa_warnings INTERFACE -fsanitize=address,undefined)
endif()

# Adds a static library of ours under model/, widgets/ or app/.
function(lorsa_add_library name)
  add_library(${name} STATIC)
  target_link_libraries(${name} PUBLIC lorsa::warnings)
  target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}")
endfunction()
