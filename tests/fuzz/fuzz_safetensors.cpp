// Fuzzes the safetensors header parser and the sharded index parser. An input starting with '{'
// is an index (a safetensors file starts with its 8-byte header length, so seeds of either
// kind keep their meaning).

#include "model/core/error.h"
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        lorsa::fuzz::runTarget(size > 0 && data[0] == '{' ? "safetensors-index" : "safetensors", data, size);
    } catch (const lorsa::Error&) {
        // The clean refusal; any other exception escapes and libFuzzer reports it.
    }
    return 0;
}
