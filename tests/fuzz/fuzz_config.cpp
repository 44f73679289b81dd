// Fuzzes both config.json readers with the same bytes: the model's (loadModelConfig) and the
// Lorsa's (loadLorsaConfig, both checkpoint generations).

#include "model/core/error.h"
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    for (const char* target : {"model-config", "lorsa-config"}) {
        try {
            lorsa::fuzz::runTarget(target, data, size);
        } catch (const lorsa::Error&) {
            // The clean refusal; any other exception escapes and libFuzzer reports it.
        }
    }
    return 0;
}
