// Fuzzes the two config.json readers with the same bytes: the model's (loadModelConfig) and the
// Lorsa's (loadLorsaConfig, both generations). The weight files a Lorsa config requires exist
// (empty: the config reader only checks they are there).

#include "model/core/error.h"
#include "model/lorsa/lorsa_config.h"
#include "model/transformer/model_config.h"
#include "tests/fuzz/fuzz_scratch.h"

using namespace lorsa;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    fuzz::writeScratch("checkpoint/sae_weights.safetensors", std::string());
    fuzz::writeScratch("checkpoint/final.pth", std::string());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto dir = fuzz::writeScratch("checkpoint/config.json", data, size).parent_path();
    try {
        (void)loadModelConfig(dir);
    } catch (const Error&) {
    }
    try {
        (void)loadLorsaConfig(dir);
    } catch (const Error&) {
    }
    return 0;
}
