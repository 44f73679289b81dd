// Fuzzes the torch.save reader: an input starting with "PK" is a whole zip archive (zip
// directory, records, data.pkl, storages); anything else is a pickle program run by the
// RestrictedUnpickler directly, so that its opcodes are mutated without the zip around them.

#include "model/core/error.h"
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        lorsa::fuzz::runTarget(size >= 2 && data[0] == 'P' && data[1] == 'K' ? "torch-zip" : "pickle", data, size);
    } catch (const lorsa::Error&) {
        // The clean refusal; any other exception escapes and libFuzzer reports it.
    }
    return 0;
}
