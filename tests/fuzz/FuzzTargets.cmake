# The fuzz targets as a library: linked by the libFuzzer harnesses (fuzz preset) and by the
# normal suite's test_fuzz_regressions, which replays tests/data/fuzz-regressions/.
add_library(lorsa_fuzz_targets STATIC ${CMAKE_CURRENT_LIST_DIR}/fuzz_scratch.cpp ${CMAKE_CURRENT_LIST_DIR}/fuzz_targets.cpp)
target_link_libraries(lorsa_fuzz_targets PUBLIC lorsa::warnings lorsa::torch lorsa_io lorsa_tokenizer lorsa_transformer lorsa_sae)
target_include_directories(lorsa_fuzz_targets PUBLIC "${PROJECT_SOURCE_DIR}")
target_compile_definitions(lorsa_fuzz_targets PRIVATE LORSA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
