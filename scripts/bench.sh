#!/usr/bin/env bash
# Runs the extract benchmark (benches/extract.rs) and prints where criterion's report
# is, with the median time of every benchmark it ran.
# Usage: scripts/bench.sh [CRITERION ARGS...]   e.g. scripts/bench.sh large   (a filter)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
cargo bench --bench extract -- "$@"

report="${CARGO_TARGET_DIR:-$root/target}/criterion"
echo
echo "criterion report: $report"
echo "  per benchmark: $report/<group>/<benchmark>/new/estimates.json (times in ns)"
[[ -f "$report/report/index.html" ]] && echo "  HTML: $report/report/index.html"
echo
printf '%-60s %14s\n' benchmark median
find "$report" -path '*/new/estimates.json' -newer "$stamp" | sort | while read -r file; do
  name="${file#"$report"/}"
  name="${name%/new/estimates.json}"
  # {"mean":{…},"median":{"confidence_interval":{…},"point_estimate":N,…},…}
  ns="$(sed -E 's/.*"median":\{"confidence_interval":\{[^}]*\},"point_estimate":([0-9.eE+-]+).*/\1/' "$file")"
  awk -v n="$name" -v ns="$ns" 'BEGIN {
    if (ns >= 1e6) printf "%-60s %11.2f ms\n", n, ns / 1e6;
    else printf "%-60s %11.1f µs\n", n, ns / 1e3 }'
done
