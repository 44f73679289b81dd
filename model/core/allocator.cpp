#include "model/core/allocator.h"

#include <cstdlib>

#ifdef LORSA_WITH_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#endif

namespace lorsa {

std::string mallocAllocator()
{
#ifdef LORSA_WITH_TCMALLOC
    // Linked is not enough: tcmalloc serves malloc only when it precedes libc in the lookup order.
    void* probe = std::calloc(1, 64);
    const bool serves = MallocExtension_GetOwnership(probe) == MallocExtension_kOwned;
    std::free(probe);
    if (serves) {
        int major = 0;
        int minor = 0;
        const char* patch = nullptr;
        tc_version(&major, &minor, &patch);
        return "tcmalloc " + std::to_string(major) + "." + std::to_string(minor) + (patch ? patch : "");
    }
#endif
    return "glibc malloc";
}

} // namespace lorsa
