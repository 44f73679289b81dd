#include "app/explorer/bundled_demo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace lorsa {

std::optional<BundledDemo> findBundledDemo()
{
    // The installed demo first: an installed explorer must not pick up the source tree it was
    // built from, which may still exist on the build machine.
    const QStringList candidates{QCoreApplication::applicationDirPath() + QStringLiteral("/../share/lorsa-explorer/demo"),
                                 QStringLiteral(LORSA_SOURCE_DEMO_DIR)};
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

} // namespace lorsa
