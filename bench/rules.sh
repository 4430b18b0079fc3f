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
# time_check ENGINES -> median wall seconds of `guardrail check -j 1 --engines ENGINES`
time_check() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		build/guardrail check -j 1 --engines "$1" -o json $CORPUS >/dev/null 2>&1 || true
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
		i=$((i + 1))
	done | median
}
T0=$(time_check schema,pss)
T1=$(time_check schema,pss,rules)
TR=$(time_check rules)
printf 'guardrail check -j 1 over the corpus: --engines schema,pss %.3f s; schema,pss,rules %.3f s; rules alone %.3f s\n' "$T0" "$T1" "$TR"
printf 'the rules engine adds %.1f%% to check time end to end (target < 25%%)\n' "$(echo "($T1 - $T0) * 100 / $T0" | bc -l)"
OUT=$(build/bench/rules_bench $CORPUS)
echo "$OUT"
build/bench/rules_bench --synthetic
