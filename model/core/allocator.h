#pragma once
/// \file
/// Which allocator serves malloc in this process. LibTorch allocates every CPU temporary with
/// posix_memalign; glibc hands large ones back to the kernel on free, so each forward faults its
/// pages in again. gperftools' tcmalloc keeps and reuses them (docs/BENCHMARKS.md, "Allocator").

#include <string>

namespace lorsa {

/// "tcmalloc 2.10" when the build links tcmalloc (LORSA_TCMALLOC) and it serves malloc, else
/// "glibc malloc" (sanitizer and fuzz builds, the CUDA engine build).
std::string mallocAllocator();

} // namespace lorsa
