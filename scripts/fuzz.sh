#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) and prints a summary: executions,
# exec/s, crashes (crash/timeout/oom artifacts) and slow inputs (> 1 s).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: extract config unwrap)
# Env:   FUZZ_SANITIZER=address|none (default address); SAMPLES_DIR (default samples/),
#        whose *.eml and *.toml join the seed corpora
#
# Stable Rust only: cargo-fuzz needs nightly flags (-Zsanitizer, -Cpasses=sancov-module),
# which RUSTC_BOOTSTRAP=1 unlocks on a stable compiler. -O builds with the release
# profile of fuzz/Cargo.toml, whose debug assertions skip mail-parser; without -O
# cargo-fuzz forces -Cdebug-assertions on every crate. Crashing inputs land in fuzz/artifacts/<target>/; minimise one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O -s address <target> fuzz/artifacts/<target>/crash-…
# and keep it in tests/fuzz_regressions/<target>/ (tests/fuzz_regressions.rs replays it).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(extract config unwrap)
sanitizer="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz…"
  cargo install cargo-fuzz --locked || exit 2
fi
bash scripts/fuzz-seed.sh "${SAMPLES_DIR:-$root/samples}"

# Per-target libFuzzer options: emails need room to nest parts; config and links are short.
max_len() {
  case "$1" in
    extract) echo 65536 ;;
    *) echo 8192 ;;
  esac
}

summary=()
status=0
for target in "${targets[@]}"; do
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$artifacts"
  log="fuzz/artifacts/$target.log"
  before="$(find "$artifacts" -type f | sort)"
  echo "== $target: ${seconds}s, sanitizer $sanitizer (log: $log)"
  cargo fuzz build -O -s "$sanitizer" "$target" >/dev/null 2>&1 ||
    cargo fuzz build -O -s "$sanitizer" "$target" || exit 2
  cargo fuzz run -O -s "$sanitizer" "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -report_slow_units=1 -rss_limit_mb=2048 \
    -max_len="$(max_len "$target")" -dict="fuzz/dicts/$target.dict" \
    -print_final_stats=1 >"$log" 2>&1
  after="$(find "$artifacts" -type f | sort)"
  new="$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^$' || true)"
  crashes="$(grep -cE '/(crash|timeout|oom|leak)-' <<<"$new" || true)"
  slow="$(grep -c '/slow-unit-' <<<"$new" || true)"
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')"
  if [[ "$execs" == 0 ]]; then # killed by a crash before the final stats: last status line
    last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
    execs="$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")"
    rate="$(grep -oE 'exec/s: [0-9]+' <<<"$last" | awk '{print $2}')"
  fi
  summary+=("$(printf '%-8s %12s %8s %8s %6s' "$target" "${execs:-?}" "${rate:-?}" "$crashes" "$slow")")
  if ((crashes > 0)); then
    status=1
    echo "$new" | grep -E '/(crash|timeout|oom|leak)-' | sed 's/^/   new artifact: /'
  fi
  ((slow > 0)) && echo "$new" | grep '/slow-unit-' | sed 's/^/   slow input: /'
done

echo
printf '%-8s %12s %8s %8s %6s\n' target executions exec/s crashes slow
printf '%s\n' "${summary[@]}"
exit "$status"
