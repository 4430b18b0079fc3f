#!/bin/sh
# Benchmark `guardrail check` over ../shared/corpus and print figures:
# objects/s, MB/s, peak RSS, the share of time beyond libyaml's bare parse,
# the cost of each engine, one small file end to end, and kubeconform's
# figures and the ratio when a kubeconform binary is on PATH.
# BASE=path/to/guardrail (an older build) first prints it side by side with
# this one: CPU (user+sys) and wall per run, and peak RSS, for one small
# file and for the corpus, the two binaries run alternately so that a busy
# machine weighs on both alike (COMPARE_ONLY=1: that and nothing else).
# Figures only: nothing here passes or fails.
set -e
[ -n "$BASE" ] && BASE=$(cd "$(dirname "$BASE")" && pwd)/$(basename "$BASE")
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
# cpu_s CMD... -> median user+system CPU seconds per run (less noisy than
# wall time on a shared machine): RUNS rounds of 5 runs in one loop each, so
# that /usr/bin/time's 10 ms clock is divided by 5 (single runs made a 10%
# ratio out of one tick)
cpu_s() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		per_run 5 "$@" | awk '{print $2}'
		i=$((i + 1))
	done | median
}

# per_run N CMD...: "wall cpu" seconds per run, over N runs in one loop
per_run() {
	n=$1
	shift
	/usr/bin/time -f '%e %U %S' sh -c 'n=$1; shift; i=0; while [ $i -lt "$n" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done' \
		sh "$n" "$@" 2>&1 >/dev/null | tail -1 | awk -v n="$n" '{printf "%.6f %.6f\n", $1 / n, ($2 + $3) / n}'
}
# compare LABEL N CMD-ARGS...: BASE and this build alternately, 5 rounds of
# N runs each; medians of wall and CPU per run, and of peak RSS.
compare() {
	label=$1 n=$2
	shift 2
	: >"$tmpc/base" && : >"$tmpc/new" && : >"$tmpc/base.rss" && : >"$tmpc/new.rss"
	for round in 1 2 3 4 5; do
		per_run "$n" "$BASE" "$@" >>"$tmpc/base"
		per_run "$n" "$G" "$@" >>"$tmpc/new"
		rss_kb "$BASE" "$@" >>"$tmpc/base.rss"
		rss_kb "$G" "$@" >>"$tmpc/new.rss"
	done
	bw=$(cut -d' ' -f1 "$tmpc/base" | median) bc_=$(cut -d' ' -f2 "$tmpc/base" | median)
	nw=$(cut -d' ' -f1 "$tmpc/new" | median) nc=$(cut -d' ' -f2 "$tmpc/new" | median)
	br=$(median <"$tmpc/base.rss") nr=$(median <"$tmpc/new.rss")
	printf '%s: CPU %.1f ms (base %.1f ms, %+.0f%%), wall %.1f ms (base %.1f ms, %+.0f%%), peak RSS %.1f MiB (base %.1f MiB)\n' \
		"$label" "$(echo "$nc * 1000" | bc -l)" "$(echo "$bc_ * 1000" | bc -l)" "$(echo "($nc - $bc_) * 100 / $bc_" | bc -l)" \
		"$(echo "$nw * 1000" | bc -l)" "$(echo "$bw * 1000" | bc -l)" "$(echo "($nw - $bw) * 100 / $bw" | bc -l)" \
		"$(echo "$nr / 1024" | bc -l)" "$(echo "$br / 1024" | bc -l)"
}
if [ -n "$BASE" ]; then
	tmpc=$(mktemp -d)
	echo "against BASE=$BASE (median of 5 alternating rounds):"
	compare "one small file (check examples/bad/deployment.yaml)" 50 check examples/bad/deployment.yaml
	compare "corpus (check -o json $CORPUS)" 3 check -o json "$CORPUS"
	rm -rf "$tmpc"
	[ -n "$COMPARE_ONLY" ] && exit 0
fi

echo "machine: $(nproc) cores; corpus: $(echo "$FILES" | wc -l) files, $MB MB"
LY=$(build/bench/libyaml_parse $FILES)
DE=$(build/bench/decode_bench $FILES)
echo "$LY"
echo "$DE"
# JSON (the OpenAPI documents, admission requests) is read by lib/json.c:
# the largest built-in document to trees, beside libyaml's bare events of it
OA=$(ls ../shared/k8s-openapi/*/api/v1.json 2>/dev/null | tail -1)
if [ -n "$OA" ]; then
	echo "JSON, $OA: $(build/bench/libyaml_parse "$OA")"
	echo "JSON, $OA: $(build/bench/decode_bench "$OA" | head -1)"
fi

OBJ=$($G check -o json $CORPUS 2>/dev/null | tail -c 300 | sed -n 's/.*"objects":\([0-9]*\).*/\1/p')
for eng in schema,pss schema,pss,native schema pss native; do
	T=$(time_cmd $G check --engines $eng -o json $CORPUS)
	T1=$(time_cmd $G check -j 1 --engines $eng -o json $CORPUS)
	R=$(rss_kb $G check --engines $eng -o json $CORPUS)
	C=$(cpu_s $G check --engines $eng -o json $CORPUS)
	printf 'guardrail check --engines %-11s %s objects: %.3f s wall (%d threads), %.0f objects/s, %.1f MB/s, peak RSS %.1f MiB; one thread %.3f s; CPU %.3f s\n' \
		"$eng" "$OBJ" "$T" "$(nproc)" "$(echo "$OBJ / $T" | bc -l)" "$(echo "$MB / $T" | bc -l)" "$(echo "$R / 1024" | bc -l)" "$T1" "$C"
	case $eng in
	schema,pss) T_ALL=$T T1_ALL=$T1 C_ALL=$C ;;
	schema,pss,native) T_NAT=$T T1_NAT=$T1 C_NAT=$C ;;
	schema) T_SCHEMA=$T T1_SCHEMA=$T1 ;;
	esac
