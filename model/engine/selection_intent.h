#pragma once
/// \file
/// What the explorer wants selected once a prompt is analysed, and the one rule that turns that
/// intent into a concrete selection. It travels with the analysis request and is resolved on the
/// worker, so that the GUI never picks a head from a result and then asks again.

#include "model/engine/analysis.h"

#include <optional>

namespace lorsa {

/// The selected query token, Lorsa OV head and MHSA head.
struct Selection {
    int32_t queryToken = 0;
    int32_t lorsaHead = 0;
    std::optional<int32_t> mhsaHead;  ///< empty: the MHSA head most similar to the Lorsa head

    bool operator==(const Selection& other) const
    {
        return queryToken == other.queryToken && lorsaHead == other.lorsaHead && mhsaHead == other.mhsaHead;
    }
    bool operator!=(const Selection& other) const { return !(*this == other); }
};

struct SelectionIntent {
    enum class Query {
        Keep,              ///< selection.queryToken, clamped to the prompt
        FollowEnd,         ///< the last token (typing at the end of the prompt)
        StrongestForHead,  ///< where selection.lorsaHead's activation is largest in magnitude
    };
    enum class Head {
        Keep,                ///< selection.lorsaHead, clamped to the Lorsa's heads
        StrongestAtQuery,    ///< the most active head at the resolved query token
        StrongestInduction,  ///< strongestInductionHead (head and token), else StrongestAtQuery
    };
    Query query = Query::FollowEnd;
    Head head = Head::Keep;
    Selection selection;  ///< the current selection that Keep keeps; its mhsaHead passes through
};

struct HeadAtToken {
    int32_t head = 0;
    int32_t token = 0;
};

/// The OV head to start on: among heads reading an induction QK head (induction score within 10%
/// of the best), the one with the largest activation at a token that repeats an earlier token,
/// and that token (the QK head of an OV head is the engine's, SessionConstants::qkHeadOfOv).
/// Nothing when the analysis has no head scores or none of those heads fires.
std::optional<HeadAtToken> strongestInductionHead(const PromptAnalysis& analysis);

/// \p intent on \p analysis. Without a Lorsa (no OV heads) the head is 0; an empty prompt
/// resolves to token 0.
Selection resolveSelection(const PromptAnalysis& analysis, const SelectionIntent& intent);

} // namespace lorsa
