#!/usr/bin/env bash
# Installs every Debian 12 package that building, running and testing Lorsa Explorer needs.
# Idempotent and non-interactive; run as root (or it re-runs itself through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-svg-dev libqt6svg6 qt6-qpa-plugins libgl-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-openmp
  libspdlog-dev nlohmann-json3-dev libcli11-dev libpcre2-dev libutf8proc-dev libsqlite3-dev
  libgoogle-perftools-dev
  xvfb xauth fonts-dejavu-core
  # the Debian package and its check (cpack DEB + dpkg-shlibdeps, validators, manual pages)
  dpkg-dev file desktop-file-utils appstream help2man
  # the fuzz preset: clang and its libFuzzer/sanitizer runtimes
  clang libclang-rt-14-dev
)

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=DEBIAN_FRONTEND "$0" "$@"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