done
printf 'pss adds %.1f%% to check (two threads), %.1f%% (one thread)\n' \
	"$(echo "($T_ALL - $T_SCHEMA) * 100 / $T_SCHEMA" | bc -l)" "$(echo "($T1_ALL - $T1_SCHEMA) * 100 / $T1_SCHEMA" | bc -l)"
printf 'native adds %.1f%% to check (two threads: %.2fx), %.1f%% (one thread: %.2fx); issue 13 allows 1.2x\n' \
	"$(echo "($T_NAT - $T_ALL) * 100 / $T_ALL" | bc -l)" "$(echo "$T_NAT / $T_ALL" | bc -l)" \
	"$(echo "($T1_NAT - $T1_ALL) * 100 / $T1_ALL" | bc -l)" "$(echo "$T1_NAT / $T1_ALL" | bc -l)"
printf 'native in CPU time: %.3f s with, %.3f s without: %.2fx (issue 13 allows 1.2x)\n' \
	"$C_NAT" "$C_ALL" "$(echo "$C_NAT / $C_ALL" | bc -l)"
# One small file, schema loading included (cache warm): 50 runs in one
# shell loop, so no timing process is forked inside the measured interval
# (time_cmd's `date` costs 1-2 ms itself, more than half of a small check).
# web.yaml needs apps/v1 and core/v1 (the largest group-version),
# deployment.yaml apps/v1 alone.
for SMALL in examples/good/web.yaml examples/bad/deployment.yaml; do
	per_run 50 $G check $SMALL | {
		read -r w c
		printf 'one small file (%s), schema loading included: %.1f ms CPU, %.1f ms wall per run\n' \
			"$SMALL" "$(echo "$c * 1000" | bc -l)" "$(echo "$w * 1000" | bc -l)"
	}
done

if command -v kubeconform >/dev/null 2>&1; then
	RUNS=5
	KV=${KUBECONFORM_VERSION:-1.35.0}
	LOC=${KUBECONFORM_SCHEMA_LOCATION:-default}
	T=$(time_cmd kubeconform -strict -summary -kubernetes-version "$KV" -schema-location "$LOC" $FILES)
	printf 'kubeconform: %.3f s; guardrail is %.1fx faster\n' "$T" "$(echo "$T / $(time_cmd $G check -o json $CORPUS)" | bc -l)"
else
	echo "kubeconform: not on PATH; no ratio printed (a ratio is only ever measured side by side in this run)"
fi
PS=""
if [ -x build/bench/pss_bench ]; then PS=$(build/bench/pss_bench); echo "$PS"; fi
# Everything beyond the bare parse, in process and warm (as the parse is
# measured): building the tree (decode minus our reader's events alone),
# validating every object against compiled schemas, Pod Security. (Against
# libyaml's parse this went negative once our reader, with its tree, became
# faster than libyaml's events alone.)
if [ -x build/bench/schema_bench ]; then
	SB=$(build/bench/schema_bench 2>&1)
	echo "$SB" | grep -E "validation, warm|cold start"
	t_ev=$(echo "$DE" | sed -n 's/.*events only.*best of 5: \([0-9.]*\) s.*/\1/p' | head -1)
	t_de=$(echo "$DE" | sed -n 's/.*best of 5: \([0-9.]*\) s.*/\1/p' | head -1) # the default reader's line
	t_va=$(echo "$SB" | sed -n 's/^validation, warm: \([0-9.]*\) ms.*/\1/p')
	t_ps=$(echo "$PS" | sed -n 's/^pss: \([0-9.]*\) ms per pass.*/\1/p')
	[ -z "$t_ps" ] && t_ps=0
	if [ -n "$t_ev" ] && [ -n "$t_de" ] && [ -n "$t_va" ]; then
		printf 'beyond our reader'"'"'s bare parse (tree %.0f ms + validation %.1f ms + pss %.1f ms) = %.0f%% of the parse'"'"'s %.0f ms\n' \
			"$(echo "($t_de - $t_ev) * 1000" | bc -l)" "$t_va" "$t_ps" \
			"$(echo "(($t_de - $t_ev) * 1000 + $t_va + $t_ps) * 100 / ($t_ev * 1000)" | bc -l)" "$(echo "$t_ev * 1000" | bc -l)"
	fi
fi
