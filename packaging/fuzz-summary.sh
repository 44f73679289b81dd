#!/usr/bin/env bash
# One line per fuzz-run.sh log: executions (summed over its libFuzzer runs), the final coverage
# (cov: edges, ft: features), corpus size, peak RSS, restarts after scheduling-delay timeouts.
#   packaging/fuzz-summary.sh build/fuzz/long-*.log
for log in "$@"; do
  awk -v name="$log" '
    /^stat::number_of_executed_units:/ { execs += $2 }
    /^stat::peak_rss_mb:/ { if ($2 > rss) rss = $2 }
    / cov: / { for (i = 1; i <= NF; i++) { if ($i == "cov:") cov = $(i+1); if ($i == "ft:") ft = $(i+1); if ($i == "corp:") corp = $(i+1) } }
    /scheduling delay/ { delays++ }
    /^exit=/ { status = substr($0, 6) }
    END { printf "%s: %d executions, cov %s, ft %s, corpus %s, peak RSS %d MB, %d timeout(s) rechecked as scheduling delays, exit %s\n",
                 name, execs, cov, ft, corp, rss, delays, status }' "$log"
done
