#!/usr/bin/env bash
# Writes the manual pages from the programs' own --help with help2man, at build time, so that
# they cannot drift from the programs: lorsa.1, lorsa-SUBCOMMAND.1 for every subcommand that
# `lorsa --help` lists, and lorsa-explorer.1 (all gzipped, as Debian installs them).
#   make-man-pages.sh LORSA LORSA_EXPLORER OUTPUT_DIR VERSION
set -euo pipefail
lorsa=$1 explorer=$2 out=$3 version=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The explorer's --help names its settings file under $HOME: write it as ~ for every reader.
# Doc generation is no leak test: the asan build's programs must not fail here on exit.
export QT_QPA_PLATFORM=offscreen HOME="$work/home" ASAN_OPTIONS=detect_leaks=0
unset XDG_CONFIG_HOME
mkdir -p "$out" "$HOME"
rm -f "$out"/*.1.gz

# The "Subcommands:" block of `lorsa --help`: "  NAME   description".
# The summary (the NAME line of the page) is the description's first sentence.
"$lorsa" --help | awk '/^Subcommands:/ {on = 1; next}
  on && /^  [a-z]/ {name = $1; $1 = ""; sub(/^ +/, ""); sub(/[.:] .*$/, ""); sub(/\.$/, ""); print name "\t" $0}
  on && /^$/ {on = 0}' > "$work/subcommands"
[ -s "$work/subcommands" ] || { echo "make-man-pages: no subcommands in '$lorsa --help'" >&2; exit 1; }

page() {  # NAME SUMMARY PROGRAM [help2man options...]
  local name=$1 summary=$2 program=$3
  shift 3
  help2man --no-info --no-discard-stderr --version-string="$version" --name="$summary" \
    --section=1 --source="Lorsa Explorer $version" --manual="Lorsa Explorer" "$@" --output="$work/$name.1" "$program"
  sed -i "s|$HOME|~|g" "$work/$name.1"
  gzip -9 -n -c "$work/$name.1" > "$out/$name.1.gz"
}

{
  echo "[SEE ALSO]"
  echo ".BR lorsa-explorer (1),"
  while IFS=$'\t' read -r name summary; do echo ".BR lorsa-$name (1),"; done < "$work/subcommands"
} | sed '$ s/,$//' > "$work/see-also.h2m"
page lorsa "run language models with Lorsa (low-rank sparse attention) layers" "$lorsa" --include="$work/see-also.h2m"

while IFS=$'\t' read -r name summary; do
  # help2man runs PROGRAM --help: a wrapper named after the page runs `lorsa NAME --help`.
  printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$lorsa" "$name" > "$work/lorsa-$name"
  chmod +x "$work/lorsa-$name"
  printf '[SEE ALSO]\n.BR lorsa (1)\n' > "$work/lorsa-$name.h2m"
  page "lorsa-$name" "${summary:-lorsa $name}" "$work/lorsa-$name" --include="$work/lorsa-$name.h2m"
done < "$work/subcommands"

printf '[SEE ALSO]\n.BR lorsa (1)\n' > "$work/explorer.h2m"
page lorsa-explorer "look inside the attention of language models" "$explorer" --include="$work/explorer.h2m"
