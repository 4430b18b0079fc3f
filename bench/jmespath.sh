#!/bin/sh
# jmespath.sh — JMESPath throughput of guardrail against the reference
# JavaScript implementation (npm `jmespath`, installed into bench/out/, run
# with node), on the same inputs and expressions. Prints a table and the
# ratios; asserts nothing. SECONDS_PER sets the time per measurement (0.5).
set -e
cd "$(dirname "$0")/.."
secs=${SECONDS_PER:-0.5}
make -s bench
mkdir -p bench/out
if [ ! -f bench/out/node_modules/jmespath/package.json ]; then
	npm install --prefix bench/out --no-audit --no-fund --silent jmespath >/dev/null
fi
build/bench/jmespath_bench --seconds "$secs" --write-input bench/out/corpus.json \
	--write-pod bench/out/pod.json --list bench/out/exprs.tsv > bench/out/c.tsv
node bench/jmespath_ref.js bench/out "$secs" > bench/out/ref.tsv
echo "expressions: bench/out/exprs.tsv; inputs: all objects of ../shared/corpus as one array (kyverno-pod: one Pod)"
awk -F '\t' '
	FNR == NR && $1 == "eval" { ev[$2] = $3; ce[$2] = $4; order[++n] = $2; next }
	FNR == NR && $1 == "kyverno" { kns = $3; next }
	$1 == "ref" { ref[$2] = $3 }
	END {
		printf "%-12s %14s %16s %14s %9s %9s\n", "expression", "C eval/s", "C compile+eval/s", "ref search/s", "eval x", "c+e x"
		lsum = 0; lsum2 = 0; m = 0; min = 1e30; min2 = 1e30
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (!(k in ref) || ref[k] + 0 == 0) { printf "%-12s %14s %16s %14s\n", k, ev[k], ce[k], "n/a"; continue }
			r = ev[k] / ref[k]; r2 = ce[k] / ref[k]
			printf "%-12s %14.0f %16.0f %14.0f %8.1fx %8.1fx\n", k, ev[k], ce[k], ref[k], r, r2
			lsum += log(r); lsum2 += log(r2); m++
			if (r < min) min = r
			if (r2 < min2) min2 = r2
		}
		if (m) printf "geometric mean: eval %.1fx, compile+eval %.1fx; lowest: eval %.1fx, compile+eval %.1fx\n", exp(lsum / m), exp(lsum2 / m), min, min2
		printf "kyverno expression on a Pod, compile + evaluate: %s ns\n", kns
	}' bench/out/c.tsv bench/out/ref.tsv
