#pragma once
// The demo that ships with the explorer (resources/demo: a small language model and its Lorsa),
// opened when no model is given, on a prompt where its induction head visibly fires.

#include <QString>

#include <optional>

namespace lorsa {

struct BundledDemo {
    QString modelDir;
    QString lorsaDir;
};

/// The demo folder of this build or installation, if it holds a model and a Lorsa: the source
/// tree's resources/demo for a build, <prefix>/share/lorsa-explorer/demo for an installation.
std::optional<BundledDemo> findBundledDemo();

/// A King James passage whose second half repeats the first: the demo model's induction heads
/// attend from the repeat to what followed the first occurrence.
QString bundledDemoPrompt();

} // namespace lorsa
