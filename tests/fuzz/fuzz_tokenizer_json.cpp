// Fuzzes tokenizer.json loading (Tokenizer::fromJsonText). A tokenizer that loads also encodes
// and decodes a fixed text, so that components the loader accepted are run once.

#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"

#include <string_view>

using namespace lorsa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto tokenizer = Tokenizer::fromJsonText({reinterpret_cast<const char*>(data), size}, "tokenizer.json");
        const auto encoding = tokenizer.encode("Hello, wörld!  It's 2024\n\t<|endoftext|> ok");
        (void)tokenizer.decode(encoding.ids);
        for (const auto id : encoding.ids)
            (void)tokenizer.tokenText(id);
        (void)tokenizer.vocabSize();
    } catch (const Error&) {
    }
    return 0;
}
