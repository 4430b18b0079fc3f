#!/bin/sh
# deploy/: each rollout stage renders with `kubectl kustomize`, holds what
# issue #10 point 6 asks of it (two webhook configurations as PSA ships
# them, exclusions, timeouts, availability, a restricted pod), and passes
# guardrail's own check at restricted (cert-manager's CRDs read from
# ../shared by path, for the Issuer and Certificate schemas).
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
CRDS="$root/../shared/corpus/cert-manager/deploy/crds"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}
check() {
	d=$1
	shift
	if "$@"; then ok; else bad "$d"; fi
}
if ! command -v kubectl >/dev/null; then
	echo "FAIL: kubectl is needed to render deploy/ (kubectl kustomize)" >&2
	echo "serve-deploy: 0 passed, 1 failed"
	exit 1
fi
# q EXPR FILE: the compact JSON results of EXPR over every document, one per line
q() { "$G" query -c "$1" "$2"; }

# Pod Security: the manifests themselves, before rendering.
check "deploy/ passes pss at restricted" "$G" check --pss-enforce restricted --engines pss "$root/deploy" >"$tmp/pss.out"
# Issue #10 point 6, as written: from the repo root, every default engine.
# kustomize's files are skipped with their reason; cert-manager's objects
# exempt schema.missing by annotation (counted as suppressed, never hidden).
(cd "$root" && "$G" check --pss-enforce restricted deploy/) > "$tmp/all.out" 2>&1
rc=$?
check "check --pss-enforce restricted deploy/ finds nothing (exit $rc: $(grep -m1 error "$tmp/all.out"))" \
	sh -c "[ $rc = 0 ] && [ \"\$(wc -l < '$tmp/all.out')\" = 1 ] && grep -q ' 0 invalid, 0 errors, 5 skipped (kustomize configuration, not an API object; render with kubectl kustomize: 5); 4 findings suppressed by guardrail.dev/ignore' '$tmp/all.out'"
# The rule packs too (best practices, references, images): no finding at all.
(cd "$root" && "$G" check --engines rules deploy/) > "$tmp/rules.out" 2>&1
rc=$?
check "check --engines rules deploy/ finds nothing (exit $rc: $(grep -m1 ': ' "$tmp/rules.out"))" \
	sh -c "[ $rc = 0 ] && [ \"\$(wc -l < '$tmp/rules.out')\" = 1 ]"

