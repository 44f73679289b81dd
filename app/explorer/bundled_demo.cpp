#include "app/explorer/bundled_demo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <set>
#include <vector>

namespace lorsa {

std::optional<BundledDemo> findBundledDemo()
{
    const QStringList candidates{QStringLiteral(LORSA_SOURCE_DEMO_DIR),
                                 QCoreApplication::applicationDirPath() + QStringLiteral("/../share/lorsa-explorer/demo")};
    for (const auto& candidate : candidates) {
        const QDir dir(candidate);
        if (QFileInfo::exists(dir.filePath(QStringLiteral("model/config.json"))) &&
            QFileInfo::exists(dir.filePath(QStringLiteral("lorsa/config.json"))))
            return BundledDemo{QDir::cleanPath(dir.filePath(QStringLiteral("model"))), QDir::cleanPath(dir.filePath(QStringLiteral("lorsa")))};
    }
    return std::nullopt;
}

QString bundledDemoPrompt()
{
    return QStringLiteral(
        "And God said unto Noah, Make thee an ark of gopher wood; rooms shalt thou make in the ark, and shalt pitch it within "
        "and without with pitch. And Noah did according unto all that God commanded him.\n"
        "And God said unto Noah, Make thee an ark of gopher wood; rooms shalt thou make in the ark, and shalt pitch it within "
        "and without with pitch.");
}

std::optional<HeadAtToken> strongestInductionHead(const PromptAnalysis& analysis)
{
    if (analysis.qkHeadScores.empty() || analysis.nQkHeads <= 0 || analysis.nOvHeads < analysis.nQkHeads)
        return std::nullopt;
    const auto best = std::max_element(analysis.qkHeadScores.begin(), analysis.qkHeadScores.end(),
                                       [](const HeadScore& a, const HeadScore& b) { return a.induction < b.induction; });
    // Several QK heads are often induction heads alike: any within 10% of the best qualifies.
    std::vector<bool> induction(static_cast<size_t>(analysis.nQkHeads), false);
    for (const auto& score : analysis.qkHeadScores)
        if (score.head >= 0 && score.head < analysis.nQkHeads && score.induction >= 0.9 * best->induction)
            induction[static_cast<size_t>(score.head)] = true;
    const int group = analysis.nOvHeads / analysis.nQkHeads;
    // Induction shows where a token repeats one seen earlier: only such queries count (the
    // first tokens of a prompt have large activations of every kind).
    std::set<int64_t> seen;
    std::optional<HeadAtToken> found;
    float strongest = 0;
    for (size_t token = 0; token < analysis.active.size() && token < analysis.tokens.size(); ++token) {
        if (!seen.insert(analysis.tokens[token].id).second && token > 0)
            for (const auto& active : analysis.active[token])
                if (induction[static_cast<size_t>(active.head / group)] && active.activation > strongest) {
                    strongest = active.activation;
                    found = HeadAtToken{active.head, static_cast<int>(token)};
                }
    }
    return found;
}

} // namespace lorsa
