// The version and commit, apart from build_info.cpp: the generated header changes with every
// commit, and only this small LibTorch-free file should recompile then.

#include "model/core/build_info.h"

#include "lorsa_git_commit.h"  // generated at build time (cmake/GitCommit.cmake)

namespace lorsa {

std::string lorsaVersion()
{
    return LORSA_VERSION;
}

std::string gitCommit()
{
    return LORSA_GIT_COMMIT;
}

} // namespace lorsa