for stage in audit warn enforce; do
	out="$tmp/$stage.yaml"
	if ! kubectl kustomize "$root/deploy/overlays/$stage" > "$out" 2> "$tmp/err"; then
		bad "$stage: kubectl kustomize failed: $(head -3 "$tmp/err")"
		continue
	fi
	ok
	"$G" check --pss-enforce restricted --crd "$CRDS" "$out" > "$tmp/check.out" 2>&1
	rc=$?
	check "$stage: guardrail check finds nothing (exit $rc: $(grep -m1 error "$tmp/check.out"))" \
		sh -c "[ $rc = 0 ] && grep -q ' 0 invalid, 0 errors' '$tmp/check.out'"
	"$G" check --pss-enforce restricted --engines schema,pss,native,kyverno,vap,rules "$out" > "$tmp/every.out" 2>&1
	rc=$?
	check "$stage: every engine and rule pack finds nothing (exit $rc: $(grep -m1 ': ' "$tmp/every.out"))" \
		sh -c "[ $rc = 0 ] && [ \"\$(wc -l < '$tmp/every.out')\" = 1 ] && grep -q ' 0 invalid, 0 errors, 0 skipped' '$tmp/every.out'"
	q "[kind, metadata.name, metadata.namespace]" "$out" > "$tmp/objs"
	for want in '["Namespace","guardrail-system",null]' '["ServiceAccount","guardrail","guardrail-system"]' \
		'["Deployment","guardrail","guardrail-system"]' '["Service","guardrail","guardrail-system"]' \
		'["PodDisruptionBudget","guardrail","guardrail-system"]' '["Issuer","guardrail-ca","guardrail-system"]' \
		'["Certificate","guardrail-serving","guardrail-system"]' \
		'["ValidatingWebhookConfiguration","guardrail-enforcing",null]' \
		'["ValidatingWebhookConfiguration","guardrail-advisory",null]'; do
		check "$stage: has $want" grep -qxF "$want" "$tmp/objs"
	done
	check "$stage: exactly two webhook configurations" [ "$(grep -c ValidatingWebhookConfiguration "$tmp/objs")" = 2 ]
	# every webhook: v1 reviews, no side effects, 5 s, our path, both exclusions
	q "kind == 'ValidatingWebhookConfiguration' && webhooks[?!(admissionReviewVersions == ['v1'] && sideEffects == 'None' && timeoutSeconds == \`5\` && starts_with(clientConfig.service.path, '/validate/') && clientConfig.service.name == 'guardrail' && clientConfig.service.namespace == 'guardrail-system' && length(namespaceSelector.matchExpressions[?key == 'kubernetes.io/metadata.name' && operator == 'NotIn' && contains(values, 'kube-system') && contains(values, 'guardrail-system')]) == \`1\`)].name" \
		"$out" > "$tmp/badhooks"
	check "$stage: every webhook v1, sideEffects None, 5 s, excludes kube-system and guardrail-system ($(tr -d '\n' < "$tmp/badhooks"))" \
		sh -c "! grep -q '\"' '$tmp/badhooks'"
	q "metadata.name == 'guardrail-enforcing' && webhooks[].failurePolicy" "$out" | grep -vx false > "$tmp/fp"
	check "$stage: enforcing webhooks fail closed" sh -c "grep -q Fail '$tmp/fp' && ! grep -q Ignore '$tmp/fp'"
	q "metadata.name == 'guardrail-enforcing' && webhooks[].rules[].resources[]" "$out" | grep -vx false > "$tmp/res"
	check "$stage: enforcing covers pods, ephemeral containers, namespaces" \
		sh -c "grep -q '\"pods\"' '$tmp/res' && grep -q 'pods/ephemeralcontainers' '$tmp/res' && grep -q '\"namespaces\"' '$tmp/res'"
	q "metadata.name == 'guardrail-advisory' && webhooks[].failurePolicy" "$out" | grep -vx false > "$tmp/fp"
	check "$stage: advisory webhooks fail open" sh -c "grep -q Ignore '$tmp/fp' && ! grep -q Fail '$tmp/fp'"
	q "metadata.name == 'guardrail-advisory' && webhooks[].rules[].resources[]" "$out" | grep -vx false > "$tmp/res"
	check "$stage: advisory covers the workload controllers" \
		sh -c "for r in deployments replicasets statefulsets daemonsets jobs cronjobs replicationcontrollers podtemplates; do grep -q \"\\\"\$r\\\"\" '$tmp/res' || exit 1; done"
	q "kind == 'ValidatingWebhookConfiguration' && metadata.annotations.\"cert-manager.io/inject-ca-from\"" "$out" \
		| grep -c '"guardrail-system/guardrail-serving"' > "$tmp/n"
	check "$stage: caBundle injected by cert-manager on both" [ "$(cat "$tmp/n")" = 2 ]
	q "kind == 'Certificate' && metadata.name == 'guardrail-serving' && spec.dnsNames" "$out" | grep -vx false > "$tmp/dns"
	check "$stage: serving certificate names the Service" grep -q 'guardrail.guardrail-system.svc"' "$tmp/dns"
	q "kind == 'Deployment' && [spec.replicas, spec.strategy.rollingUpdate.maxSurge, spec.strategy.rollingUpdate.maxUnavailable, spec.template.spec.priorityClassName, spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, spec.template.spec.automountServiceAccountToken, length(spec.template.spec.topologySpreadConstraints[?topologyKey=='topology.kubernetes.io/zone' || topologyKey=='kubernetes.io/hostname']), spec.template.spec.containers[0].readinessProbe.httpGet.path, spec.template.spec.containers[0].livenessProbe.httpGet.path, spec.template.spec.containers[0].resources.requests.cpu != null, spec.template.spec.containers[0].resources.limits.memory != null]" \
		"$out" | grep -vx false > "$tmp/dep"
	check "$stage: deployment: 3 replicas, surge 1/unavailable 0, critical, read-only root, no token, spread, probes, resources ($(cat "$tmp/dep"))" \
		grep -qxF '[3,1,0,"system-cluster-critical",true,false,2,"/readyz","/healthz",true,true]' "$tmp/dep"
	q "kind == 'PodDisruptionBudget' && spec.maxUnavailable" "$out" | grep -vx false > "$tmp/pdb"
	check "$stage: PDB maxUnavailable 1" grep -qx 1 "$tmp/pdb"
	q "kind == 'ValidatingWebhookConfiguration' && webhooks[].clientConfig.service.path" "$out" | grep -vx false |
		tr -d '[]' | tr ',' '\n' | tr -d '" ' | grep . | sort -u > "$tmp/paths"
	check "$stage: every path is a valid route" sh -c "! grep -vE '^/validate/(enforce|warn|audit)/(privileged|baseline|restricted)(/v1\.[0-9]+|/latest)?$' '$tmp/paths'"
	q "kind == 'ValidatingWebhookConfiguration' && webhooks[].name" "$out" | grep -vx false | tr -d '[]" ' | tr ',' '\n' | grep . > "$tmp/names"
	case $stage in
	audit) check "audit stage adds the default audit webhook only" sh -c "grep -qx default-audit.guardrail.dev '$tmp/names' && ! grep -q default-warn '$tmp/names' && ! grep -q default-enforce '$tmp/names'" ;;
	warn) check "warn stage adds default warn to audit" sh -c "grep -qx default-warn.guardrail.dev '$tmp/names' && grep -qx default-audit.guardrail.dev '$tmp/names' && ! grep -q default-enforce '$tmp/names'" ;;
	enforce) check "enforce stage adds default enforce (baseline) to warn and audit" sh -c "grep -qx default-enforce.guardrail.dev '$tmp/names' && grep -qx default-warn.guardrail.dev '$tmp/names' && grep -q '/validate/enforce/baseline' '$tmp/paths'" ;;
	esac
done
echo "serve-deploy: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
