#!/bin/sh
# Fail closed in the webhook, proven by injection: what `guardrail serve`
# does with one AdmissionReview (its configuration loaded, the review
# decoded, judged by Pod Security and the policies of the configuration —
# a ValidatingAdmissionPolicy with a param, Kyverno ClusterPolicy and
# ValidatingPolicy — and the reply encoded) with the Nth allocation failing,
# for EVERY N from 1 to the number of allocations the run makes.
#
# A webhook that loses part of its verdict to an allocation failure and
# still answers 200 is a bypass: a denial that becomes an allow, a warning
# or audit annotation that disappears. Each run must end one of two ways:
# the configuration does not load (exit 2 with a message: serve does not
# start, or keeps its previous policy on a reload), or every review gets
# either exactly the reply of the run without failure or a 500 (the API
# server then applies the webhook's failurePolicy). Anything else — a crash,
# a hang, another reply — is a failure.
#
# The driver (tests/serve/judge.c) links the build's own serve objects:
# serve_review is what the server calls for every review, sockets aside.
# The shim is tests/support/failmalloc/failmalloc.c (LD_PRELOAD); under the
# sanitizer builds the sweep is skipped (ASan must own malloc).
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in
*san*) # build-san, build-tsan
	echo "serve-sweep: skipped under sanitizers (ASan owns malloc)"
	echo "serve-sweep: 0 passed, 0 failed"
	exit 0
	;;
esac
tmp=$(mktemp -d)
# KEEP=1 keeps the folder (the shim, the driver, the reviews) to replay a run
if [ -n "$KEEP" ]; then echo "serve-sweep: kept $tmp" >&2; else trap 'rm -rf "$tmp"' EXIT; fi
fail=0
pass=0
bad() {
	echo "FAIL: $*" >&2
	fail=$((fail + 1))
}
B="$root/$BUILD"
if ! ${CC:-cc} -shared -fPIC -O2 -Wall -Wextra -Werror -o "$tmp/failmalloc.so" \
	"$root/tests/support/failmalloc/failmalloc.c" ||
	! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/src" \
		-o "$tmp/judge" "$root/tests/serve/judge.c" "$B/src/serve_config.o" "$B/src/serve_judge.o" \
		"$B/src/serve_http.o" "$B/libguardrail.a" -lyaml -lpthread -lm -lz -ldl; then
	echo "serve-sweep: cannot build the shim or the driver"
	echo "serve-sweep: 0 passed, 1 failed"
	exit 1
fi

mkdir "$tmp/policies"
cat > "$tmp/config.yaml" <<'YAML'
apiVersion: guardrail.dev/v1alpha1
kind: ServeConfiguration
podSecurity:
  exemptions:
    namespaces: [kube-system]
policies: [policies]
YAML
cat > "$tmp/policies/policies.yaml" <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'replicas must be at most ' + params.data.max"
  auditAnnotations:
    - key: replicas
      valueExpression: "string(object.spec.replicas)"
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
      match: {any: [{resources: {kinds: [Deployment, Pod]}}]}
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
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: warn-owner}
spec:
  validationFailureAction: Audit
  rules:
    - name: owner-label
      match: {any: [{resources: {kinds: [Deployment]}}]}
      validate:
        message: "an owner label is recommended"
        pattern: {metadata: {labels: {owner: "?*"}}}
---
# what the webhook can and cannot know of the request: its user (alice,
# excluded here, so this never denies), the namespace's labels and the
# user's roles (neither: those rules are counted as not evaluated)
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: everyone-but-alice}
spec:
  validationFailureAction: Enforce
  rules:
    - name: deny
      match: {any: [{resources: {kinds: [Pod]}}]}
      exclude: {any: [{subjects: [{kind: User, name: alice}]}]}
      validate: {message: "alice is excluded", deny: {}}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: prod-only}
spec:
  validationFailureAction: Enforce
  rules:
    - name: deny
      match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: {env: prod}}}}]}
      validate: {message: "prod pods denied", deny: {}}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: admins-excluded}
spec:
  validationFailureAction: Enforce
  rules:
    - name: deny
      match: {any: [{resources: {kinds: [Pod]}}]}
      exclude: {any: [{clusterRoles: [cluster-admin]}]}
      validate: {message: "admins are excluded", deny: {}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: prod-vap}
spec:
  matchConstraints:
    namespaceSelector: {matchLabels: {env: prod}}
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
  validations:
    - {expression: "false", message: "prod pods denied by VAP"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: prod-vap}
