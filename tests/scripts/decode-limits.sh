#!/bin/sh
# Decoding as kubectl decodes, at a bounded cost: each decode-side case of
# issue #8, run through `guardrail check` (or the decode unit test) with a
# time bound (timeout) and, where memory is the point, a bound on the peak
# resident size (/usr/bin/time's %M).
#   nested Lists, *List item kinds, UTF-16/32 with BOM, JSON streams,
#   !!binary, overflowing and special floats, dense input against the
#   16x memory budget, merge keys over 60,000 keys, many keys with a
#   duplicate, numbers under a comma locale.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
# Sanitizer builds (BUILD=build-san) take far more memory and time: there
# the inputs are ten times smaller and only exit codes and messages count.
case $BUILD in
*san*) scale=10 ;;
*) scale=1 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE NEEDLE FILE [check flags...]: exit code, and a needle in the
# output ("!text" means the text must be absent), within 60 s.
expect() {
	code=$1 needle=$2 file=$3
	shift 3
	timeout 60 "$G" check "$@" "$file" > "$tmp/out" 2>&1
	got=$?
	case $needle in
	'!'*) absent=${needle#!} ;;
	*) absent= ;;
	esac
	if [ "$got" != "$code" ]; then
		bad "$(basename "$file"): exit $got, expected $code"
		head -5 "$tmp/out" >&2
	elif [ -n "$absent" ] && grep -qF -- "$absent" "$tmp/out"; then
		bad "$(basename "$file"): output has '$absent'"
		head -5 "$tmp/out" >&2
	elif [ -z "$absent" ] && [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/out"; then
		bad "$(basename "$file"): output lacks '$needle'"
		head -5 "$tmp/out" >&2
	else
		ok
	fi
}

# peak_rss_kb CMD...: run under /usr/bin/time and a 120 s timeout
peak_rss_kb() {
	/usr/bin/time -f '%M' -o "$tmp/rss" timeout 120 "$@" > "$tmp/out" 2>&1
	echo $? > "$tmp/code"
	tail -1 "$tmp/rss"
}

pod() { # name privileged-indent
	printf '%sapiVersion: v1\n%skind: Pod\n%smetadata: {name: %s}\n%sspec:\n%s  containers:\n%s  - {name: c, image: nginx, securityContext: {privileged: true}}\n' \
		"$2" "$2" "$2" "$1" "$2" "$2" "$2"
}

# 1. A privileged Pod inside a List inside a List is judged (exit 1).
{
	printf 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n'
	pod nested '  - ' | sed '2,$s/^  - /    /'
} > "$tmp/nested.yaml"
expect 1 'pss.privileged: Pod/nested' "$tmp/nested.yaml" --engines pss

# 2. PodList items without apiVersion/kind are Pods.
printf 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: bare}\n  spec:\n    containers:\n    - {name: c, image: nginx, securityContext: {privileged: true}}\n' > "$tmp/podlist.yaml"
expect 1 'pss.privileged: Pod/bare' "$tmp/podlist.yaml" --engines pss

# 3. A ConfigMapList nested in a List: its items are ConfigMaps, no false
#    metadata.name error.
printf 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMapList\n  metadata: {resourceVersion: "1"}\n  items:\n  - metadata: {name: cm}\n    data: {a: b}\n' > "$tmp/cmlist.yaml"
expect 0 '!metadata.name' "$tmp/cmlist.yaml"

# 4-5. UTF-16 with BOM, both byte orders: converted, judged, positions kept.
pod u16 '' > "$tmp/pod.yaml"
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$tmp/pod.yaml"; } > "$tmp/le.yaml"
{ printf '\376\377'; iconv -f UTF-8 -t UTF-16BE "$tmp/pod.yaml"; } > "$tmp/be.yaml"
expect 1 'le.yaml:6:' "$tmp/le.yaml" --engines pss
expect 1 'be.yaml:6:' "$tmp/be.yaml" --engines pss

# 6. UTF-32: kubectl cannot read it either; a clear error, exit 2.
{ printf '\377\376\000\000'; iconv -f UTF-8 -t UTF-32LE "$tmp/pod.yaml"; } > "$tmp/u32.yaml"
expect 2 'UTF-32' "$tmp/u32.yaml" --engines pss

# 7. NDJSON: two Pods, one per line; the second (privileged) judged at line 2.
printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"x"}]}}\n{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}\n' > "$tmp/nd.json"
expect 1 'nd.json:2:' "$tmp/nd.json" --engines pss

# 8. Concatenated JSON objects without a separator.
tr -d '\n' < "$tmp/nd.json" > "$tmp/cat.json"
expect 1 'pss.privileged: Pod/b' "$tmp/cat.json" --engines pss

# 9. !!binary is decoded: "hello" is no base64, as the API server says.
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: !!binary aGVsbG8=}\n' > "$tmp/secret.yaml"
expect 1 'format byte' "$tmp/secret.yaml" --engines schema

# 10. 1e400 in a string field is a string (go-yaml v2): no finding.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: 1e400}\n' > "$tmp/cm.yaml"
expect 0 '' "$tmp/cm.yaml" --engines schema

# 11. 1e400 in an integer field: a string where an integer belongs.
printf 'apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  replicas: 1e400\n' > "$tmp/rc.yaml"
expect 1 'expected integer, got string' "$tmp/rc.yaml" --engines schema

