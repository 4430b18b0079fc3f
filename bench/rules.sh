#!/bin/sh
# The rule packs' cost: per pack over ../shared/corpus, against the time of
# `guardrail check` on the same corpus, and the 50,000-object synthetic run
# that shows ref.* is not quadratic. Figures only.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/guardrail build/bench/rules_bench >/dev/null
CORPUS=../shared/corpus
RUNS=${RUNS:-7}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_check ENGINES -> the least CPU time (user + system) of RUNS runs of
# `guardrail check -j 1 --engines ENGINES`: on a shared machine wall time
# measures the neighbours, the minimum CPU time measures the program.
time_check() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -o /tmp/rules_bench_time.$$ -f '%U %S' \
			build/guardrail check -j 1 --engines "$1" -o json $CORPUS >/dev/null 2>&1 || true
		tail -1 /tmp/rules_bench_time.$$ | awk '{print $1 + $2}'
		i=$((i + 1))
	done | sort -n | head -1
	rm -f /tmp/rules_bench_time.$$
}
T0=$(time_check schema,pss)
T1=$(time_check schema,pss,rules)
TR=$(time_check rules)
printf 'guardrail check -j 1 over the corpus, least CPU of %s runs: --engines schema,pss %.3f s; schema,pss,rules %.3f s; rules alone %.3f s\n' "$RUNS" "$T0" "$T1" "$TR"
printf 'the rules engine adds %.1f%% to check time end to end (target < 25%%)\n' "$(echo "($T1 - $T0) * 100 / $T0" | bc -l)"
OUT=$(build/bench/rules_bench $CORPUS)
echo "$OUT"
build/bench/rules_bench --synthetic
