#pragma once
// Process-wide allocator settings for the long batched commands (lorsa index, bench-index).

namespace lorsa::cli {

/// Keeps large freed blocks in the process instead of returning them to the system: a batched
/// pass allocates the same big temporaries every batch, and glibc's default (mmap/munmap above a
/// threshold, trimming the heap top) makes each of them page-fault afresh, which more than
/// halved `lorsa index`'s speed on the demo.
void reuseLargeAllocations();

} // namespace lorsa::cli
