#pragma once
// What the window tests share: settings kept apart from the user's, and the window's options on
// an ExplorerFixture (CPU, its model and Lorsa).

#include "app/explorer/explorer_options.h"
#include "tests/app/explorer/explorer_fixture.h"

#include <QString>

namespace lorsa::test {

/// Test-mode standard paths, an organisation and application name of the tests' own, and their
/// settings cleared.
void isolateSettings(const QString& applicationName);

ExplorerOptions windowOptions(const ExplorerFixture& fixture);

} // namespace lorsa::test
