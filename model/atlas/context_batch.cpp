#include "model/atlas/context_batch.h"

namespace lorsa {

ContextBatch makeContextBatch(const AtlasCorpus& corpus, const std::vector<int64_t>& ordinals, int64_t batch, int64_t context)
{
    ContextBatch result;
    result.tokens = at::full({batch, context}, corpus.bos, at::TensorOptions().dtype(at::kLong));
    auto* data = result.tokens.data_ptr<int64_t>();
    for (int64_t row = 0; row < batch; ++row) {
        if (row >= static_cast<int64_t>(ordinals.size())) {
            result.lengths.push_back(0);
            result.ordinals.push_back(-1);
            continue;
        }
        const auto ordinal = ordinals[static_cast<size_t>(row)];
        const auto& span = corpus.contexts.at(static_cast<size_t>(ordinal));
        for (int64_t i = 0; i < span.length; ++i)
            data[row * context + 1 + i] = corpus.tokens[static_cast<size_t>(span.offset + i)];
        result.lengths.push_back(span.length + 1);
        result.ordinals.push_back(ordinal);
    }
    return result;
}

} // namespace lorsa