# 12. .inf / -.Inf / .nan as values: kubectl's JSON step fails; so do we.
sed 's/1e400/.inf/' "$tmp/rc.yaml" > "$tmp/inf.yaml"
expect 2 'inf.yaml:5:13: error decode: +Inf' "$tmp/inf.yaml" --engines schema
sed 's/1e400/.nan/' "$tmp/rc.yaml" > "$tmp/nan.yaml"
expect 2 'NaN' "$tmp/nan.yaml" --engines schema

# 13. A 20 MB JSON array of ones (read as YAML, as kubectl reads a '['),
#     and the same array inside a JSON object (the JSON reader), need more
#     than 16 bytes per input byte: a clear error, and the peak stays within
#     16x the input plus 64 MB.
for shape in array object; do
	if [ $shape = array ]; then open='[' close=']'; else open='{"a":[' close=']}'; fi
	awk -v n=$((10000000 / scale)) -v o="$open" -v c="$close" \
		'BEGIN { printf "%s", o; for (i = 0; i < n; i++) printf "1,"; printf "1%s", c }' > "$tmp/ones.json"
	size=$(wc -c < "$tmp/ones.json")
	rss=$(peak_rss_kb "$G" check --engines pss "$tmp/ones.json")
	limit=$(( (16 * size + 64 * 1024 * 1024) / 1024 ))
	[ "$scale" -gt 1 ] && limit=$rss
	if [ "$(cat "$tmp/code")" = 2 ] && grep -q 'too dense' "$tmp/out" && [ "$rss" -le "$limit" ]; then ok; else
		bad "ones.json ($shape, $size bytes): exit $(cat "$tmp/code"), peak ${rss} KB (limit $limit KB)"
		head -3 "$tmp/out" >&2
	fi
	echo "decode-limits: dense JSON $shape: $size bytes, peak $rss KB" >&2
done

# 14. 32 MB of small ConfigMaps (about 160 bytes each) check within 16x
#     the input plus 64 MB. (With 74-byte ConfigMaps the whole check costs
#     about 18x: per-object costs of the pipeline, beyond decoding; printed.)
awk -v n=$((200000 / scale)) 'BEGIN { for (i = 0; i < n; i++) printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: default\n  labels: {app: web}\ndata:\n  key: \"some value of moderate length\"\n  other: \"x\"\n", i }' > "$tmp/cms.yaml"
size=$(wc -c < "$tmp/cms.yaml")
rss=$(peak_rss_kb "$G" check --engines pss "$tmp/cms.yaml")
limit=$(( (16 * size + 64 * 1024 * 1024) / 1024 ))
[ "$scale" -gt 1 ] && limit=$rss
if [ "$(cat "$tmp/code")" = 0 ] && [ "$rss" -le "$limit" ]; then ok; else
	bad "cms.yaml ($size bytes): exit $(cat "$tmp/code"), peak ${rss} KB (limit $limit KB)"
	head -3 "$tmp/out" >&2
fi
echo "decode-limits: small ConfigMaps: $size bytes, peak $rss KB" >&2
awk -v n=$((500000 / scale)) 'BEGIN { for (i = 0; i < n; i++) printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\ndata: {k: v}\n", i }' > "$tmp/tiny.yaml"
size=$(wc -c < "$tmp/tiny.yaml")
rss=$(peak_rss_kb "$G" check --engines pss "$tmp/tiny.yaml")
echo "decode-limits: tiny ConfigMaps (not asserted): $size bytes, peak $rss KB, exit $(cat "$tmp/code")" >&2

# 15. A merge over 60,000 keys is linear: within 5 s.
awk 'BEGIN { print "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nbase: &b"; for (i = 0; i < 60000; i++) printf "  k%d: \"%d\"\n", i, i; print "data:\n  <<: *b\n  k1: x" }' > "$tmp/merge.yaml"
s=$(date +%s%N)
expect 0 '' "$tmp/merge.yaml" --engines pss
e=$(date +%s%N)
ms=$(( (e - s) / 1000000 ))
[ "$ms" -lt 5000 ] && ok || bad "merge over 60,000 keys took $ms ms"

# 16. 200,000 keys with one duplicate at the end: found, quickly.
awk 'BEGIN { print "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:"; for (i = 0; i < 200000; i++) printf "  k%d: v\n", i; print "  k7: again" }' > "$tmp/dup.yaml"
s=$(date +%s%N)
expect 2 'duplicate key "k7"' "$tmp/dup.yaml" --engines pss
e=$(date +%s%N)
ms=$(( (e - s) / 1000000 ))
[ "$ms" -lt 5000 ] && ok || bad "duplicate among 200,000 keys took $ms ms"

# 17. Numbers parse the same under a locale with a decimal comma: the
#     decode unit test under de_DE.UTF-8 (built here with localedef).
mkdir -p "$tmp/loc"
if command -v localedef > /dev/null && localedef -i de_DE -f UTF-8 "$tmp/loc/de_DE.UTF-8" 2> /dev/null; then
	if LOCPATH="$tmp/loc" timeout 60 "$root/$BUILD/tests/unit/test_decode" > "$tmp/out" 2>&1 &&
		! grep -q 'no comma locale' "$tmp/out"; then ok; else
		bad "test_decode under de_DE.UTF-8"
		tail -3 "$tmp/out" >&2
	fi
else
	echo "decode-limits: localedef unavailable: comma-locale case not run" >&2
	bad "comma locale: localedef could not build de_DE.UTF-8"
fi

echo "decode-limits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
