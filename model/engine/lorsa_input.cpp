#include "model/engine/lorsa_input.h"

#include "model/core/error.h"

#include <algorithm>
#include <cstdio>

namespace lorsa {

std::string inputModeName(LorsaInputMode mode)
{
    return mode == LorsaInputMode::Normalized ? "normalized" : "affine";
}

LorsaInputMode parseInputMode(const std::string& name)
{
    if (name == "normalized" || name == "normalised")
        return LorsaInputMode::Normalized;
    if (name == "affine")
        return LorsaInputMode::Affine;
    throw Error(ErrorKind::InvalidInput, "unknown Lorsa input '" + name + "' (expected affine or normalized)");
}

std::string InputModeEvidence::summary() const
{
    std::string line = "Lorsa input: " + inputModeName(chosen) + " (" + how + ")";
    if (fvuNormalized && fvuAffine) {
        char numbers[160];
        std::snprintf(numbers, sizeof numbers, "; calibration FVU normalized %.4f, affine %.4f over %lld tokens",
                      *fvuNormalized, *fvuAffine, static_cast<long long>(calibrationTokens));
        line += numbers;
    }
    return line;
}

InputModeEvidence decideInputMode(double fvuNormalized, double fvuAffine, LorsaInputMode fallback, int64_t tokens)
{
    InputModeEvidence evidence;
    evidence.fvuNormalized = fvuNormalized;
    evidence.fvuAffine = fvuAffine;
    evidence.calibrationTokens = tokens;
    const double best = std::min(fvuNormalized, fvuAffine);
    const double worst = std::max(fvuNormalized, fvuAffine);
    const bool finite = best == best && worst == worst;
    if (finite && best < kUsefulFvu && best < kDecisiveRatio * worst) {
        evidence.chosen = fvuNormalized <= fvuAffine ? LorsaInputMode::Normalized : LorsaInputMode::Affine;
        evidence.how = "detected";
    } else {
        evidence.chosen = fallback;
        evidence.how = "default for this format, evidence inconclusive";
    }
    return evidence;
}

const std::string& calibrationText()
{
    static const std::string text =
        "The history of the city begins with a small fishing village on the northern bank of the river. "
        "In 1821 the first bridge was built, and within twenty years the population had grown from a few "
        "hundred to more than twelve thousand. Merchants brought wool, grain and timber; the market square "
        "filled every Tuesday and Saturday. When Mary arrived at the station, she asked John where the "
        "museum was, and John told Mary that the museum was closed on Mondays. She thanked him and walked "
        "towards the old cathedral instead. The cathedral, finished in 1874, has two towers, three bells "
        "and a clock that still runs eleven minutes slow.\n\n"
        "def add(a, b):\n    return a + b\n\nprint(add(2, 3))  # prints 5\n\n"
        "One, two, three, four, five, six, seven, eight, nine, ten. Monday, Tuesday, Wednesday, Thursday. "
        "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog again, "
        "because repetition helps a model predict what comes next: 3 + 4 = 7, 12 + 30 = 42, 100 - 1 = 99.";
    return text;
}

} // namespace lorsa
