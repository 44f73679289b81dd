#!/usr/bin/env bash
# Builds the engine and the `lorsa` CLI (no Qt, no tests) on a CUDA machine against the LibTorch
# inside its Python torch. Debian 12 packages from fetch-debs.sh are unpacked into a private
# sysroot rather than /, so the machine's own libraries stay untouched.
# Usage: packaging/cuda/build-engine.sh DEBS_DIR BUILD_DIR   (then: BUILD_DIR/app/cli/lorsa, with
#        LD_LIBRARY_PATH=/opt/lorsa-sysroot/usr/lib/x86_64-linux-gnu)
set -euo pipefail
debs="${1:?usage: build-engine.sh DEBS_DIR BUILD_DIR}"
build="${2:?usage: build-engine.sh DEBS_DIR BUILD_DIR}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
root=/opt/lorsa-sysroot
mkdir -p "$root"
for f in "$debs"/*.deb; do dpkg -x "$f" "$root"; done
# pkg-config from the sysroot, resolving the packages' /usr paths inside it.
cat > "$root/pkgconf" <<P
#!/bin/sh
export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH=$root/usr/lib/x86_64-linux-gnu/pkgconfig:$root/usr/share/pkgconfig
exec $root/usr/bin/pkgconf "\$@"
P
chmod +x "$root/pkgconf"
torch_cmake="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
# Python torch ships fmt 10+ headers, which shadow the fmt 9 that Debian's spdlog 1.10 needs.
torch_fmt="$(dirname "$(dirname "$torch_cmake")")/include/fmt"
[ -d "$torch_fmt" ] && mv "$torch_fmt" "$torch_fmt.hidden-by-lorsa"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLORSA_BUILD_GUI=OFF -DBUILD_TESTING=OFF -DLORSA_TCMALLOC=OFF \
  -DCMAKE_PREFIX_PATH="$torch_cmake;$root/usr;$root/usr/lib/x86_64-linux-gnu/cmake;$root/usr/share/cmake" \
  -DPKG_CONFIG_EXECUTABLE="$root/pkgconf"
ninja -C "$build" lorsa
