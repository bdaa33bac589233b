#!/usr/bin/env bash
# The fault suite (issue 6) as a table: runs the daemon tests that inject faults (crashes,
# outages, IMAP cuts, platform failures) and prints the final counts each one ended with,
# from the `fault-summary:` lines the tests print. Exits non-zero when a test failed.
#
# Usage: scripts/fault-summary.sh [extra test filters...]
set -uo pipefail
cd "$(dirname "$0")/.."

filters=("$@")
if [ ${#filters[@]} -eq 0 ]; then
    filters=(crashes:: groups:: outages:: drops:: tickets::)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

cargo test --locked --test daemon -- --nocapture --test-threads 2 "${filters[@]}" >"$log" 2>&1
status=$?

grep -a '^test result:\|^test .* FAILED$\|panicked at' "$log" >&2
{
    printf 'scenario accounts credentials tickets unprocessed unfinished\n'
    sed -n 's/^.*fault-summary: \([^:]*\): /\1 /p' "$log" | sort |
        sed 's/[a-z]*=//g'
} | awk '{ printf "%-38s %9s %12s %8s %12s %11s\n", $1, $2, $3, $4, $5, $6 }'

if [ "$status" -ne 0 ]; then
    echo "fault suite FAILED (cargo test exit $status):" >&2
    sed -n '/^failures:$/,$p' "$log" | tail -n 300 >&2
    [ -s "$log" ] && grep -q '^failures:$' "$log" || tail -n 50 "$log" >&2
fi
exit "$status"
