#!/bin/sh
# guardrail check's inputs and outputs: every input read exactly once (a
# FIFO, /dev/stdin, standard input given twice, process substitution's
# /dev/fd paths), standard input named <stdin>, an empty input set refused
# unless --allow-empty, --engines '' refused, the short and = forms of
# flags, and a report that cannot be written is exit 2.
# Prints "check-inputs: N passed, N failed".
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
G=$PWD/$BUILD/guardrail
pass=0
fail=0
t() { # name condition
	if eval "$2"; then pass=$((pass + 1)); else
		fail=$((fail + 1))
		echo "FAIL: $1" >&2
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/pod.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {a: b}
Y
# a FIFO is read once: both passes see its object
mkfifo "$tmp/fifo.yaml"
(cat "$tmp/pod.yaml" > "$tmp/fifo.yaml") &
"$G" check -o json "$tmp/fifo.yaml" > "$tmp/out" 2> "$tmp/err"
code=$?
wait
t "FIFO: exit 0 (got $code)" '[ $code = 0 ]'
t "FIFO: one object, no error" 'grep -q "\"objects\":1,\"valid\":1,\"invalid\":0,\"errors\":0" "$tmp/out"'
# A FIFO judged early, then again because a later input holds policies
# (the Kyverno case's resources), or holding a later policy's params (the
# vap case's): its bytes are kept, since it cannot be read a second time.
# Both give what the same files give.
kc="$PWD/tests/cases/check/kyverno-cel"
rm -f "$tmp/fifo.yaml"
mkfifo "$tmp/fifo.yaml"
(cat "$kc/resources.yaml" > "$tmp/fifo.yaml") &
# (a FIFO opened again blocks for a writer: bounded, so a regression fails)
timeout 60 "$G" check --engines kyverno -o json "$tmp/fifo.yaml" "$kc/policy.yaml" 2>&1 | tail -c 300 > "$tmp/fifo.out"
wait
"$G" check --engines kyverno -o json "$kc/resources.yaml" "$kc/policy.yaml" 2>&1 | tail -c 300 > "$tmp/file.out"
t "FIFO judged again (policies after it): as its file" 'cmp -s "$tmp/fifo.out" "$tmp/file.out" && grep -q "\"objects\":6" "$tmp/file.out"'
vc="$PWD/tests/cases/check/vap-params-custom-kind"
rm -f "$tmp/fifo.yaml"
mkfifo "$tmp/fifo.yaml"
(cat "$vc/1-params.yaml" > "$tmp/fifo.yaml") &
timeout 60 "$G" check --engines vap "$tmp/fifo.yaml" "$vc/2-deploy.yaml" "$vc/3-policy.yaml" > "$tmp/fifo.out" 2>&1
code=$?
wait
t "FIFO holding a policy's params: found (exit 1, got $code)" '[ $code = 1 ] && grep -q "over the limit 3" "$tmp/fifo.out"'
# /dev/stdin as a path
"$G" check -o json /dev/stdin < "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "/dev/stdin: one object" 'grep -q "\"objects\":1,\"valid\":1" "$tmp/out"'
# a file descriptor path, as process substitution gives (/dev/fd/N on a pipe)
cat "$tmp/pod.yaml" | "$G" check -o json /dev/fd/0 > "$tmp/out" 2> "$tmp/err"
t "/dev/fd/0 on a pipe: one object" 'grep -q "\"objects\":1,\"valid\":1" "$tmp/out"'
# standard input given twice: read once, used twice, named <stdin>
"$G" check -o json - - < "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "- twice: two objects" 'grep -q "\"files\":2,\"objects\":2,\"valid\":2" "$tmp/out"'
printf 'a: [\n' | "$G" check -o json - > "$tmp/out" 2> "$tmp/err"
t "stdin is <stdin> in JSON" 'grep -q "\"file\":\"<stdin>\"" "$tmp/out"'
t "stdin is <stdin> on stderr" 'grep -q "^<stdin>:" "$tmp/err"'
printf 'a: [\n' | "$G" check - > "$tmp/out" 2> "$tmp/err"
t "stdin is <stdin> in text" 'grep -q "^<stdin>:2:1: error decode" "$tmp/out"'
# an empty input set
mkdir "$tmp/empty"
"$G" check "$tmp/empty" > "$tmp/out" 2> "$tmp/err"
code=$?
t "empty directory: exit 2 (got $code)" '[ $code = 2 ] && grep -q "allow-empty" "$tmp/err"'
"$G" check --allow-empty "$tmp/empty" > "$tmp/out" 2> "$tmp/err"
code=$?
t "empty directory with --allow-empty: exit 0 (got $code)" '[ $code = 0 ]'
# --engines ''
"$G" check --engines '' "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
code=$?
t "--engines '': exit 2 (got $code)" '[ $code = 2 ] && grep -q "empty" "$tmp/err"'
"$G" check --engines=schema,nope "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "--engines with an unknown name: exit 2, names it" '[ $? = 2 ] && grep -q "nope" "$tmp/err"'
# short and = forms
"$G" check -j1 -ojson "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "-j1 -ojson" '[ $? = 0 ] && grep -q "\"summary\"" "$tmp/out"'
"$G" check --jobs=2 --output=json "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "--jobs=2 --output=json" '[ $? = 0 ] && grep -q "\"summary\"" "$tmp/out"'
"$G" check -j0 "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "-j0 refused" '[ $? = 2 ]'
"$G" check -- "$tmp/pod.yaml" > "$tmp/out" 2> "$tmp/err"
t "-- ends the flags" '[ $? = 0 ]'
# a report that cannot be written
if [ -w /dev/full ]; then
	"$G" check -o sarif "$tmp/pod.yaml" > /dev/full 2> "$tmp/err"
	code=$?
	t "-o sarif > /dev/full: exit 2 (got $code)" '[ $code = 2 ] && grep -q "cannot write" "$tmp/err"'
	"$G" check "$tmp/pod.yaml" > /dev/full 2> "$tmp/err"
	code=$?
	t "text > /dev/full: exit 2 (got $code)" '[ $code = 2 ]'
fi
# The walk lists directories on --jobs threads and walks the listings in
# order on one: the files, their order and the problems are the same for
# any number of threads. A tree with a directory reached by two links (the
# link sorting first), a file by two names, loops, a dangling link and
# nesting past the 64-level limit, walked 5 times each at -j1 and -j4.
w="$tmp/walk"
mkdir -p "$w/b/real" "$w/c"
# a finding in every file, so that the report names each one
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbogus: 1\n' > "$tmp/bad.yaml"
for d in a b c; do mkdir -p "$w/$d/sub"; cp "$tmp/bad.yaml" "$w/$d/sub/$d.yaml"; done
cp "$tmp/bad.yaml" "$w/b/real/r.yaml"
ln -s ../b/real "$w/a/0-link-to-real"
ln "$w/c/sub/c.yaml" "$w/c/hard.yaml"
ln -s .. "$w/c/sub/up"
ln -s gone.yaml "$w/c/dangling.yaml"
deep="$w/deep"
i=0
while [ $i -lt 70 ]; do deep="$deep/d"; i=$((i + 1)); done
mkdir -p "$deep"
cp "$tmp/bad.yaml" "$deep/too-deep.yaml"
"$G" check -j1 -o json "$w" > "$tmp/walk1" 2>&1
ok=1
for k in 1 2 3 4 5; do
	"$G" check -j1 -o json "$w" > "$tmp/walkb" 2>&1 && ok=0
	cmp -s "$tmp/walk1" "$tmp/walkb" || ok=0
	"$G" check -j4 -o json "$w" > "$tmp/walkb" 2>&1 && ok=0
	cmp -s "$tmp/walk1" "$tmp/walkb" || ok=0
done
t "walk: -j1 and -j4 give the same files, order and problems" '[ $ok = 1 ]'
t "walk: the linked directory counts once, under the link that sorts first" \
	'grep -q "a/0-link-to-real/r.yaml" "$tmp/walk1" && ! grep -q "b/real/r.yaml" "$tmp/walk1"'
t "walk: a file with two names counts once, the dangling link and the depth are problems" \
	'! grep -q "c/sub/c.yaml" "$tmp/walk1" && grep -q "hard.yaml" "$tmp/walk1" && grep -q "dangling symbolic link" "$tmp/walk1" && grep -q "nested deeper than 64" "$tmp/walk1"'
echo "check-inputs: $pass passed, $fail failed"
[ $fail -eq 0 ]
