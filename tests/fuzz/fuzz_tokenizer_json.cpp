// Fuzzes tokenizer.json loading (Tokenizer::fromJsonText); a tokenizer that loads encodes and
// decodes a fixed text once.

#include "model/core/error.h"
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        lorsa::fuzz::runTarget("tokenizer-json", data, size);
    } catch (const lorsa::Error&) {
        // The clean refusal; any other exception escapes and libFuzzer reports it.
    }
    return 0;
}
