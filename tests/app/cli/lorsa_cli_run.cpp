#include "tests/app/cli/lorsa_cli_run.h"

#include <QProcess>

namespace lorsa::test {

CliRun lorsaCli(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(LORSA_CLI_PATH), arguments);
    if (!process.waitForFinished(300000))
        qFatal("lorsa did not finish");
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QJsonDocument jsonOf(const CliRun& run)
{
    QJsonParseError error{};
    const auto document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("not JSON: %s / %s", qPrintable(run.out.left(300)), qPrintable(run.err.left(300)));
    return document;
}

QString path(const std::filesystem::path& p)
{
    return QString::fromStdString(p.string());
}

} // namespace lorsa::test
