#!/bin/sh
# What `-o sarif` writes, validated by the SARIF Multitool (the validator of
# the SARIF specification's editors, installed by scripts/install-deps.sh):
# the 2.1.0 schema, the specification's own rules and GitHub code scanning's
# ingestion rules (rule kinds Sarif and Gh). Any error or warning fails; the
# multitool's notes (suggestions such as snippets) are not asserted.
# Prints "sarif: N passed, N failed".
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
G=$PWD/$BUILD/guardrail
S=../shared
TOOLS=${GUARDRAIL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/guardrail-tools}
M=$TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$M" ]; then
	echo "FAIL: the SARIF validator is not installed ($M): run scripts/install-deps.sh" >&2
	echo "sarif: 0 passed, 1 failed"
	exit 1
fi
n=0
# validate NAME EXPECTED-EXIT -- guardrail arguments...
validate() {
	name=$1 want=$2
	shift 3
	n=$((n + 1))
	f=$tmp/$n.sarif
	"$G" "$@" > "$f" 2> "$tmp/err"
	code=$?
	if [ "$code" != "$want" ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: exit $code, want $want" >&2
		return
	fi
	# The multitool is .NET: it wants a writable home and no telemetry.
	DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 HOME=$tmp \
		"$M" validate "$f" --rule-kind "Sarif;Gh" --level "Error;Warning" -o "$f.val" --quiet > "$tmp/val.log" 2>&1
	found=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
rs=[r for run in d["runs"] for r in run.get("results",[])]
for r in rs:
    print(r.get("ruleId"), r.get("level"), r.get("message",{}).get("arguments"), file=sys.stderr)
print(len(rs))' "$f.val" 2>> "$tmp/val.log")
	if [ "$found" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: the validator reports ${found:-no result file}:" >&2
		head -20 "$tmp/val.log" >&2
	fi
}
validate "examples (decode error, schema, pss, native)" 2 -- check -o sarif examples
validate "nothing found" 0 -- check -o sarif examples/good
validate "rule packs over a corpus project (with decode errors)" 2 -- check -o sarif --engines schema,pss,native,rules "$S/corpus/kubernetes-examples"
validate "kyverno policies (Audit: findings, exit 0)" 0 -- check -o sarif --engines kyverno --policy "$S/conformance/kyverno-policies/best-practices/require-labels/require-labels.yaml" examples/bad/deployment.yaml examples/good
if grep -q '"ruleId":"kyverno' "$tmp/$n.sarif"; then pass=$((pass + 1)); else
	fail=$((fail + 1))
	echo "FAIL: the kyverno run reported no policy finding" >&2
fi
mkdir -p "$tmp/in dir/ünï"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n' > "$tmp/in dir/ünï/pod #1.yaml"
validate "a path that needs percent-encoding" 1 -- check -o sarif "$tmp/in dir"
validate "standard input" 1 -- check -o sarif - < "$tmp/in dir/ünï/pod #1.yaml"
echo "sarif: $pass passed, $fail failed"
[ "$fail" = 0 ]
