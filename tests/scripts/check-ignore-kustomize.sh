#!/bin/sh
# `guardrail check --ignore-paths GLOB`, `--kustomize` and
# `--allow-duplicate-keys`: which paths are
# read (globs per path segment, ** across segments, relative and absolute
# forms, explicit files and directories), that ignoring everything is still
# "no manifests" (exit 2, never a silent pass), and that a kustomization is
# rendered by kubectl (its objects are checked, its own files are not read
# one by one) while a broken one is an input error.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*" >&2
	fail=$((fail + 1))
}
pod() { # name image
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: c\n    image: %s\n' "$1" "$2"
}
mkdir -p "$tmp/t/a/deep" "$tmp/t/b" "$tmp/k/base"
pod a1 nginx:latest >"$tmp/t/a/one.yaml"
pod a2 nginx:latest >"$tmp/t/a/deep/two.yaml"
pod b1 nginx:1.27 >"$tmp/t/b/three.yaml"
cd "$tmp" || exit 1
LINT="--engines rules --only kube-linter.latest-tag"

# the number of objects judged, from the summary line
objects() { "$G" check $LINT "$@" 2>/dev/null | sed -nE 's/^([0-9]+) objects? in.*/\1/p'; }

[ "$(objects t)" = 3 ] && ok || bad "no ignore: 3 objects"
[ "$(objects --ignore-paths 't/a/**' t)" = 1 ] && ok || bad "t/a/** leaves 1"
[ "$(objects --ignore-paths './t/a/**' ./t)" = 1 ] && ok || bad "./ forms"
[ "$(objects --ignore-paths 't/*/one.yaml' t)" = 2 ] && ok || bad "* within a segment"
[ "$(objects --ignore-paths 't/*.yaml' t)" = 3 ] && ok || bad "* does not cross /"
[ "$(objects --ignore-paths '**/deep/**' t)" = 2 ] && ok || bad "leading **"
[ "$(objects --ignore-paths "$tmp/t/b/**" t)" = 2 ] && ok || bad "absolute glob, relative path"
[ "$(objects --ignore-paths 't/b/**' "$tmp/t")" = 2 ] && ok || bad "relative glob, absolute path"
[ "$(objects --ignore-paths t/a/one.yaml t/a/one.yaml t/b/three.yaml)" = 1 ] && ok || bad "explicit file ignored"
[ "$(objects --ignore-paths 't/a' --ignore-paths 't/b/**' t/a t/b)" = "" ] || bad "all ignored is no input"
"$G" check $LINT --ignore-paths 't/**' t >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "no manifests" "$tmp/err" && grep -q "1 path not read" "$tmp/err" && ok ||
	bad "everything ignored: exit 2 and says so (rc $rc)"
"$G" check $LINT --ignore-paths 't/a/**' t >/dev/null 2>&1
[ $? -eq 0 ] && ok || bad "the finding files are ignored: exit 0"
"$G" check $LINT --ignore-paths >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--ignore-paths without a value: exit 2"

# --allow-duplicate-keys: the last value wins (kube-linter's loader); strict by default
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\nspec:\n  containers:\n  - name: c\n    image: nginx:latest\n    image: nginx:1.27\n' >"$tmp/dup.yaml"
"$G" check $LINT dup.yaml >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "a duplicate key is a decode error by default"
"$G" check $LINT --allow-duplicate-keys dup.yaml >/dev/null 2>&1
[ $? -eq 0 ] && ok || bad "--allow-duplicate-keys: the last image (1.27) wins"

# --kustomize
if command -v kubectl >/dev/null 2>&1; then
	printf 'resources:\n- base/pod.yaml\nnamePrefix: pre-\n' >"$tmp/k/kustomization.yaml"
	pod p nginx:latest >"$tmp/k/base/pod.yaml"
	out=$("$G" check $LINT --kustomize -o json k 2>/dev/null)
	rc=$?
	[ $rc -eq 1 ] && echo "$out" | grep -q '"name":"pre-p"' && echo "$out" | grep -q 'k (kubectl kustomize)' && ok ||
		bad "kustomize renders k (rc $rc): $out"
	[ "$(objects --kustomize k)" = 1 ] && ok || bad "the kustomization's files are not read one by one"
	[ "$(objects k)" = 2 ] && ok || bad "without --kustomize the files are read one by one"
	mkdir -p "$tmp/m/k2"
	cp -r "$tmp/k/." "$tmp/m/k2/"
	pod q nginx:1.27 >"$tmp/m/q.yaml"
	[ "$(objects --kustomize m)" = 2 ] && ok || bad "a kustomization met while walking is rendered"
	printf 'resources:\n- missing.yaml\n' >"$tmp/k/kustomization.yaml"
	"$G" check $LINT --kustomize k >"$tmp/err" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "kubectl kustomize" "$tmp/err" && ok || bad "a broken kustomization is exit 2 (rc $rc)"
	PATH=/nonexistent "$G" check $LINT --kustomize m >"$tmp/err" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "could not be run" "$tmp/err" && ok || bad "no kubectl is exit 2 (rc $rc)"
else
	echo "check-ignore-kustomize: kubectl not installed (scripts/install-deps.sh installs it)" >&2
	bad "kubectl missing"
fi
echo "check-ignore-kustomize: $pass passed, $fail failed"
[ $fail -eq 0 ]
