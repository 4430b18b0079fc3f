#!/bin/sh
# Run the threaded check pipeline under ThreadSanitizer and fail on any
# report: the set-level pass (decoding, CRDs, Namespaces) and the check pass
# over the corpus and the examples, 2 to 4 worker threads, with a cold schema cache
# (so the lazy schema loading races too) and again with it warm (a group-version
# loaded from the cache compiles the kind asked for, and its other kinds when the
# first of them is asked for: those compiles race); then checkers swapped under load
# (tests/unit/test_swap.c), the pipeline tests and early verdicts judged
# again on two threads (test_early.c). Prints "tsan: N passed, N failed".
BUILD=${BUILD:-build-tsan}
cd "$(dirname "$0")/.."
G=$BUILD/guardrail
pass=0
fail=0
log=$(mktemp)
for jobs in 2 3 4; do
	cache=$(mktemp -d)
	for state in cold warm; do
		GUARDRAIL_CACHE_DIR=$cache TSAN_OPTIONS=halt_on_error=0 "$G" check -j $jobs -o sarif ../shared/corpus examples \
			> /dev/null 2> "$log"
		code=$?
		if [ $code -le 2 ] && ! grep -q "ThreadSanitizer" "$log"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: -j $jobs, cache $state (exit $code)" >&2
			grep -A20 "ThreadSanitizer" "$log" | head -40 >&2
		fi
	done
	rm -rf "$cache"
done
# checkers swapped while threads check; the pipeline's sessions on threads;
# the schema registry's lazy loads and compiles on threads (test_schema)
for t in test_swap test_pipeline test_early test_regex test_schema; do
	TSAN_OPTIONS=halt_on_error=0 "$BUILD/tests/unit/$t" > /dev/null 2> "$log"
	code=$?
	if [ $code -eq 0 ] && ! grep -q "ThreadSanitizer" "$log"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $t (exit $code)" >&2
		grep -A20 "ThreadSanitizer" "$log" | head -40 >&2
		tail -5 "$log" >&2
	fi
done
rm -f "$log"
echo "tsan: $pass passed, $fail failed"
[ $fail -eq 0 ]