spec:
  policyName: prod-vap
  validationActions: [Deny]
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: scan-only}
spec:
  admission: false
  validationFailureAction: Enforce
  rules:
    - name: cost-center
      match: {any: [{resources: {kinds: [Deployment, Pod]}}]}
      validate:
        message: "a cost-center label is required"
        pattern: {metadata: {labels: {cost-center: "?*"}}}
---
apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata: {name: scan-only-vpol}
spec:
  validationActions: [Deny]
  evaluation: {admission: {enabled: false}}
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
  validations:
    - expression: "false"
      message: "never admitted"
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: add-team}
spec:
  rules:
    - name: default-team
      match: {any: [{resources: {kinds: [Pod]}}]}
      mutate:
        patchStrategicMerge: {metadata: {labels: {+(team): none}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: deployers}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
    - expression: "authorizer.requestResource.check('create').allowed()"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: deployers}
spec:
  policyName: deployers
  validationActions: [Deny]
---
apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata: {name: pod-names}
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
  validations:
    - expression: "object.spec.containers.all(c, c.name.size() <= 5)"
      message: "container names of at most 5 characters"
YAML

# review FILE OP GROUP VERSION RESOURCE KIND NAMESPACE OBJECT [OLD]
review() {
	old=""
	[ -n "$9" ] && old=",\"oldObject\":$9"
	printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-%s","kind":{"group":"%s","version":"%s","kind":"%s"},"resource":{"group":"%s","version":"%s","resource":"%s"},"namespace":"%s","operation":"%s","userInfo":{"username":"alice"},"object":%s%s}}\n' \
		"$(basename "$1")" "$3" "$4" "$6" "$3" "$4" "$5" "$7" "$2" "$8" "$old" > "$1"
}
pod='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"hostNetwork":true,"containers":[{"name":"application","image":"nginx:1.25","securityContext":{"privileged":true,"capabilities":{"add":["NET_ADMIN","SYS_TIME"]}},"volumeMounts":[{"name":"h","mountPath":"/h"}]}],"volumes":[{"name":"h","hostPath":{"path":"/etc"}}]}}'
oldpod='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"containers":[{"name":"application","image":"nginx:1.24"}]}}'
goodpod='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ok","namespace":"shop","labels":{"team":"a"}},"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"app","image":"nginx:1.25","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}'
deploy='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},"spec":{"hostPID":true,"containers":[{"name":"api","image":"example/api:latest","securityContext":{"runAsUser":0}}]}}}}'
ns='{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-b","labels":{"pod-security.kubernetes.io/enforce":"strict","pod-security.kubernetes.io/warn-version":"v2.0"}}}'
R="$tmp/reviews"
mkdir "$R"
review "$R/pod" CREATE "" v1 pods Pod shop "$pod"
review "$R/pod-update" UPDATE "" v1 pods Pod shop "$pod" "$oldpod"
review "$R/good" CREATE "" v1 pods Pod shop "$goodpod"
review "$R/deploy" CREATE apps v1 deployments Deployment shop "$deploy"
review "$R/ns" CREATE "" v1 namespaces Namespace "" "$ns"
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x",' > "$R/broken"
set -- /validate/enforce/restricted "$R/pod" /validate/warn/restricted "$R/pod" \
	/validate/audit/baseline/v1.30 "$R/pod" /validate/enforce/restricted "$R/pod-update" \
	/validate/enforce/restricted "$R/good" /validate/enforce/restricted "$R/deploy" \
	/validate/warn/baseline "$R/deploy" /validate/audit/restricted "$R/deploy" \
	/validate/enforce/restricted "$R/ns" /validate/enforce/restricted "$R/broken"

# run OUT N: one driver run with allocation N failing (0: none)
run() {
	o=$1 fn=$2
	shift 2
	(cd "$tmp" && FAILMALLOC_PROGRAM=judge FAILMALLOC_N=$fn FAILMALLOC_COUNT="$tmp/count" \
		LD_PRELOAD="$tmp/failmalloc.so" timeout 20 ./judge config.yaml "$@") > "$o.out" 2> "$o.err"
}
run "$tmp/base" 0 "$@"
base_rc=$?
# the baseline must show every kind of answer, or the sweep proves nothing
for needle in '"allowed":false' 'violates PodSecurity' 'would violate PodSecurity' 'kyverno.require-team/team-label' \
	'kyverno.require-team/no-latest' 'kyverno.warn-owner' 'vap.max-replicas' 'kyverno.pod-names' \
	'"warnings":[' 'audit-violations' 'vap-audit-annotations' 'namespace labels' '"allowed":true' \
	"namespaceSelector: the namespace's labels are not known at admission" \
	"match or exclude by roles or clusterRoles: the requester's roles are not known at admission" \
	'"not-evaluated":"4 rules: namespaceSelector' \
	'mutate rules are not evaluated yet (1); ValidatingAdmissionPolicy expressions using authorizer' \
	'== /validate/enforce/restricted 400'; do
	grep -qF -- "$needle" "$tmp/base.out" || bad "the baseline has no $needle"
