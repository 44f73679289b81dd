#pragma once
// Runs the built `lorsa` executable as a user would, for the suites that test it end to end.

#include <QJsonDocument>
#include <QString>
#include <QStringList>

#include <filesystem>

namespace lorsa::test {

struct CliRun {
    int exitCode = -1;  ///< -1 when the process crashed
    QString out;
    QString err;
};

/// Runs `lorsa` with \p arguments to its end; one that does not finish in five minutes (a hang)
/// ends the test binary.
CliRun lorsaCli(const QStringList& arguments);

/// The run's standard output as JSON; output that is not JSON ends the test binary, naming both
/// streams.
QJsonDocument jsonOf(const CliRun& run);

QString path(const std::filesystem::path& p);

} // namespace lorsa::test
