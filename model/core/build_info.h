#pragma once
/// \file
/// What a build is and what it runs on, as plain strings for `--version` of both programs
/// (the GUI includes this header: no LibTorch types here).

#include <string>
#include <vector>

namespace lorsa {

/// The project version, from `project(... VERSION)` in the top CMakeLists.txt: "0.1.0".
std::string lorsaVersion();

/// The git commit the build was made from ("f305342", "f305342-dirty"), empty when the sources
/// were not a git checkout. Refreshed on every build, not only at configure time.
std::string gitCommit();

/// The version of the LibTorch the program runs with: "1.13.1".
std::string libtorchVersion();

/// The devices LibTorch can run on here: "cpu (2 cores)", then "cuda:0 (NVIDIA H200)", ...
std::vector<std::string> availableDevices();

/// The `--version` text of \p program: its version and commit, LibTorch, then \p extraLines
/// (e.g. "Qt 6.4.2"), then the devices, one item per line.
std::string versionReport(const std::string& program, const std::vector<std::string>& extraLines = {});

} // namespace lorsa
