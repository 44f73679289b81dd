// Fuzzes the safetensors header parser (openSafetensors) and the sharded index parser
// (openShardedSafetensors). An input starting with '{' is an index (a safetensors file starts
// with its 8-byte header length, so seeds of either kind keep their meaning); it is read next
// to two valid shards written once at start-up.

#include "model/core/error.h"
#include "tests/fuzz/fuzz_scratch.h"

#include <ATen/ATen.h>

using namespace lorsa;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    writeSafetensors(fuzz::scratchDir() / "model-00001-of-00002.safetensors",
                     {{"embed.weight", at::arange(12, at::kFloat).reshape({3, 4})}, {"ln.bias", at::zeros({4})}});
    writeSafetensors(fuzz::scratchDir() / "model-00002-of-00002.safetensors",
                     {{"head.weight", at::ones({2, 3}, at::kBFloat16)}, {"pos", at::arange(5, at::kLong)}},
                     {{"format", "pt"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        if (size > 0 && data[0] == '{')
            fuzz::readAll(*openShardedSafetensors(fuzz::writeScratch("model.safetensors.index.json", data, size)));
        else
            fuzz::readAll(*openSafetensors(fuzz::writeScratch("model.safetensors", data, size)));
    } catch (const Error&) {
        // A clean refusal is the expected outcome for most inputs; anything else escapes and crashes.
    }
    return 0;
}
