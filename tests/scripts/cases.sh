#!/bin/sh
# Data-driven cases for the guardrail program (curl's tests/data habit):
# each folder tests/cases/<group>/<case>/ holds
#   args      the command line after `guardrail`, one argument per line
#   stdin     (optional) fed to standard input
#   expected  the exact standard output
#   exit      the expected exit code
#   stderr    (optional) the exact standard error
#   stderr.contains  (optional) lines that must each appear in standard error
#             (for messages that name machine-specific paths)
# plus any input files the args name (paths relative to the case folder,
# where the command runs). UPDATE=1 rewrites `expected`, `exit` and an
# existing `stderr` from the actual run, for reviewing with git diff.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/$BUILD/guardrail"
pass=0
fail=0
for dir in "$root"/tests/cases/*/*/; do
	[ -f "$dir/args" ] || continue
	name=${dir#"$root"/tests/cases/}
	name=${name%/}
	out=$(mktemp)
	err=$(mktemp)
	# shellcheck disable=SC2046
	(
		cd "$dir" || exit 99
		set --
		while IFS= read -r line || [ -n "$line" ]; do set -- "$@" "$line"; done < args
		if [ -f stdin ]; then
			"$bin" "$@" < stdin > "$out" 2> "$err"
		else
			"$bin" "$@" < /dev/null > "$out" 2> "$err"
		fi
	)
	code=$?
	if [ -n "$UPDATE" ]; then
		cp "$out" "$dir/expected"
		echo "$code" > "$dir/exit"
		if [ -f "$dir/stderr" ]; then cp "$err" "$dir/stderr"; fi
	fi
	ok=1
	want_code=$(cat "$dir/exit" 2>/dev/null || echo 0)
	if [ "$code" != "$want_code" ]; then
		echo "FAIL $name: exit $code, expected $want_code" >&2
		ok=0
	fi
	if ! cmp -s "$out" "$dir/expected"; then
		echo "FAIL $name: output differs:" >&2
		diff "$dir/expected" "$out" | head -20 >&2
		ok=0
	fi
	if [ -f "$dir/stderr" ] && ! cmp -s "$err" "$dir/stderr"; then
		echo "FAIL $name: standard error differs:" >&2
		diff "$dir/stderr" "$err" | head -10 >&2
		ok=0
	fi
	if [ -f "$dir/stderr.contains" ]; then
		while IFS= read -r want || [ -n "$want" ]; do
			if ! grep -qF -- "$want" "$err"; then
				echo "FAIL $name: standard error lacks: $want" >&2
				ok=0
			fi
		done < "$dir/stderr.contains"
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	rm -f "$out" "$err"
done
echo "cases: $pass passed, $fail failed"
[ $fail -eq 0 ]
