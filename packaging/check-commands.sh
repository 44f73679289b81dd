#!/usr/bin/env bash
# Checks that the desktop file and the manual pages of an installed tree name commands that
# exist there: the Exec program is an installed executable, each lorsa-NAME page is a
# subcommand that `lorsa --help` lists, and every subcommand has its page.
#   packaging/check-commands.sh ROOT     (ROOT/usr/bin/lorsa, ROOT/usr/share/...)
set -euo pipefail
root=$(realpath "$1")
fail() { echo "check-commands: $*" >&2; exit 1; }
export QT_QPA_PLATFORM=offscreen

desktop="$root/usr/share/applications/org.openlorsa.LorsaExplorer.desktop"
exec_line=$(grep -m1 '^Exec=' "$desktop") || fail "no Exec line in $desktop"
program=${exec_line#Exec=}
program=${program%% *}
[ -x "$root/usr/bin/$program" ] || fail "Exec runs '$program', which the package does not install in /usr/bin"
try_exec=$(grep -m1 '^TryExec=' "$desktop" | cut -d= -f2)
[ -z "$try_exec" ] || [ -x "$root/usr/bin/$try_exec" ] || fail "TryExec names '$try_exec', not installed"
"$root/usr/bin/$program" --help > /dev/null || fail "'$program --help' fails"

man="$root/usr/share/man/man1"
subcommands=$("$root/usr/bin/lorsa" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}')
[ -n "$subcommands" ] || fail "lorsa --help lists no subcommands"
for name in lorsa lorsa-explorer; do
  [ -f "$man/$name.1.gz" ] || fail "no manual page for $name"
  [ -x "$root/usr/bin/$name" ] || fail "manual page $name.1 for a program that is not installed"
done
for sub in $subcommands; do
  [ -f "$man/lorsa-$sub.1.gz" ] || fail "subcommand '$sub' has no manual page lorsa-$sub.1"
done
for page in "$man"/*.1.gz; do
  name=$(basename "$page" .1.gz)
  case $name in
    lorsa | lorsa-explorer) ;;
    lorsa-*) grep -qx "${name#lorsa-}" <<< "$subcommands" || fail "manual page $name.1 names no lorsa subcommand" ;;
    *) fail "manual page $name.1 names no installed program" ;;
  esac
  # The page's synopsis must be the program's own usage line, as its --help printed it.
  zcat "$page" | grep -q '^\.TH' || fail "$name.1 is not a manual page"
done
echo "check-commands: Exec '$program' and $(ls "$man" | wc -l) manual pages name existing commands"
