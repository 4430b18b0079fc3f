#!/bin/sh
# Bad and huge input gives an error or a verdict, never a crash, a hang or
# memory out of proportion: a 100 MB stream, a file over the size limit,
# 1,000,000 levels of nesting, random binary, invalid UTF-8, an empty file.
# Each check asserts the exit code (2 = bad input, never a signal) and, where
# it matters, the message and the peak memory. Then the cases of issue #8
# that are about inputs, walks, query limits, writes and outputs, each under
# a time limit (timeout) and a peak-memory limit (/usr/bin/time). The decode
# cases are in decode-limits.sh, the regex ones with the regex tests.
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

# ---- inputs are read once, whatever they are (issue #8) ----
pod='apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: i, securityContext: {privileged: true}}]}'
printf '%s\n' "$pod" > "$tmp/pod.yaml"
# bounded CODE NEEDLE MAXKB -- CMD...: run CMD with a time limit and a peak
# memory limit (KB); compare exit code and output
bounded() {
	code=$1 needle=$2 maxkb=$3
	shift 4
	/usr/bin/time -f '%M' -o "$tmp/rss" timeout 120 "$@" > "$tmp/out" 2>&1
	got=$?
	rss=$(tail -1 "$tmp/rss" 2>/dev/null)
	case $BUILD in *san*) maxkb=$((maxkb * 3)) ;; esac # ASan's shadow memory
	if [ "$got" != "$code" ]; then
		bad "$*: exit $got, expected $code"
		head -3 "$tmp/out" >&2
	elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/out"; then
		bad "$*: output lacks '$needle'"
		head -3 "$tmp/out" >&2
	elif [ -z "$rss" ] || [ "$rss" -gt "$maxkb" ]; then
		bad "$*: peak RSS ${rss:-?} KB over $maxkb KB"
	else
		ok
	fi
}
# a pipe named /dev/stdin, standard input, a process substitution, a FIFO
bounded 1 "pss.privileged" 200000 -- sh -c "cat '$tmp/pod.yaml' | '$G' check --engines pss /dev/stdin"
bounded 1 "<stdin>:4:" 200000 -- sh -c "cat '$tmp/pod.yaml' | '$G' check --engines pss -"
if command -v bash > /dev/null; then
	bounded 1 "pss.privileged" 200000 -- bash -c "'$G' check --engines pss <(cat '$tmp/pod.yaml')"
fi
mkfifo "$tmp/fifo.yaml"
(cat "$tmp/pod.yaml" > "$tmp/fifo.yaml") &
bounded 1 "pss.privileged" 200000 -- "$G" check --engines pss "$tmp/fifo.yaml"
wait
# over the limit on a stream: an error, never "empty"; memory stays near the limit
bounded 2 "larger than the limit" 400000 -- sh -c "'$G' check --engines pss - < /dev/zero"
bounded 2 "larger than the limit" 400000 -- sh -c "{ cat '$tmp/pod.yaml'; yes '# padding padding padding padding' | head -c 280000000; } | '$G' check --engines pss -"
bounded 2 "error: limit:" 400000 -- "$G" query @ /dev/zero
bounded 2 "larger than the limit" 400000 -- "$G" check --engines schema --crd /dev/zero "$tmp/pod.yaml"

# ---- directory walks: loops end, each file once, problems are errors ----
mkdir -p "$tmp/loop/sub" "$tmp/loop2" "$tmp/dangle"
cp "$tmp/pod.yaml" "$tmp/loop/sub/p.yaml"
ln -s .. "$tmp/loop/sub/up"
ln -s ../loop "$tmp/loop/self"
bounded 1 "1 object in 1 file" 200000 -- "$G" check --engines pss "$tmp/loop"
cp "$tmp/pod.yaml" "$tmp/loop2/p.yaml"
ln -s . "$tmp/loop2/self"
ln -s p.yaml "$tmp/loop2/again.yaml"
bounded 1 "1 object in 1 file" 200000 -- "$G" check --engines pss "$tmp/loop2"
cp "$tmp/pod.yaml" "$tmp/dangle/p.yaml"
ln -s gone.yaml "$tmp/dangle/gone-link.yaml"
bounded 2 "gone-link.yaml: error read: dangling symbolic link" 200000 -- "$G" check --engines pss "$tmp/dangle"
mkdir -p "$tmp/closed/locked"
cp "$tmp/pod.yaml" "$tmp/closed/p.yaml"
cp "$tmp/pod.yaml" "$tmp/closed/locked/q.yaml"
chmod 000 "$tmp/closed/locked"
chmod 755 "$tmp"
if [ "$(id -u)" = 0 ]; then # root reads anything: look as nobody
	if command -v setpriv > /dev/null; then
		chmod -R a+rX "$tmp/closed/p.yaml" "$tmp/closed"
		chmod 000 "$tmp/closed/locked"
		bounded 2 "locked: error read: cannot read directory" 200000 -- \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$G" check --engines pss "$tmp/closed"
	fi
