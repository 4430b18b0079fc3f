#!/bin/sh
# The schema document cache can only make loading faster, never change a
# verdict: the corpus gives byte-identical output with the cache off, cold,
# warm, and with every entry corrupted (overwritten, truncated, or with one
# byte of its tree changed); an entry is written per document;
# a changed patch file is a new entry, not a stale hit.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
in="$root/../shared/corpus"
run() { GUARDRAIL_CACHE_DIR=$1 "$G" check -o json "$in" > "$2" 2>&1; }

run off "$tmp/off.json"
run "$tmp/c" "$tmp/cold.json"
n=$(ls "$tmp/c" 2>/dev/null | grep -c '\.gdc$')
[ "$n" -gt 5 ] && ok || bad "cold run wrote $n entries"
run "$tmp/c" "$tmp/warm.json"
cmp -s "$tmp/off.json" "$tmp/cold.json" && ok || bad "cold cache changes the output"
cmp -s "$tmp/off.json" "$tmp/warm.json" && ok || bad "warm cache changes the output"
# one byte changed near the end of each entry (inside the tree, past the
# key): the entry's hash must turn it into a miss, not a different schema
cp -r "$tmp/c" "$tmp/flip"
for f in "$tmp"/flip/*.gdc; do
	size=$(wc -c < "$f")
	byte=$(od -An -tu1 -j $((size - 40)) -N1 "$f" | tr -d ' ')
	printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
		dd of="$f" bs=1 seek=$((size - 40)) conv=notrunc 2>/dev/null
done
cmp -s "$tmp/c/$(ls "$tmp/c" | head -1)" "$tmp/flip/$(ls "$tmp/c" | head -1)" && bad "flipping a byte left the entry as it was" || ok
run "$tmp/flip" "$tmp/flipped.json"
cmp -s "$tmp/off.json" "$tmp/flipped.json" && ok || bad "an entry with a changed byte changes the output"
cp -r "$tmp/c" "$tmp/trunc"
for f in "$tmp"/trunc/*.gdc; do
	size=$(wc -c < "$f")
	head -c $((size / 2)) "$f" > "$f.t" && mv "$f.t" "$f"
done
run "$tmp/trunc" "$tmp/truncated.json"
cmp -s "$tmp/off.json" "$tmp/truncated.json" && ok || bad "truncated entries change the output"
for f in "$tmp"/c/*.gdc; do printf 'GRDC2\nxx' > "$f"; done
run "$tmp/c" "$tmp/corrupt.json"
cmp -s "$tmp/off.json" "$tmp/corrupt.json" && ok || bad "corrupt entries change the output"

# patches are part of an entry's identity
mkdir -p "$tmp/p/api"
printf '{"components":{"schemas":{"io.k8s.api.core.v1.Container":{"required":["name","image"]}}}}' > "$tmp/p/api/v1.json"
pod="$tmp/pod.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n' > "$pod"
GUARDRAIL_CACHE_DIR="$tmp/c2" "$G" check --engines schema -k 1.30 --schema-patches "$tmp/p" "$pod" > "$tmp/a" 2>&1
grep -q 'required field "image"' "$tmp/a" && ok || bad "patch not applied"
printf '{"components":{"schemas":{"io.k8s.api.core.v1.Container":{"required":["name"]}}}}' > "$tmp/p/api/v1.json"
touch -d '2001-01-01' "$tmp/p/api/v1.json"
GUARDRAIL_CACHE_DIR="$tmp/c2" "$G" check --engines schema -k 1.30 --schema-patches "$tmp/p" "$pod" > "$tmp/b" 2>&1
grep -q 'required field "image"' "$tmp/b" && bad "stale cache entry served after the patch changed" || ok

# an unwritable cache folder is no error
GUARDRAIL_CACHE_DIR=/proc/nonexistent/guardrail "$G" check --engines schema "$pod" > "$tmp/unwritable.out" 2>&1
[ $? -le 1 ] && ok || bad "unwritable cache folder made the run fail"

echo "doccache: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
