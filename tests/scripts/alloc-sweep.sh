#!/bin/sh
# Fail closed, proven by injection: `guardrail check` over real manifests
# (workloads with PSS findings, a CRD and a custom resource that breaks its
# schema, a JSON file, a ValidatingAdmissionPolicy with a param and a Kyverno
# policy among the inputs) with the Nth allocation failing, for EVERY N from 1 to
# the number of allocations the run makes. Each run must end one of two
# ways: exit 2 with a message on standard error, or exactly the findings of
# the run without failure (same exit code, same output). A crash, a hang, or
# an exit 0/1 with other output is a failure.
#
# Three sweeps: with the schema cache off (documents decoded and compiled),
# with a fresh cache per run followed by a clean run on that cache, which
# must give the full findings (an allocation failure must never leave a
# poisoned cache entry behind), and with the cache warm (a group-version
# read from the cache compiles the kind asked for, and its other kinds when
# the first of them is asked for: those compiles fail too). Each sweep runs
# on one thread (the Nth allocation is the same in every run) and on two
# (the threads' allocations interleave differently from run to run, so each
# sweep fails other allocations of the threaded paths: the CRD bytes decoded
# beside the set, group-versions loaded on two threads at once). Two more
# sweep the rule packs (the rules engine: the guardrail and kube-linter
# profiles, whose checks match Go regular expressions).
#
# The shim is tests/support/failmalloc/failmalloc.c (LD_PRELOAD). Under the
# sanitizer builds the sweep is skipped: ASan must own malloc.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
case $BUILD in
*san* | *tsan*)
	echo "alloc-sweep: skipped under sanitizers (ASan owns malloc)"
	echo "alloc-sweep: 0 passed, 0 failed"
	exit 0
	;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shim="$tmp/failmalloc.so"
${CC:-cc} -shared -fPIC -O2 -Wall -Wextra -Werror -o "$shim" "$root/tests/support/failmalloc/failmalloc.c" || {
	echo "alloc-sweep: cannot build the shim"
	echo "alloc-sweep: 0 passed, 1 failed"
	exit 1
}
pass=0
fail=0
bad() { echo "FAIL: $*" >&2; }

