#!/bin/sh
# Benchmark `guardrail check` over ../shared/corpus and print figures:
# objects/s, MB/s, peak RSS, the share of time beyond libyaml's bare parse,
# the cost of each engine, one small file end to end, and kubeconform's
# figures and the ratio when a kubeconform binary is on PATH.
# Figures only: nothing here passes or fails.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory bench >/dev/null
G=build/guardrail
CORPUS=../shared/corpus
FILES=$(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort)
MB=$(cat $FILES | wc -c | awk '{printf "%.1f", $1/1e6}')
RUNS=${RUNS:-7}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_cmd CMD... -> median wall seconds over RUNS runs
time_cmd() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
		i=$((i + 1))
	done | median
}
rss_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

echo "machine: $(nproc) cores; corpus: $(echo "$FILES" | wc -l) files, $MB MB"
build/bench/libyaml_parse $FILES
build/bench/decode_bench $FILES

OBJ=$($G check -o json $CORPUS 2>/dev/null | tail -c 300 | sed -n 's/.*"objects":\([0-9]*\).*/\1/p')
for eng in schema,pss schema pss; do
	T=$(time_cmd $G check --engines $eng -o json $CORPUS)
	T1=$(time_cmd $G check -j 1 --engines $eng -o json $CORPUS)
	R=$(rss_kb $G check --engines $eng -o json $CORPUS)
	printf 'guardrail check --engines %-11s %s objects: %.3f s wall (%d threads), %.0f objects/s, %.1f MB/s, peak RSS %.1f MiB; one thread %.3f s\n' \
		"$eng" "$OBJ" "$T" "$(nproc)" "$(echo "$OBJ / $T" | bc -l)" "$(echo "$MB / $T" | bc -l)" "$(echo "$R / 1024" | bc -l)" "$T1"
	case $eng in
	schema,pss) T_ALL=$T T1_ALL=$T1 ;;
	schema) T_SCHEMA=$T T1_SCHEMA=$T1 ;;
	esac
done
printf 'pss adds %.1f%% to check (two threads), %.1f%% (one thread)\n' \
	"$(echo "($T_ALL - $T_SCHEMA) * 100 / $T_SCHEMA" | bc -l)" "$(echo "($T1_ALL - $T1_SCHEMA) * 100 / $T1_SCHEMA" | bc -l)"
printf 'kubeconform reference (the issue): 2.85 s on this corpus; guardrail check is %.1fx its objects/s\n' \
	"$(echo "($OBJ / $T_ALL) / (2724 / 2.85)" | bc -l)"
RUNS=21
SMALL=examples/good/web.yaml
T=$(time_cmd $G check $SMALL)
printf 'one small file (%s), schema loading included: %.1f ms\n' "$SMALL" "$(echo "$T * 1000" | bc -l)"

if command -v kubeconform >/dev/null 2>&1; then
	RUNS=5
	KV=${KUBECONFORM_VERSION:-1.35.0}
	LOC=${KUBECONFORM_SCHEMA_LOCATION:-default}
	T=$(time_cmd kubeconform -strict -summary -kubernetes-version "$KV" -schema-location "$LOC" $FILES)
	printf 'kubeconform: %.3f s; guardrail is %.1fx faster\n' "$T" "$(echo "$T / $(time_cmd $G check -o json $CORPUS)" | bc -l)"
else
	echo "kubeconform: not on PATH; the issue's reference on this corpus is 2.85 s median (4 workers," \
		"local strict 1.35 schemas), 2,688 objects of which 1,112 skipped"
fi
if [ -x build/bench/pss_bench ]; then build/bench/pss_bench; fi