done
# policies that are not applied at admission (Kyverno's spec.admission:
# false, a ValidatingPolicy's evaluation.admission.enabled: false), one
# that excludes the requester, and ones whose match the webhook cannot know
for needle in scan-only cost-center 'never admitted' 'alice is excluded' 'prod pods denied' \
	'admins are excluded'; do
	grep -qF -- "$needle" "$tmp/base.out" && bad "the baseline applies a policy not applied at admission: $needle"
done
if [ "$base_rc" != 0 ] || [ "$(grep -c '^== ' "$tmp/base.out")" != 10 ]; then
	bad "the baseline run did not answer the 10 reviews (exit $base_rc): $(head -c 300 "$tmp/base.err")"
fi
if [ "$fail" != 0 ]; then
	echo "serve-sweep: $pass passed, $fail failed"
	exit 1
fi

# judge: every review's answer is the baseline's or a 500
# shellcheck disable=SC2016 # awk's own $ fields
awk_judge='
FNR == 1 { f++ }
/^== / { k++; key[f] = k; split($0, h, " "); st[f, k] = h[3]; next }
{ body[f, key[f]] = body[f, key[f]] $0 "\n" }
END {
	if (k != 2 * n) { print "answered " (k - n) " of " n " reviews"; exit 1 }
	for (i = 1; i <= n; i++) {
		j = n + i
		if (st[2, j] == 500 && body[2, j] ~ /^out of memory\n+$/) { oom++; continue }
		if (st[2, j] != st[1, i] || body[2, j] != body[1, i]) { print "review " i ": " st[2, j] ": " substr(body[2, j], 1, 300); exit 1 }
	}
	print oom + 0
}'
# Two sweeps: the reviews' arenas as serve has them (64 KiB chunks: a
# failure lands where a review needs a new chunk), and with 4 KiB first
# chunks (JUDGE_FIRST_CHUNK), so that the arena's own allocations fail at
# many more points of decoding and judging.
for chunk in 0 4096; do
	export JUDGE_FIRST_CHUNK=$chunk
	# serve's own chunks: the baseline above is this sweep's run without
	# failure (and $tmp/count is still its count)
	if [ $chunk != 0 ]; then
		run "$tmp/base$chunk" 0 "$@"
		if ! cmp -s "$tmp/base$chunk.out" "$tmp/base.out"; then
			bad "first chunk $chunk: the run without failure answers otherwise"
			continue
		fi
	fi
	total=$(cat "$tmp/count")
	full=0 errors=0 partial=0 wrong=0
	n=1
	while [ "$n" -le "$total" ]; do
		run "$tmp/r" "$n" "$@"
		rc=$?
		res=""
		if [ "$rc" = 2 ] && [ -s "$tmp/r.err" ] && ! [ -s "$tmp/r.out" ]; then
			errors=$((errors + 1))
		elif [ "$rc" = 0 ] && res=$(awk -v n=10 "$awk_judge" "$tmp/base.out" "$tmp/r.out"); then
			if [ "$res" = 0 ]; then full=$((full + 1)); else partial=$((partial + 1)); fi
		else
			wrong=$((wrong + 1))
			[ "$wrong" -le 10 ] && bad "first chunk $chunk, N=$n: exit $rc: $res $(head -c 200 "$tmp/r.err" | tr '\n' ' ')"
		fi
		n=$((n + 1))
	done
	echo "serve-sweep: first chunk $chunk: $total allocations: $full runs with every reply in full, $partial with a 500 for a review, $errors with the configuration refused, $wrong wrong"
	if [ "$wrong" = 0 ] && [ "$partial" -gt 0 ] && [ "$errors" -gt 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "serve-sweep: $pass passed, $fail failed"
[ "$fail" = 0 ]
