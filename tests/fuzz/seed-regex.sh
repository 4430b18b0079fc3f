#!/bin/sh
# seed-regex.sh — fuzz seeds for fuzz_regex from the oracle's patterns
# (tests/regex/patterns.txt): each seed is <pattern length byte><pattern>
# followed by a short subject. Writes into the corpus folder given ($1).
set -e
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz/corpus/fuzz_regex}
mkdir -p "$out"
i=0
grep -v '^#' tests/regex/patterns.txt | while IFS= read -r p; do
	[ -n "$p" ] || continue
	n=$(printf '%s' "$p" | wc -c)
	[ "$n" -lt 256 ] || continue
	i=$((i + 1))
	{ printf "\\$(printf %o "$n")"; printf '%s' "$p"; printf 'a1-b.C_d\nxyz'; } > "$out/seed-$i"
done
