#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, gitignored) from the committed seeds in
# fuzz/seeds/<target>/ plus, when present, the samples: samples/*.eml for the extract
# target and samples/*.toml for the config target.
# Usage: scripts/fuzz-seed.sh [SAMPLES_DIR]   (default: samples/ of this checkout)
# Copying is idempotent: the corpus keeps whatever the fuzzer added before.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
samples="${1:-$root/samples}"
for target in extract config unwrap; do
  corpus="$root/fuzz/corpus/$target"
  mkdir -p "$corpus"
  cp -f "$root/fuzz/seeds/$target"/* "$corpus"/ 2>/dev/null || true
done
shopt -s nullglob
emls=("$samples"/*.eml)
tomls=("$samples"/*.toml)
((${#emls[@]})) && cp -f "${emls[@]}" "$root/fuzz/corpus/extract/"
((${#tomls[@]})) && cp -f "${tomls[@]}" "$root/fuzz/corpus/config/"
for target in extract config unwrap; do
  printf '%-8s %4d seed files\n' "$target" "$(find "$root/fuzz/corpus/$target" -type f | wc -l)"
done
echo "samples: ${#emls[@]} .eml and ${#tomls[@]} .toml from $samples"
