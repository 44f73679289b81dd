# One interface target carries the warning flags and sanitizer settings of our own code.
# Third-party headers arrive as SYSTEM includes, so their warnings stay out.
add_library(lorsa_warnings INTERFACE)
add_library(lorsa::warnings ALIAS lorsa_warnings)
target_compile_options(lorsa_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
if(LORSA_WERROR)
  target_compile_options(lorsa_warnings INTERFACE -Werror)
endif()
target_compile_definitions(lorsa_warnings INTERFACE
  QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII QT_NO_FOREACH QT_NO_NARROWING_CONVERSIONS_IN_CONNECT)
if(LORSA_SANITIZE)
  target_compile_options(lorsa_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(lorsa_warnings INTERFACE -fsanitize=address,undefined)
endif()

# Adds a static library of ours under model/, widgets/ or app/.
function(lorsa_add_library name)
  add_library(${name} STATIC)
  target_link_libraries(${name} PUBLIC lorsa::warnings)
  target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}")
endfunction()
