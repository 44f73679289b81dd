#include "tests/app/explorer/window_fixture.h"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>

namespace lorsa::test {

void isolateSettings(const QString& applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LorsaExplorerTests"));
    QCoreApplication::setApplicationName(applicationName);
    QSettings().clear();
}

ExplorerOptions windowOptions(const ExplorerFixture& fixture)
{
    ExplorerOptions options;
    options.modelDir = QString::fromStdString(fixture.model.string());
    options.lorsaDir = QString::fromStdString(fixture.lorsa.string());
    options.device = QStringLiteral("cpu");
    return options;
}

} // namespace lorsa::test
