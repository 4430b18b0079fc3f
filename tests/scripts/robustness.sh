#!/bin/sh
# Bad and huge input gives an error or a verdict, never a crash, a hang or
# memory out of proportion: a 100 MB stream, a file over the size limit,
# 1,000,000 levels of nesting, random binary, invalid UTF-8, an empty file.
# Each check asserts the exit code (2 = bad input, never a signal) and, where
# it matters, the message and the peak memory.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE NEEDLE FILE: run check, compare exit code and stdout+stderr text
expect() {
	code=$1 needle=$2 file=$3
	timeout 300 "$G" check --engines pss "$file" > "$tmp/out" 2>&1
	got=$?
	if [ "$got" != "$code" ]; then
		bad "$(basename "$file"): exit $got, expected $code"
		head -3 "$tmp/out" >&2
	elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/out"; then
		bad "$(basename "$file"): output lacks '$needle'"
		head -3 "$tmp/out" >&2
	else
		ok
	fi
}

# 100 MB: 100,000 ConfigMaps of about 1 KB each.
awk 'BEGIN { pad = sprintf("%930s", ""); gsub(/ /, "x", pad);
	for (i = 0; i < 100000; i++)
		printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  key: \"%s\"\n", i, pad }' \
	> "$tmp/big.yaml"
size=$(wc -c < "$tmp/big.yaml")
[ "$size" -ge 100000000 ] && ok || bad "big.yaml is only $size bytes"
/usr/bin/time -f '%M' -o "$tmp/rss" timeout 300 "$G" check --engines pss -o json "$tmp/big.yaml" > "$tmp/out" 2>&1
got=$?
rss=$(tail -1 "$tmp/rss")
if [ "$got" = 0 ] && grep -q '"objects":100000' "$tmp/out"; then ok; else bad "100 MB file: exit $got"; fi
# memory in proportion to the input: under 12x its size even with sanitizers
if [ -n "$rss" ] && [ "$rss" -lt $((size / 1024 * 12)) ]; then ok; else bad "100 MB file: peak RSS $rss KB"; fi

# Over the 256 MiB limit (a sparse file: nothing is written to disk).
truncate -s 300M "$tmp/huge.yaml"
expect 2 "larger than the limit" "$tmp/huge.yaml"

# 1,000,000 levels of nesting, flow and block style.
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "["; for (i = 0; i < 1000000; i++) printf "]"; print "" }' > "$tmp/deep.yaml"
expect 2 "nested too deeply" "$tmp/deep.yaml"
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "["; print "" }' > "$tmp/deep.json"
expect 2 "nested too deeply" "$tmp/deep.json"
awk 'BEGIN { for (i = 0; i < 5000; i++) { for (j = 0; j < i; j++) printf " "; print "- " } }' > "$tmp/deep-block.yaml"
expect 2 "" "$tmp/deep-block.yaml"

# Random binary, with and without NUL bytes.
head -c 65536 /dev/urandom > "$tmp/random.yaml"
expect 2 "" "$tmp/random.yaml"
head -c 65536 /dev/urandom | tr -d '\000' > "$tmp/random-nonul.yaml"
expect 2 "" "$tmp/random-nonul.yaml"

# Invalid UTF-8 in YAML and in JSON, with the position.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "\377"\n' > "$tmp/utf8.yaml"
expect 2 "utf8.yaml:6:" "$tmp/utf8.yaml"
printf '{"apiVersion": "v1",\n "kind": "\377"}' > "$tmp/utf8.json"
expect 2 "utf8.json:2:11: error decode: invalid UTF-8" "$tmp/utf8.json"

# Empty file and comment-only file: nothing to check, success.
: > "$tmp/empty.yaml"
expect 0 "0 objects in 1 file" "$tmp/empty.yaml"
printf '# nothing\n---\n# here\n' > "$tmp/comments.yaml"
expect 0 "0 objects in 1 file" "$tmp/comments.yaml"

# A directory given as a file inside a list still reports the others.
mkdir "$tmp/dir"
printf 'a: [\n' > "$tmp/dir/a.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: [{name: c, image: i}]}\n' > "$tmp/dir/b.yaml"
timeout 60 "$G" check "$tmp/dir" > "$tmp/out" 2>&1
got=$?
if [ "$got" = 2 ] && grep -q "b.yaml:4:17: error pss.hostNamespaces" "$tmp/out"; then ok; else bad "bad file hides good file: exit $got"; cat "$tmp/out" >&2; fi

echo "robustness: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
