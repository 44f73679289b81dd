#!/usr/bin/env bash
# Builds the Debian package from a configured and built tree and checks it as a user would get
# it: unpacked (dpkg -x) into a temporary root, its own lorsa runs --version and analyses the
# installed demo, the desktop file and AppStream metadata pass their validators, the icons and
# manual pages are there, and dpkg-shlibdeps filled in the dependencies. A ctest test of the ci
# workflow (tests/packaging).
#   packaging/check-deb.sh BUILD_DIR VERSION OUTPUT_DIR
# Leaves OUTPUT_DIR/lorsa-explorer_VERSION_amd64.deb and the unpacked tree OUTPUT_DIR/root.
set -euo pipefail
build=$(realpath "$1") version=$2 out=$3
here=$(dirname "$(realpath "$0")")
fail() { echo "check-deb: $*" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
out=$(realpath "$out")
(cd "$build" && cpack -G DEB -B "$out/cpack" > "$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack failed"; }
deb="$out/cpack/lorsa-explorer_${version}_amd64.deb"
[ -f "$deb" ] || { ls "$out/cpack"; fail "no $(basename "$deb")"; }
mv "$deb" "$out/"
deb="$out/$(basename "$deb")"
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"

depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
for lib in libtorch libqt6widgets6 libc6 libstdc++6 libtcmalloc-minimal4; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps did not run?)"
done

root="$out/root"
dpkg -x "$deb" "$root"
for file in usr/bin/lorsa usr/bin/lorsa-explorer usr/share/lorsa-explorer/demo/model/config.json \
            usr/share/lorsa-explorer/demo/lorsa/config.json usr/share/applications/org.openlorsa.LorsaExplorer.desktop \
            usr/share/metainfo/org.openlorsa.LorsaExplorer.metainfo.xml \
            usr/share/icons/hicolor/scalable/apps/org.openlorsa.LorsaExplorer.svg; do
  [ -e "$root/$file" ] || fail "/$file missing from the package"
done
for size in 16 22 24 32 48 64 128 256 512; do
  [ -s "$root/usr/share/icons/hicolor/${size}x${size}/apps/org.openlorsa.LorsaExplorer.png" ] || fail "no ${size}px icon"
done
outside=$(ls -A "$root" | grep -vx usr || true)
[ -z "$outside" ] || fail "the package installs outside /usr: $outside"

export QT_QPA_PLATFORM=offscreen
"$root/usr/bin/lorsa" --version | tee "$out/lorsa-version.txt"
grep -q "^lorsa $version" "$out/lorsa-version.txt" || fail "lorsa --version does not say $version"
grep -q "^LibTorch " "$out/lorsa-version.txt" || fail "lorsa --version does not name LibTorch"
grep -q "^devices: cpu" "$out/lorsa-version.txt" || fail "lorsa --version does not list the devices"
grep -q "^malloc: tcmalloc" "$out/lorsa-version.txt" || fail "the installed lorsa does not run on tcmalloc"
"$root/usr/bin/lorsa-explorer" --version | tee "$out/explorer-version.txt"
grep -q "^Qt 6" "$out/explorer-version.txt" || fail "lorsa-explorer --version does not name Qt"

demo="$root/usr/share/lorsa-explorer/demo"
"$root/usr/bin/lorsa" analyze --model "$demo/model" --lorsa "$demo/lorsa" --threads 1 \
  --text "And God said unto Noah, Make thee an ark. And God said unto Noah" --json > "$out/analyze.json"
grep -q '"tokens"' "$out/analyze.json" || fail "lorsa analyze on the installed demo printed no tokens"

desktop-file-validate "$root/usr/share/applications/org.openlorsa.LorsaExplorer.desktop"
# --no-net: CI has no network; the screenshot URL is checked for its form only.
appstreamcli validate --no-net "$root/usr/share/metainfo/org.openlorsa.LorsaExplorer.metainfo.xml"
grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/org.openlorsa.LorsaExplorer.metainfo.xml" ||
  fail "the metainfo has no release notes for $version (add a <release>)"

"$here/check-commands.sh" "$root"
echo "check-deb: $(basename "$deb") is fine"
