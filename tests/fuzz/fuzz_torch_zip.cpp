// Fuzzes the torch.save reader: an input starting with "PK" is a whole zip archive
// (openTorchZip: zip directory, records, data.pkl, storages); anything else is a pickle program
// run by the RestrictedUnpickler directly, so the pickle opcodes get mutated without the zip around them.

#include "model/core/error.h"
#include "model/io/restricted_unpickler.h"
#include "tests/fuzz/fuzz_scratch.h"

using namespace lorsa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
            fuzz::readAll(*openTorchZip(fuzz::writeScratch("state.pth", data, size)));
        } else {
            RestrictedUnpickler pickle("data.pkl", data, size);
            (void)pickle.value(pickle.run());
        }
    } catch (const Error&) {
        // A clean refusal is the expected outcome for most inputs; anything else escapes and crashes.
    }
    return 0;
}
