// Fuzzes encoding arbitrary bytes with the tokenizers of the test data and the demo: the first
// byte picks the tokenizer and whether special tokens are added, the rest is the text. Token
// spans must lie inside the input and only invalid text may be refused (fuzz_targets.cpp).

#include "model/core/error.h"
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    lorsa::fuzz::runTarget("tokenize", reinterpret_cast<const uint8_t*>("\0a"), 2);  // loads the tokenizers once
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        lorsa::fuzz::runTarget("tokenize", data, size);
    } catch (const lorsa::Error&) {
        // Invalid UTF-8 (the target turns any other kind of refusal into a crash).
    }
    return 0;
}
