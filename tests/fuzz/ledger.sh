#!/bin/sh
# Fuzz one harness and write the run down in tests/fuzz/LEDGER, so that the
# time each harness has been fuzzed adds up across sessions and machines.
#   tests/fuzz/ledger.sh fuzz_decode 1800
# Appends one tab-separated line: date (UTC), commit, harness, wall seconds,
# CPU seconds (user+system, as /usr/bin/time measured it: a niced fuzzer on a
# busy machine gets less CPU than wall time), executions (libFuzzer's
# stat::number_of_executed_units), and the outcome (clean, or the exit code
# with the crash file left by libFuzzer in the current directory; "stopped"
# for a run interrupted by hand, clean until then).
# tests/fuzz/ledger-sum.sh prints the totals per harness.
set -e
name=$1
secs=${2:-600}
cd "$(dirname "$0")/../.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
/usr/bin/time -f 'ledger-time %e %U %S' sh tests/fuzz/run.sh "$name" "$secs" >"$log" 2>&1 || rc=$?
wall=$(awk '/^ledger-time/ {print $2}' "$log")
cpu=$(awk '/^ledger-time/ {printf "%.0f", $3 + $4}' "$log")
runs=$(awk '/stat::number_of_executed_units/ {print $NF}' "$log" | tail -1)
outcome=clean
if [ "$rc" -ne 0 ]; then
	outcome="exit-$rc $(grep -o 'crash-[0-9a-f]*\|timeout-[0-9a-f]*\|oom-[0-9a-f]*\|leak-[0-9a-f]*' "$log" | head -1)"
	tail -40 "$log" >&2
fi
printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(git rev-parse --short HEAD)" \
	"$name" "$wall" "$cpu" "${runs:-0}" "$outcome" >>tests/fuzz/LEDGER
tail -1 tests/fuzz/LEDGER
exit "$rc"
