#!/bin/sh
# Run every test binary and runner; print the total as "N passed, N failed".
# Each binary prints its own "suite: N passed, N failed" line and exits
# non-zero on failure. BUILD names the build folder (build, build-san).
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.."
# Tests never touch the user's schema cache: they get a fresh one (so the
# suites exercise a cold and then a warm cache).
GUARDRAIL_CACHE_DIR=$(mktemp -d)
export GUARDRAIL_CACHE_DIR
trap 'rm -rf "$GUARDRAIL_CACHE_DIR"' EXIT
total_pass=0
total_fail=0
failed_suites=""
run() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -1)
	printf '%s\n' "$out" | tail -40 | grep -vE '^\s*$' | sed "s|^|  [$name] |" >&2
	p=$(printf '%s' "$line" | sed -nE 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/p')
	f=$(printf '%s' "$line" | sed -nE 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/p')
	[ -z "$p" ] && p=0
	[ -z "$f" ] && f=0
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ $rc -ne 0 ]; then failed_suites="$failed_suites $name"; fi
	printf '%-28s %s (exit %d)\n' "$name" "${line:-no result line}" "$rc"
}
# Only binaries whose source is still in the tree: a test deleted or renamed
# leaves its old binary in the build directory, which must not count.
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] && [ -f "tests/unit/$(basename "$t").c" ] || continue
	run "$(basename "$t")" "$t"
done
for t in "$BUILD"/tests/conformance/*; do
	[ -x "$t" ] && [ -f "tests/conformance/$(basename "$t").c" ] || continue
	run "$(basename "$t")" "$t"
done
for t in tests/scripts/*.sh; do
	[ -f "$t" ] || continue
	run "$(basename "$t" .sh)" env BUILD="$BUILD" sh "$t"
done
echo
[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ -z "$failed_suites" ]