else
	bounded 2 "locked: error read: cannot read directory" 200000 -- "$G" check --engines pss "$tmp/closed"
fi
chmod 755 "$tmp/closed/locked"

# ---- query: JMESPath and output limits ----
e='@'
i=0
while [ $i -lt 40 ]; do e="$e | [@,@]"; i=$((i + 1)); done
bounded 2 "error: limit:" 700000 -- "$G" query "$e" "$tmp/pod.yaml"
bounded 2 "error: limit: to_string()" 700000 -- "$G" query "to_string($e)" "$tmp/pod.yaml"

# ---- a failed write is an error ----
bounded 2 "" 200000 -- sh -c "'$G' check --engines pss -o sarif '$tmp/pod.yaml' > /dev/full"
bounded 2 "" 200000 -- sh -c "'$G' query @ '$tmp/pod.yaml' > /dev/full"

# ---- bad schema sources are exit 2 naming the file ----
printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: [\n' > "$tmp/bad-crd.yaml"
bounded 2 "bad-crd.yaml:" 200000 -- "$G" check --engines schema --crd "$tmp/bad-crd.yaml" "$tmp/pod.yaml"
schemas=$(cd "$root/../shared/k8s-openapi" 2> /dev/null && pwd)
if [ -n "$schemas" ]; then
	mkdir -p "$tmp/patches/api" "$tmp/schemas/1.35/api"
	printf '{"components": [\n' > "$tmp/patches/api/v1.json"
	bounded 2 "patches/api/v1.json:" 200000 -- "$G" check --engines schema --schema-dir "$schemas" \
		-k 1.35 --schema-patches "$tmp/patches" "$tmp/pod.yaml"
	printf '{"openapi": "3.0.0", "components": {"schemas": {' > "$tmp/schemas/1.35/api/v1.json"
	bounded 2 "schemas/1.35/api/v1.json" 200000 -- env GUARDRAIL_CACHE_DIR=off "$G" check --engines schema \
		--schema-dir "$tmp/schemas" -k 1.35 "$tmp/pod.yaml"
fi

# ---- a CRD's formats on hostile values: linear, as Go's parsers are ----
# 1 MB strings of what keeps each format's scan going longest (a run of
# digits with no unit took 13 s at 200 KB for duration, quadratic, before
# its matcher skipped the run)
{
	printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: fs.example.com}\n'
	printf 'spec:\n  group: example.com\n  scope: Cluster\n  names: {kind: F, plural: fs}\n  versions:\n'
	printf '  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n'
	printf '        type: object\n        properties:\n'
	for f in duration hostname uri cidr mac uuid date rgbcolor isbn ssn byte date-time email; do
		printf '          %s: {type: string, format: %s}\n' "$(echo $f | tr -d -)" "$f"
	done
} > "$tmp/fmt-crd.yaml"
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; } # rep CHAR N: N copies (mawk's sprintf stops at 8 KB)
d=$(rep 1 1000000) s=$(rep - 1000000 | sed 's/--/- /g') h=$(rep a 1000000 | sed 's/aa/a./g')
{
	printf 'apiVersion: example.com/v1\nkind: F\nmetadata: {name: f}\n'
	printf 'duration: "%s"\nhostname: %s\nuri: "/%s"\ncidr: "%s"\nmac: "%s"\n' "$d" "$h" "$s" "$d" "$d"
	printf 'uuid: "%s"\ndate: "%s"\nrgbcolor: "rgb(%s"\nisbn: "%s"\nssn: "%s"\n' "$d" "$d" "$s" "$s" "$d"
	printf 'byte: "%s"\ndatetime: "%s"\nemail: "%s"\n' "$d" "$d" "$d"
} > "$tmp/fmt-in.yaml"
unset d s h
bounded 1 "format duration" 400000 -- "$G" check --engines schema --crd "$tmp/fmt-crd.yaml" "$tmp/fmt-in.yaml"

# ---- control characters are shown, never sent ----
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: "x\\e[2J\\ny"}\nspec: {hostPID: true, containers: [{name: c, image: i}]}\n' > "$tmp/esc.yaml"
for o in text github junit sarif; do
	timeout 60 "$G" check --engines pss -o $o "$tmp/esc.yaml" > "$tmp/out" 2>&1
	if grep -q "$(printf '\033')" "$tmp/out"; then bad "-o $o prints a raw ESC"; else ok; fi
done

echo "robustness: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
