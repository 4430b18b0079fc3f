#!/bin/sh
# seed-kyverno.sh — fuzz seeds for fuzz_kyverno: each policy of the Kyverno
# library followed by its test resources, one file per policy, written into
# the scratch corpus folder given as $1 (never into the repository).
set -e
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz/corpus/fuzz_kyverno}
mkdir -p "$out"
n=0
for t in $(find ../shared/conformance/kyverno-policies -name kyverno-test.yaml | sort | head -300); do
	d=$(dirname "$t")
	p=$(ls "$d"/../*.yaml 2>/dev/null | head -1)
	r=$d/resource.yaml
	[ -f "$p" ] && [ -f "$r" ] || continue
	{ cat "$p"; echo "---"; cat "$r"; } > "$out/seed-$n.yaml"
	n=$((n + 1))
done
echo "seed-kyverno: $n seeds in $out"
