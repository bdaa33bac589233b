#!/usr/bin/env bash
# The pipeline benchmarks (BENCHMARKS.md): backlog drain, arrival to credentials and idle
# footprint of the release binary against a real Dovecot, a real SMTP server and the
# platform simulator, next to the plain-script baseline on the same servers. Takes about
# 20 minutes (the baseline's 60 s poll alone is 10). Prints every figure and writes them
# as JSON to target/bench-pipeline/results.json.
#
#   bash scripts/bench-pipeline.sh                   # everything, as reported
#   bash scripts/bench-pipeline.sh --only drain      # one benchmark (drain, arrival, idle)
#   bash scripts/bench-pipeline.sh --jobs 500        # smaller; --help lists every option
#
# Besides onbehalf's defaults, the drain runs again with more concurrency. Extra
# arguments go to the bench binary (benches/pipeline/main.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cargo build --release --locked
out=target/bench-pipeline
mkdir -p "$out"
cargo bench --locked --bench pipeline -- \
  --json "$out/results.json" \
  --drain-variant concurrency=16,per_platform_concurrency=8 \
  "$@"