in="$tmp/in"
mkdir "$in"
cp "$root"/examples/bad/deployment.yaml "$root"/examples/bad/hostpath-pod.yaml \
	"$root"/examples/bad/configmap.yaml "$root"/examples/good/* "$in/"
cat > "$in/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1, maximum: 10}
                color: {type: string, enum: [red, blue]}
                tags: {type: array, items: {type: string, maxLength: 8}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: shop}
spec: {size: 20, color: green, tags: [averyverylongtag], extra: 1}
YAML
# policies the set-level engines find among the inputs: a
# ValidatingAdmissionPolicy with a ConfigMap param, and a Kyverno policy
cat > "$in/policies.yaml" <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'replicas must be at most ' + params.data.max"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas}
spec:
  policyName: max-replicas
  validationActions: [Deny]
  paramRef: {name: limits, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: shop}
data: {max: "1"}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: require-team}
spec:
  validationFailureAction: Enforce
  rules:
    - name: team-label
      match: {any: [{resources: {kinds: [Deployment]}}]}
      validate:
        message: "the label team is required"
        pattern: {metadata: {labels: {team: "?*"}}}
    - name: no-latest
      match: {any: [{resources: {kinds: [Deployment]}}]}
      validate:
        cel:
          expressions:
            - expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))"
              message: "no :latest images"
---
apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata: {name: pod-names}
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
    - expression: "object.spec.containers.all(c, c.name.size() <= 5)"
      message: "container names of at most 5 characters"
YAML

# run OUT N CACHE: one check with allocation N failing (0: none), on $jobs
# threads, with the rule pack $profile (none: the default engines)
run() {
	set -- "$1" "$2" "$3"
	[ "$profile" = none ] || set -- "$@" --profile "$profile"
	GUARDRAIL_CACHE_DIR=$3 FAILMALLOC_N=$2 FAILMALLOC_COUNT="$1.count" LD_PRELOAD="$shim" \
		timeout 20 "$G" check -j "$jobs" $4 $5 -o json "$in" > "$1.out" 2> "$1.err"
}

# judge N CODE [OUT]: compare one run (OUT.out, OUT.err; default $tmp/r)
# with the baseline
judge() {
	o=${3:-$tmp/r}
	if [ "$2" = "$base_rc" ] && cmp -s "$o.out" "$tmp/base.out"; then
		full=$((full + 1))
		return 0
	fi
	if [ "$2" = 2 ] && [ -s "$o.err" ]; then
		errors=$((errors + 1))
		return 0
	fi
	return 1
}

for sweep in nocache:1:none freshcache:1:none warmcache:1:none nocache:2:none freshcache:2:none \
	warmcache:2:none nocache:2:guardrail nocache:1:kube-linter; do
	mode=${sweep%%:*} rest=${sweep#*:}
	jobs=${rest%%:*} profile=${rest#*:}
	cache=off
	[ $mode != nocache ] && cache="$tmp/cache" && rm -rf "$cache" && mkdir "$cache"
	# warm: the baseline fills the cache, and the sweep reads it
	[ $mode = warmcache ] && run "$tmp/base" 0 "$cache"
	run "$tmp/base" 0 "$cache"
	base_rc=$?
	total=$(cat "$tmp/base.count")
	if [ "$base_rc" != 1 ] || ! grep -q '"rule":"schema.type"' "$tmp/base.out" ||
		! grep -q '"rule":"pss.privileged"' "$tmp/base.out" ||
		! grep -q '"rule":"vap.max-replicas"' "$tmp/base.out" ||
		! grep -q '"rule":"kyverno.require-team/team-label"' "$tmp/base.out" ||
		! grep -q '"rule":"kyverno.pod-names"' "$tmp/base.out"; then
		bad "$mode -j$jobs $profile: the baseline run did not judge the inputs (exit $base_rc)"
		head -5 "$tmp/base.err" >&2
		fail=$((fail + 1))
		continue
	fi
	# two workers (odd and even N: CI's machine has two cores), each with
	# its own outputs and its own cache (a copy of the warm one)
	for w in 0 1; do
		(
			wc=$cache
			if [ $mode != nocache ]; then
				wc="$tmp/cache$w"
				rm -rf "$wc"
				cp -R "$cache" "$wc"
			fi
			full=0 errors=0 wrong=0
			n=$((w + 1))
			while [ "$n" -le "$total" ]; do
				[ $mode = freshcache ] && rm -rf "$wc" && mkdir "$wc"
				run "$tmp/r$w" "$n" "$wc"
				rc=$?
				if ! judge "$n" "$rc" "$tmp/r$w"; then
					wrong=$((wrong + 1))
					[ "$wrong" -le 5 ] && bad "$mode -j$jobs $profile N=$n: exit $rc, $(head -c 200 "$tmp/r$w.err" | tr '\n' ' ')"
				elif [ $mode = freshcache ]; then
					# the cache this run left behind must give the full findings
					run "$tmp/r$w" 0 "$wc"
					rc=$?
					if [ "$rc" != "$base_rc" ] || ! cmp -s "$tmp/r$w.out" "$tmp/base.out"; then
						wrong=$((wrong + 1))
						[ "$wrong" -le 5 ] && bad "$mode -j$jobs $profile N=$n: a clean run on the cache it left: exit $rc"
					fi
				fi
				n=$((n + 2))
			done
			echo "$full $errors $wrong" > "$tmp/w$w"
		) &
	done
	wait
	read -r f0 e0 w0 < "$tmp/w0" || w0=1
	read -r f1 e1 w1 < "$tmp/w1" || w1=1
	full=$((f0 + f1)) errors=$((e0 + e1)) wrong=$((w0 + w1))
	rm -f "$tmp/w0" "$tmp/w1"
	echo "alloc-sweep $mode -j$jobs $profile: $total allocations, every N swept: $full full findings, $errors exit 2, $wrong wrong"
	[ "$wrong" = 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
done
# guardrail test (Kyverno CLI tests): every allocation of a run over one of
# the library's tests fails in turn; the full summary or exit 2 with a message.
kt="$root/../shared/conformance/kyverno-policies/best-practices/require-labels"
if [ -d "$kt" ]; then
	"$G" test "$kt" >"$tmp/base.out" 2>/dev/null
	base_rc=$?
	FAILMALLOC_COUNT="$tmp/count" LD_PRELOAD="$shim" "$G" test "$kt" >/dev/null 2>&1
	total=$(cat "$tmp/count")
	full=0 errors=0 wrong=0 n=1
	while [ "$n" -le "$total" ]; do
		FAILMALLOC_N=$n LD_PRELOAD="$shim" timeout 20 "$G" test "$kt" >"$tmp/r.out" 2>"$tmp/r.err"
		rc=$?
		if ! judge "$n" "$rc"; then
			wrong=$((wrong + 1))
			[ "$wrong" -le 10 ] && bad "test N=$n: exit $rc, $(head -c 200 "$tmp/r.err" | tr '\n' ' ')"
		fi
		n=$((n + 1))
	done
	echo "alloc-sweep test: $total allocations, every N swept: $full full, $errors exit 2, $wrong wrong"
	[ "$wrong" = 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
else
	bad "test: $kt is missing (../shared/conformance is part of every checkout's CI)"
	fail=$((fail + 1))
fi
echo "alloc-sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
