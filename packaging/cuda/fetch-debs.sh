#!/usr/bin/env bash
# Downloads (here, on Debian 12) the development packages the engine needs but a CUDA machine's
# image lacks, for packaging/cuda/build-engine.sh to unpack there into a private sysroot.
# Usage: packaging/cuda/fetch-debs.sh DIR
set -euo pipefail
dir="${1:?usage: fetch-debs.sh DIR}"
mkdir -p "$dir"
cd "$dir"
apt-get download libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 nlohmann-json3-dev libcli11-dev \
  libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3 libutf8proc-dev libutf8proc2 \
  pkgconf libpkgconf3 pkgconf-bin libsqlite3-dev libsqlite3-0
