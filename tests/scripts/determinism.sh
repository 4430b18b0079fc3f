#!/bin/sh
# The same inputs give byte-identical output for every -j and every run:
# the whole corpus (../shared/corpus) and the examples, at -j1, -j2 and
# -j8, three times each, in JSON and text, compared with the first -j1 run
# byte for byte; and eight conflicting definitions of one Namespace (the
# first applies, every later one is a finding), at every -j.
# Prints "determinism: N passed, N failed".
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
G=$BUILD/guardrail
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
compare() { # name reference candidate
	if cmp -s "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1 differs from the -j1 output" >&2
		diff "$2" "$3" | head -10 >&2
	fi
}
for fmt in json text; do
	"$G" check -j1 -o $fmt --color never ../shared/corpus examples > "$tmp/ref.$fmt" 2> "$tmp/ref.$fmt.err"
	echo $? > "$tmp/ref.$fmt.exit"
	for jobs in 1 2 8; do
		for round in 1 2 3; do
			"$G" check -j$jobs -o $fmt --color never ../shared/corpus examples > "$tmp/out" 2> "$tmp/out.err"
			echo $? > "$tmp/out.exit"
			compare "corpus -o $fmt -j$jobs (run $round)" "$tmp/ref.$fmt" "$tmp/out"
			compare "corpus -o $fmt -j$jobs exit code (run $round)" "$tmp/ref.$fmt.exit" "$tmp/out.exit"
		done
	done
done
# a real check: the corpus output names objects
if grep -q '"objects":[1-9]' "$tmp/ref.json"; then pass=$((pass + 1)); else
	fail=$((fail + 1))
	echo "FAIL: the corpus gave no objects" >&2
fi
# eight Namespaces "shop", each with another enforce level, and a pod in it
mkdir -p "$tmp/ns"
i=0
for level in restricted privileged baseline privileged restricted baseline privileged restricted; do
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: %s\n' \
		$level > "$tmp/ns/ns$i.yaml"
	i=$((i + 1))
done
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers: [{name: c, image: nginx}]\n' \
	> "$tmp/ns/pod.yaml"
"$G" check -j1 -o json "$tmp/ns" > "$tmp/ns.ref" 2>/dev/null
echo $? > "$tmp/ns.ref.exit"
# the first (restricted) applies: exit 1; the five that differ from it are findings
if [ "$(cat "$tmp/ns.ref.exit")" = 1 ] && [ "$(grep -o '"rule":"input.conflict"' "$tmp/ns.ref" | wc -l)" -eq 5 ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: conflicting Namespaces: exit $(cat "$tmp/ns.ref.exit"), expected 1 and 5 conflicts" >&2
fi
for jobs in 2 8; do
	for round in 1 2 3 4 5; do
		"$G" check -j$jobs -o json "$tmp/ns" > "$tmp/out" 2>/dev/null
		echo $? > "$tmp/out.exit"
		compare "namespaces -j$jobs (run $round)" "$tmp/ns.ref" "$tmp/out"
		compare "namespaces -j$jobs exit (run $round)" "$tmp/ns.ref.exit" "$tmp/out.exit"
	done
done
echo "determinism: $pass passed, $fail failed"
[ $fail -eq 0 ]
