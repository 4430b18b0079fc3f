#!/bin/sh
# The rule packs' cost: per pack over ../shared/corpus, against the time of
# `guardrail check` on the same corpus, and the 50,000-object synthetic run
# that shows ref.* is not quadratic. Figures only.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/guardrail build/bench/rules_bench >/dev/null
CORPUS=../shared/corpus
RUNS=${RUNS:-5}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
i=0
T=$(while [ $i -lt "$RUNS" ]; do
	s=$(date +%s.%N)
	build/guardrail check -j 1 -o json $CORPUS >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	echo "$e - $s" | bc -l
	i=$((i + 1))
done | median)
OUT=$(build/bench/rules_bench $CORPUS)
echo "$OUT"
ALL=$(echo "$OUT" | sed -n 's/^  all packs *\([0-9.]*\) s.*/\1/p')
printf 'guardrail check -j 1 (schema, pss): %.3f s; all rule packs add %.3f s = %.1f%% of it (target < 25%%)\n' \
	"$T" "$ALL" "$(echo "$ALL * 100 / $T" | bc -l)"
build/bench/rules_bench --synthetic
