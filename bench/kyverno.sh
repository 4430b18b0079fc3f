#!/bin/sh
# kyverno.sh — the Kyverno engine's speed: every Kyverno policy of
# ../shared/conformance/kyverno-policies (compiled once) over every object of
# ../shared/corpus, on one core. Prints rule evaluations per second and the
# time of one pass of the whole library over the whole corpus; asserts
# nothing. A `kyverno` binary on PATH is timed on the same inputs with
# `kyverno apply` for comparison; without one only our figures are printed.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/bench/kyverno_bench >/dev/null
LIB=../shared/conformance/kyverno-policies
CORPUS=../shared/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# policy files: the library's YAML outside test folders and package metadata
find "$LIB" -name '*.yaml' -not -path '*/.kyverno-test/*' -not -path '*/.chainsaw-test*/*' \
	-not -name 'kyverno-test.yaml' -not -name 'artifacthub-pkg.yml' | sort > "$tmp/policies"
find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort > "$tmp/objects"
echo "machine: $(nproc) cores (one used)"
build/bench/kyverno_bench "$tmp/policies" "$tmp/objects"
if command -v kyverno >/dev/null 2>&1; then
	s=$(date +%s.%N)
	kyverno apply $(cat "$tmp/policies") --resource $(cat "$tmp/objects") >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	echo "kyverno apply, same inputs: $(echo "$e - $s" | bc -l) s"
else
	echo "kyverno: no binary on PATH, no comparison"
fi
