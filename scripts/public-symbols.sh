#!/bin/sh
# public-symbols.sh OUT OBJ... — the library's public symbols: every global
# an object defines whose name a public header declares (include/guardrail).
# The shared library exports only these; the installed static library keeps
# only these global. Everything else (gri_*, jp_*, pss_*, ...) stays inside.
set -e
out=$1
shift
tmp=$(mktemp)
nm -g --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u > "$tmp"
grep -ohE '\bgr_[A-Za-z0-9_]+\b' include/guardrail/*.h | sort -u | comm -12 "$tmp" - > "$out"
rm -f "$tmp"
[ -s "$out" ]
