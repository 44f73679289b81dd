#include "app/explorer/bundled_demo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <algorithm>

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
    const auto qkHead = best->head;
    const int group = analysis.nOvHeads / analysis.nQkHeads;
    std::optional<HeadAtToken> found;
    float strongest = 0;
    for (size_t token = 0; token < analysis.active.size(); ++token)
        for (const auto& active : analysis.active[token])
            if (active.head / group == qkHead && active.activation > strongest) {
                strongest = active.activation;
                found = HeadAtToken{active.head, static_cast<int>(token)};
            }
    return found;
}

} // namespace lorsa
