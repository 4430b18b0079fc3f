#!/bin/sh
# query.sh — data-driven cases for `guardrail query`.
# Each folder under tests/cases/query/ is one case:
#   args     the arguments after `query`, one per line
#   stdin    (optional) fed to standard input
#   stdout   expected standard output, exactly
#   stderr   (optional) expected standard error, exactly
#   exit     (optional) expected exit code; 0 when absent
# Other files (inputs named in args) are read relative to the case folder.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 2
bin="$(pwd)/$BUILD/guardrail"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in tests/cases/query/*/; do
	name=$(basename "$dir")
	set --
	while IFS= read -r line || [ -n "$line" ]; do
		set -- "$@" "$line"
	done < "$dir/args"
	want_exit=0
	[ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
	if [ -f "$dir/stdin" ]; then
		(cd "$dir" && "$bin" query "$@" < stdin > "$tmp/out" 2> "$tmp/err")
	else
		(cd "$dir" && "$bin" query "$@" < /dev/null > "$tmp/out" 2> "$tmp/err")
	fi
	rc=$?
	ok=1
	if [ "$rc" != "$want_exit" ]; then
		echo "$name: exit $rc, expected $want_exit" >&2
		ok=0
	fi
	if ! cmp -s "$tmp/out" "$dir/stdout"; then
		echo "$name: stdout differs:" >&2
		diff "$dir/stdout" "$tmp/out" | head -20 >&2
		ok=0
	fi
	if [ -f "$dir/stderr" ] && ! cmp -s "$tmp/err" "$dir/stderr"; then
		echo "$name: stderr differs:" >&2
		diff "$dir/stderr" "$tmp/err" | head -20 >&2
		ok=0
	fi
	if [ $ok -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "query: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
