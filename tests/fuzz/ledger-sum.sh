#!/bin/sh
# Totals per harness from tests/fuzz/LEDGER: CPU time, executions, runs that
# ended in a crash, and every harness of tests/fuzz/ with none yet. Only
# runs that ended clean (or were stopped by hand, clean until then) count
# towards the CPU time: a run that found a crash fuzzed code since changed.
cd "$(dirname "$0")"
printf "%-22s %10s %8s %14s %7s\n" harness "CPU (min)" runs executions crashes
{
	for h in fuzz_*.c; do
		printf '%s\t0\t0\t0\t0\n' "${h%.c}"
	done
	grep -v '^#' LEDGER | awk -F'\t' '{c = ($7 == "clean" || $7 == "stopped") ? 0 : 1; print $3 "\t" (c ? 0 : $5) "\t" $6 "\t" c "\t1"}'
} | awk -F'\t' '{cpu[$1] += $2; runs[$1] += $3; bad[$1] += $4; n[$1] += $5}
END {
	for (h in cpu)
		printf "%-22s %10.1f %8d %14d %6d %s\n", h, cpu[h] / 60, n[h], runs[h], bad[h], (cpu[h] >= 3600 ? "1 CPU-hour" : "")
}' | sort
