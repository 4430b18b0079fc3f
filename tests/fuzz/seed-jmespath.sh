#!/bin/sh
# seed-jmespath.sh — fuzz corpora from the JMESPath compliance suites.
# Writes build-fuzz/corpus/jmespath_parse/ (one expression per file) and
# build-fuzz/corpus/jmespath_eval/ (expression, newline, the case's `given`
# JSON), plus the hand seeds of tests/fuzz/jmespath/. Uses build/guardrail
# (make it first) to read the suites: no other tool needed.
set -e
cd "$(dirname "$0")/../.."
bin=build/guardrail
[ -x "$bin" ] || { echo "build/guardrail missing: run make" >&2; exit 2; }
parse=build-fuzz/corpus/jmespath_parse
evalc=build-fuzz/corpus/jmespath_eval
mkdir -p "$parse" "$evalc"
n=0
for f in ../shared/conformance/jmespath/*/*.json; do
	suites=$("$bin" query 'length(@)' "$f")
	i=0
	while [ "$i" -lt "$suites" ]; do
		given=$("$bin" query -c "[$i].given" "$f")
		"$bin" query -r "[$i].cases[].expression | join(\`\"\\n\"\`, @)" "$f" |
		while IFS= read -r expr; do
			n=$((n + 1))
			key=$(printf '%s' "$expr" | cksum | cut -d' ' -f1)
			printf '%s' "$expr" > "$parse/c$key"
			printf '%s\n%s' "$expr" "$given" > "$evalc/c$key-$(printf '%s' "$given" | cksum | cut -d' ' -f1)"
		done
		i=$((i + 1))
	done
done
for s in tests/fuzz/jmespath/*; do
	cp "$s" "$parse/"
	cp "$s" "$evalc/"
done
echo "parse seeds: $(ls "$parse" | wc -l), eval seeds: $(ls "$evalc" | wc -l)"
