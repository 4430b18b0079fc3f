#!/bin/sh
# guardrail serve, end to end on 127.0.0.1: a test CA made here with openssl,
# a kubelet-style Secret directory (..data symlink), real AdmissionReviews
# built from the Pod Security Admission fixtures and the corpus, and every
# operational case of issue #10: allowed, denied (message), warned, audited,
# UPDATE without significant change, malformed JSON, wrong content type,
# 8 MiB body, a slow client, 1,000 connections, certificate swap under load,
# SIGHUP with a broken policy file, SIGTERM under load. Bounded: about 30 s.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
PSA="$root/../shared/conformance/pod-security"
CORPUS="$root/../shared/corpus"
tmp=$(mktemp -d)
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}
# eventually COMMAND...: true within 5 s (a loaded machine is slow to reload)
eventually() {
	n=0
	while [ $n -lt 50 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok; else bad "$d"; fi
}

for t in openssl curl cc; do
	command -v $t >/dev/null || {
		echo "serve: missing $t"
		echo "serve: 0 passed, 1 failed"
		exit 1
	}
done
cc -O2 -Wall -Werror -o "$tmp/client" "$root/tests/serve/client.c" -lssl -lcrypto -lpthread || {
	echo "serve: 0 passed, 1 failed"
	exit 1
}
CLIENT="$tmp/client"

# ---- a CA and serving certificates, as cert-manager would write them ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=guardrail-test-ca \
	-keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$tmp/san.ext"
make_cert() { # make_cert DIR SERIAL
	mkdir -p "$1"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
		-keyout "$1/tls.key" -out "$1/csr" 2>/dev/null
	openssl x509 -req -in "$1/csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial "$2" -days 1 \
		-extfile "$tmp/san.ext" -out "$1/tls.crt" 2>/dev/null
}
secret="$tmp/secret"
make_cert "$secret/..2026_01" 1001
ln -s ..2026_01 "$secret/..data"
ln -s ..data/tls.crt "$secret/tls.crt"
ln -s ..data/tls.key "$secret/tls.key"

mkdir -p "$tmp/policies"
cat > "$tmp/policies/ok.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: a-policy-input
data:
  x: "1"
EOF
# A Kyverno policy (the kyverno engine is served like any engine the
# library offers): pods labelled kyverno-test=yes must carry a team label.
cat > "$tmp/policies/require-team.yaml" <<'EOF'
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team-label
spec:
  validationFailureAction: Enforce
  rules:
  - name: check-team
    match:
      any:
      - resources:
          kinds: [Pod]
          selector:
            matchLabels:
              kyverno-test: "yes"
    validate:
      message: "label team is required"
      pattern:
        metadata:
          labels:
            team: "?*"
EOF
# A ValidatingAdmissionPolicy with a transition rule: data.locked of a
# ConfigMap labelled locked=yes may not change on UPDATE (oldObject and
# request.operation are the request's, as the API server binds them).
cat > "$tmp/policies/locked.yaml" <<'EOF'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: locked-stays
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [configmaps]
    objectSelector:
      matchLabels: {locked: "yes"}
  validations:
  - expression: "request.operation != 'UPDATE' || oldObject.data.locked == object.data.locked"
    messageExpression: "'data.locked is immutable (was ' + oldObject.data.locked + ')'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: locked-stays
spec:
  policyName: locked-stays
  validationActions: [Deny]
EOF
# A ValidatingAdmissionPolicy asking the authorizer: a Secret labelled
# guarded=yes may only come from users the RBAC objects of the `authz:` file
# let create Secrets (the request's own user, not the file's).
# A ValidatingAdmissionPolicy on pod UPDATEs: the owner label may not
# change. A labels-only UPDATE is not one PSA judges, but the API server
# still runs every other admission plugin on it.
cat > "$tmp/policies/owner.yaml" <<'EOF'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: owner-immutable
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [pods]}
  validations:
  - expression: "object.metadata.?labels.?owner.orValue('') == oldObject.metadata.?labels.?owner.orValue('')"
    message: "the owner label is immutable"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: owner-immutable
spec:
  policyName: owner-immutable
  validationActions: [Deny]
EOF
cat > "$tmp/policies/guarded.yaml" <<'EOF'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: guarded-secrets
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [secrets]}
    objectSelector:
      matchLabels: {guarded: "yes"}
  validations:
  - expression: "authorizer.requestResource.check('create').allowed()"
    messageExpression: "'user ' + request.userInfo.username + ' may not create Secrets in ' + object.metadata.namespace"
  auditAnnotations:
  - key: requester
    valueExpression: "'created by ' + request.userInfo.username"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: guarded-secrets
spec:
  policyName: guarded-secrets
  validationActions: [Deny]
EOF
cat > "$tmp/authz.yaml" <<'EOF'
apiVersion: guardrail.dev/v1alpha1
kind: AuthzConfiguration
user: {username: offline-only}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-writer, namespace: team-a}
rules: [{apiGroups: [""], resources: [secrets], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-secrets, namespace: team-a}
subjects: [{kind: User, name: alice}]
roleRef: {kind: Role, name: secret-writer}
EOF
cat > "$tmp/config.yaml" <<'EOF'
apiVersion: guardrail.dev/v1alpha1
kind: ServeConfiguration
podSecurity:
  exemptions:
    usernames: [system:serviceaccount:kube-system:exempt-controller]
    namespaces: [exempt-ns]
policies: [policies]
authz: authz.yaml
EOF

# ---- configurations that cannot load: exit 2 at start, with file:line:col ----
bad_config() { # bad_config NAME NEEDLE YAML
	printf '%s\n' "$3" > "$tmp/$1.yaml"
	"$G" serve --tls-cert-file "$secret/tls.crt" --tls-private-key-file "$secret/tls.key" \
		--listen 127.0.0.1:1 --config "$tmp/$1.yaml" > "$tmp/$1.out" 2>&1
	rc=$?
	if [ $rc = 2 ] && grep -qF -- "$2" "$tmp/$1.out"; then ok; else bad "config $1: exit $rc: $(head -c 300 "$tmp/$1.out")"; fi
}
bad_config unknown-key "$tmp/unknown-key.yaml:2:1" "$(printf 'kind: ServeConfiguration\npodsecurity: {}')"
bad_config schema-engine 'schema is not served' 'engines: [schema]'
bad_config no-engine 'this build has no engine \"kyvernoo\"' 'engines: [kyvernoo]'
bad_config engine-option 'engineOptions.pss.bogus: unknown option' "$(printf 'engineOptions:\n  pss: {bogus: 1}')"
bad_config bad-level 'engineOptions.pss.enforce' "$(printf 'engineOptions:\n  pss: {enforce: strict}')"
bad_config broken-yaml "$tmp/broken-yaml.yaml:2:1" 'podSecurity: [unclosed'
bad_config missing-policy "$tmp/nowhere" "policies: [nowhere]"
printf 'not a pem\n' > "$tmp/bad.pem"
"$G" serve --tls-cert-file "$tmp/bad.pem" --tls-private-key-file "$tmp/bad.pem" --listen 127.0.0.1:1 > "$tmp/badtls.out" 2>&1
check "unreadable certificate: exit 2 with the file named" sh -c "[ $? = 2 ] && grep -q 'cannot read the certificate' '$tmp/badtls.out'"

port=$((20000 + $$ % 20000))
start_server() {
	"$G" serve --tls-cert-file "$secret/tls.crt" --tls-private-key-file "$secret/tls.key" \
		--listen "127.0.0.1:$port" --config "$tmp/config.yaml" --read-timeout 2s --drain-delay 1500ms \
		--shutdown-timeout 5s --workers 2 --max-buffer-mib 12 "$@" 2>> "$tmp/server.log" &
	server_pid=$!
	i=0
	while [ $i -lt 50 ]; do
		curl -sf --cacert "$tmp/ca.pem" "https://localhost:$port/readyz" --resolve "localhost:$port:127.0.0.1" \
			>/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# bind may fail if the port is taken: try a few
for try in 1 2 3; do
	start_server && break
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=""
	port=$((port + 1))
done
if [ -z "$server_pid" ]; then
	cat "$tmp/server.log" >&2
	echo "serve: 0 passed, 1 failed"
	exit 1
fi
ok

URL="https://localhost:$port"
CURL="curl -s --cacert $tmp/ca.pem --resolve localhost:$port:127.0.0.1 --max-time 10"

# review UID OPERATION OBJECT_FILE|null OLD_FILE|null GROUP RESOURCE [SUBRESOURCE] [NAMESPACE] [USER]
review() {
	obj=null
	old=null
	[ "$3" != null ] && obj=$("$G" query @ "$3")
	[ "$4" != null ] && old=$("$G" query @ "$4")
	sub=""
	[ -n "$7" ] && sub=",\"subResource\":\"$7\""
	k=X
	for src in "$3" "$4"; do
		[ "$src" != null ] && k=$(sed -n 's/^kind: *//p' "$src" | head -1) && break
	done
	printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","kind":{"group":"%s","version":"v1","kind":"%s"},"resource":{"group":"%s","version":"v1","resource":"%s"}%s,"namespace":"%s","operation":"%s","userInfo":{"username":"%s"},"object":%s,"oldObject":%s,"dryRun":false}}' \
		"$1" "$5" "$k" "$5" "$6" "$sub" "${8:-team-a}" "$2" "${9:-alice}" "$obj" "$old"
}
post() { # post PATH FILE -> response body on stdout
	$CURL -H 'Content-Type: application/json' --data-binary "@$2" "$URL$1?timeout=10s"
}
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

# ---- every PSA restricted fixture at v1.30: fail denied with its reason, pass allowed ----
v=v1.30
nf=0
for f in "$PSA/restricted/$v/fail/"*.yaml; do
	review "fail-$nf" CREATE "$f" null "" pods > "$tmp/r.json"
	post "/validate/enforce/restricted/$v" "$tmp/r.json" > "$tmp/out.json"
	name=$(basename "$f" .yaml)
	prefix=$(printf '%s' "$name" | sed 's/[0-9]*$//')
	want=$(awk -F'\t' -v p="$prefix" '$1 == p { print $4 }' "$PSA/expected-reasons.tsv")
	if has "$tmp/out.json" "\"uid\":\"fail-$nf\"" && has "$tmp/out.json" '"allowed":false' &&
		has "$tmp/out.json" '"code":403' && has "$tmp/out.json" '"reason":"Forbidden"' &&
		has "$tmp/out.json" "violates PodSecurity \\\"restricted:$v\\\": " &&
		{ [ -z "$want" ] || [ "$want" = - ] || has "$tmp/out.json" "$want"; }; then
		ok
	else
		bad "fixture restricted/$v/fail/$name: $(head -c 400 "$tmp/out.json")"
	fi
	nf=$((nf + 1))
done
[ $nf -ge 50 ] && ok || bad "only $nf restricted fail fixtures ran"
np=0
for f in "$PSA/restricted/$v/pass/"*.yaml; do
	review "pass-$np" CREATE "$f" null "" pods > "$tmp/r.json"
	post "/validate/enforce/restricted/$v" "$tmp/r.json" > "$tmp/out.json"
	if has "$tmp/out.json" '"allowed":true' && hasnt "$tmp/out.json" warnings; then ok; else
		bad "fixture restricted/$v/pass/$(basename "$f"): $(head -c 300 "$tmp/out.json")"
	fi
	np=$((np + 1))
done
[ $np -ge 5 ] && ok || bad "only $np restricted pass fixtures ran"

# ---- warn and audit paths; controllers; subresources; operations ----
bad_pod="$PSA/baseline/$v/fail/privileged0.yaml"
review w1 CREATE "$bad_pod" null "" pods > "$tmp/r.json"
post /validate/warn/baseline "$tmp/r.json" > "$tmp/out.json"
check "warn: allowed with warnings" has "$tmp/out.json" '"allowed":true,"warnings":["would violate PodSecurity \"baseline:latest\": privileged ('
post /validate/audit/baseline "$tmp/r.json" > "$tmp/out.json"
check "audit: allowed with audit-violations" has "$tmp/out.json" '"allowed":true,"auditAnnotations":{"audit-violations":"would violate PodSecurity \"baseline:latest\": privileged ('
check "audit: no warnings" hasnt "$tmp/out.json" warnings
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "enforce: denied, enforce-policy annotation" has "$tmp/out.json" '"auditAnnotations":{"enforce-policy":"baseline:latest"}'
# ephemeral containers are a pod subresource PSA evaluates; status is not
review e1 UPDATE "$bad_pod" "$bad_pod" "" pods ephemeralcontainers > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "pods/status skipped, pods/ephemeralcontainers judged" has "$tmp/out.json" '"allowed":'
review s1 UPDATE "$bad_pod" null "" pods status > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "pods/status allowed" has "$tmp/out.json" '"allowed":true}'
# a Deployment from the corpus: judged on its template, warned, never denied
dep="$CORPUS/kubernetes-examples/AI/vllm-deployment/vllm-deployment.yaml"
review d1 CREATE "$dep" null apps deployments > "$tmp/r.json"
post /validate/enforce/restricted "$tmp/r.json" > "$tmp/out.json"
check "deployment on enforce path: allowed with PSA warning" has "$tmp/out.json" '"allowed":true,"warnings":["would violate PodSecurity \"restricted:latest\": '
check "deployment: no enforce-policy" hasnt "$tmp/out.json" enforce-policy
# UPDATE without a significant change (labels only) is not judged; an image change is
sed 's/^metadata:/metadata:\n  labels: {touched: "yes"}/' "$bad_pod" > "$tmp/relabelled.yaml"
review u1 UPDATE "$tmp/relabelled.yaml" "$bad_pod" "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "UPDATE without significant change: allowed, nothing said" has "$tmp/out.json" '"uid":"u1","allowed":true}}'
sed 's/^metadata:/metadata:\n  labels: {owner: "mallory"}/' "$bad_pod" > "$tmp/reowned.yaml"
review u3 UPDATE "$tmp/reowned.yaml" "$bad_pod" "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "labels-only pod UPDATE: PSS skips it, VAP still judges it ($(head -c 300 "$tmp/out.json"))" \
	has "$tmp/out.json" '"uid":"u3","allowed":false,"status":{"code":403,"reason":"Forbidden","message":"violates vap.owner-immutable'
check "labels-only pod UPDATE: no PodSecurity verdict" hasnt "$tmp/out.json" PodSecurity
sed 's/image: \(.*\)$/image: \1-v2/' "$bad_pod" > "$tmp/reimaged.yaml"
review u2 UPDATE "$tmp/reimaged.yaml" "$bad_pod" "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "UPDATE with a new image: judged and denied" has "$tmp/out.json" '"uid":"u2","allowed":false'
review del DELETE null "$bad_pod" "" pods > "$tmp/r.json"
post /validate/enforce/restricted "$tmp/r.json" > "$tmp/out.json"
check "DELETE allowed" has "$tmp/out.json" '"uid":"del","allowed":true}}'
# exemptions from the configuration
review x1 CREATE "$bad_pod" null "" pods "" exempt-ns > "$tmp/r.json"
post /validate/enforce/restricted "$tmp/r.json" > "$tmp/out.json"
check "exempt namespace allowed" has "$tmp/out.json" '"allowed":true,"auditAnnotations":{"exempt":"namespace"}'
# a namespace with an invalid level label is refused on enforce
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: t\n  labels:\n    guardrail.dev/enforce: strict\n' > "$tmp/ns.yaml"
review n1 CREATE "$tmp/ns.yaml" null "" namespaces "" t > "$tmp/r.json"
post /validate/enforce/restricted "$tmp/r.json" > "$tmp/out.json"
check "namespace with invalid level label denied" has "$tmp/out.json" 'invalid label (guardrail.dev/enforce=strict'

# a large review (200 KB: the request buffer grows while the body arrives)
pad=$(head -c 200000 /dev/zero | tr '\0' x)
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\n  annotations:\n    note: "%s"\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}\n' "$pad" > "$tmp/big.yaml"
review big CREATE "$tmp/big.yaml" null "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "a 200 KB review is routed and judged" has "$tmp/out.json" '"uid":"big","allowed":false'
"$CLIENT" load --port "$port" --ca "$tmp/ca.pem" --path /validate/enforce/baseline --body "$tmp/r.json" \
	--conns 2 --requests 20 > "$tmp/bigload.out"
check "large reviews on keep-alive connections ($(cat "$tmp/bigload.out"))" grep -q '^ok 40 failed 0 refused 0 non200 0 ' "$tmp/bigload.out"

# ---- a Kyverno policy from the configuration, through the same pipeline ----
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: k\n  labels: {kyverno-test: "yes"}\nspec:\n  containers:\n  - name: app\n    image: nginx\n' > "$tmp/kpod.yaml"
review k1 CREATE "$tmp/kpod.yaml" null "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "kyverno Enforce rule denies on the enforce path" has "$tmp/out.json" '"allowed":false,"status":{"code":403,"reason":"Forbidden","message":"violates kyverno.require-team-label/check-team at metadata.labels.team: validation error: label team is required.'
post /validate/warn/baseline "$tmp/r.json" > "$tmp/out.json"
check "kyverno rule warns on the warn path" has "$tmp/out.json" '"allowed":true,"warnings":["would violate kyverno.require-team-label/check-team'
post /validate/audit/restricted "$tmp/r.json" > "$tmp/out.json"
check "PSS and kyverno findings in one audit annotation" has "$tmp/out.json" 'restricted:latest\": allowPrivilegeEscalation'
check "kyverno finding joined to the PSS text" has "$tmp/out.json" '; would violate kyverno.require-team-label/check-team'
sed 's/kyverno-test: "yes"}/kyverno-test: "yes", team: shop}/' "$tmp/kpod.yaml" > "$tmp/kpod2.yaml"
review k2 CREATE "$tmp/kpod2.yaml" null "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "kyverno rule satisfied: allowed" has "$tmp/out.json" '"uid":"k2","allowed":true'

# ---- UPDATE: the old object reaches the engines (VAP oldObject, request) ----
cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels: {locked: "yes"}\ndata:\n  locked: "%s"\n  other: "%s"\n' "$1" "$2"; }
cm a 1 > "$tmp/cm-a1.yaml"
cm b 1 > "$tmp/cm-b1.yaml"
cm a 2 > "$tmp/cm-a2.yaml"
review v1 CREATE "$tmp/cm-a1.yaml" null "" configmaps > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "VAP transition rule: CREATE allowed (no old object)" has "$tmp/out.json" '"uid":"v1","allowed":true'
review v2 UPDATE "$tmp/cm-b1.yaml" "$tmp/cm-a1.yaml" "" configmaps > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "VAP transition rule: UPDATE changing data.locked denied ($(head -c 300 "$tmp/out.json"))" \
	has "$tmp/out.json" '"uid":"v2","allowed":false,"status":{"code":403,"reason":"Forbidden","message":"violates vap.locked-stays'
check "VAP transition rule: the message evaluated oldObject" has "$tmp/out.json" 'data.locked is immutable (was a)'
review v3 UPDATE "$tmp/cm-a2.yaml" "$tmp/cm-a1.yaml" "" configmaps > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "VAP transition rule: UPDATE keeping data.locked allowed" has "$tmp/out.json" '"uid":"v3","allowed":true'

# ---- the authorizer: the request's user against the authz file's RBAC objects ----
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: team-a\n  labels: {guarded: "yes"}\n' > "$tmp/secret.yaml"
review z1 CREATE "$tmp/secret.yaml" null "" secrets "" team-a alice > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "VAP authorizer: a user RBAC allows is admitted ($(head -c 200 "$tmp/out.json"))" has "$tmp/out.json" '"uid":"z1","allowed":true'
check "VAP auditAnnotations: published in the response ($(head -c 300 "$tmp/out.json"))" \
	has "$tmp/out.json" '"auditAnnotations":{"vap-audit-annotations":"audit annotation guarded-secrets/requester=created by alice'
review z2 CREATE "$tmp/secret.yaml" null "" secrets "" team-a bob > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "VAP authorizer: another user is denied ($(head -c 300 "$tmp/out.json"))" \
	has "$tmp/out.json" '"uid":"z2","allowed":false,"status":{"code":403,"reason":"Forbidden","message":"violates vap.guarded-secrets'
check "VAP authorizer: the message names the request's user" has "$tmp/out.json" 'user bob may not create Secrets in team-a'

# ---- the wire: errors ----
code() { $CURL -o "$tmp/body" -w '%{http_code}' "$@"; }
printf '{"apiVersion":' > "$tmp/bad.json"
check "malformed JSON: 400" [ "$(code -H 'Content-Type: application/json' --data-binary @"$tmp/bad.json" "$URL/validate/enforce/restricted")" = 400 ]
review c1 CREATE "$bad_pod" null "" pods > "$tmp/r.json"
check "wrong content type: 400" [ "$(code -H 'Content-Type: text/plain' --data-binary @"$tmp/r.json" "$URL/validate/enforce/restricted")" = 400 ]
check "empty body: 400" [ "$(code -H 'Content-Type: application/json' -X POST "$URL/validate/enforce/restricted")" = 400 ]
printf '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}' > "$tmp/v1b1.json"
check "wrong apiVersion: 400" [ "$(code -H 'Content-Type: application/json' --data-binary @"$tmp/v1b1.json" "$URL/validate/enforce/restricted")" = 400 ]
check "unknown path: 404" [ "$(code -H 'Content-Type: application/json' --data-binary @"$tmp/r.json" "$URL/validate/block/restricted")" = 404 ]
head -c 8388608 /dev/zero | tr '\0' ' ' > "$tmp/8m.json"
t0=$(date +%s)
check "8 MiB body: 413" [ "$(code -H 'Content-Type: application/json' --data-binary @"$tmp/8m.json" "$URL/validate/enforce/restricted")" = 413 ]
check "8 MiB body refused without reading it (under 3 s)" [ $(($(date +%s) - t0)) -le 3 ]
check "8 MiB body sent at once (no Expect): still a clean 413, not a reset" \
	[ "$(code -H 'Expect:' -H 'Content-Type: application/json' --data-binary @"$tmp/8m.json" "$URL/validate/enforce/restricted")" = 413 ]
check "healthz" [ "$(code "$URL/healthz")" = 200 ]
check "readyz" [ "$(code "$URL/readyz")" = 200 ]
$CURL "$URL/metrics" > "$tmp/metrics"
check "metrics: reviews by path, operation, kind, result" has "$tmp/metrics" 'guardrail_admission_reviews_total{path="enforce/restricted",operation="CREATE",kind="Pod",result="denied"}'
check "metrics: sub-millisecond latency buckets" has "$tmp/metrics" 'guardrail_admission_review_duration_seconds_bucket{le="0.0001"}'
check "metrics: build info, in flight, reloads" sh -c "grep -q guardrail_build_info '$tmp/metrics' && grep -q guardrail_in_flight_requests '$tmp/metrics' && grep -q guardrail_config_reload_failures_total '$tmp/metrics'"
check "metrics: rules not evaluated" has "$tmp/metrics" 'guardrail_rules_not_evaluated_total 0'
check "one JSON log line per decision, never for allowed" sh -c "grep -c '\"msg\":\"admission decision\"' '$tmp/server.log' | grep -qv '^0$' && ! grep -q '\"result\":\"allowed\"' '$tmp/server.log'"

# ---- a slow client is cut by the read timeout; others are served meanwhile ----
"$CLIENT" slow --port "$port" --ca "$tmp/ca.pem" > "$tmp/slow.out" &
slow_pid=$!
sleep 1
review q1 CREATE "$bad_pod" null "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "served while a slow client trickles" has "$tmp/out.json" '"uid":"q1"'
wait $slow_pid
secs=$(sed -n 's/^closed_after \([0-9]*\).*/\1/p' "$tmp/slow.out")
check "slow client closed by the 2 s read timeout ($(cat "$tmp/slow.out"))" [ -n "$secs" ] && [ "$secs" -ge 1 ] && [ "$secs" -le 6 ]

# ---- the global request-buffer budget (12 MiB here): a second 5 MiB body at once is refused ----
"$CLIENT" hold --port "$port" --ca "$tmp/ca.pem" --path /validate/enforce/restricted --conns 2 --requests 5120 \
	> "$tmp/hold.out"
check "buffer budget: one 5 MiB body held, the second refused with 503 ($(cat "$tmp/hold.out"))" \
	grep -qx 'refused503 1 waiting 1' "$tmp/hold.out"

# ---- 1,000 connections at once ----
"$CLIENT" open --port "$port" --ca "$tmp/ca.pem" --path /validate/enforce/restricted --body "$tmp/r.json" \
	--conns 1000 > "$tmp/open.out"
check "1,000 connections answered ($(cat "$tmp/open.out"))" grep -q 'answered 1000$' "$tmp/open.out"

# ---- certificates swapped while requests flow (as the kubelet swaps ..data) ----
serial() { echo | openssl s_client -connect "127.0.0.1:$port" -servername localhost 2>/dev/null |
	openssl x509 -noout -serial 2>/dev/null; }
check "serving certificate 1001" [ "$(serial)" = "serial=03E9" ]
"$CLIENT" load --port "$port" --ca "$tmp/ca.pem" --path /validate/enforce/restricted --body "$tmp/r.json" \
	--conns 4 --duration 3 > "$tmp/load1.out" &
load_pid=$!
sleep 1
make_cert "$secret/..2026_02" 1002
ln -s ..2026_02 "$secret/..data_tmp" && mv -T "$secret/..data_tmp" "$secret/..data" && rm -rf "$secret/..2026_01"
wait $load_pid
check "no failed request during the swap ($(cat "$tmp/load1.out"))" grep -q '^ok [1-9][0-9]* failed 0 ' "$tmp/load1.out"
served_serial() { [ "$(serial)" = "$1" ]; }
check "new certificate served without restart" eventually served_serial serial=03EA

# ---- SIGHUP with a broken policy file: refused whole, the old set keeps serving ----
printf 'kind: [unclosed\n' > "$tmp/policies/broken.yaml"
kill -HUP "$server_pid"
metric() { $CURL "$URL/metrics" | grep -q "$1"; }
check "broken policy file counted as a failed reload" eventually metric '^guardrail_config_reload_failures_total [1-9]'

check "reload failure logged with file:line:col" eventually grep -q "\"at\":\"$tmp/policies/broken.yaml:" "$tmp/server.log"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "old set still serving after a broken reload" has "$tmp/out.json" '"allowed":false'
rm "$tmp/policies/broken.yaml"
kill -HUP "$server_pid"
check "a fixed set reloads" eventually metric '^guardrail_config_reloads_total [1-9]'
# a policy file changed in place inside a policy directory: reloaded without a signal
printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n' >> "$tmp/policies/ok.yaml"
check "a policy file changed in place is reloaded without SIGHUP" eventually metric '^guardrail_config_reloads_total [2-9]'
check "the reloaded set holds the new object" eventually metric '^guardrail_policy_objects 9$'
# the rule packs, served once the configuration lists them (a reload)
printf 'engines: [kyverno, vap, rules]\n' >> "$tmp/config.yaml"
kill -HUP "$server_pid"
check "a configuration listing the rules engine reloads" eventually metric '^guardrail_config_reloads_total [3-9]'
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: untagged\nspec:\n  containers:\n  - name: app\n    image: registry.example/app\n' > "$tmp/untagged.yaml"
review rp1 CREATE "$tmp/untagged.yaml" null "" pods > "$tmp/rp.json"
post /validate/warn/baseline "$tmp/rp.json" > "$tmp/out.json"
check "rule packs served: bp.image-tag-latest warned ($(head -c 200 "$tmp/out.json"))" \
	sh -c "grep -qF '\"uid\":\"rp1\",\"allowed\":true,\"warnings\":[' '$tmp/out.json' && grep -qF 'would violate bp.image-tag-latest at spec.containers[0].image: container' '$tmp/out.json'"


# ---- SIGTERM under load: nothing dropped, Connection: close, exit 0 ----
"$CLIENT" load --port "$port" --ca "$tmp/ca.pem" --path /validate/enforce/restricted --body "$tmp/r.json" \
	--conns 8 --duration 4 > "$tmp/load2.out" &
load_pid=$!
sleep 1
kill -TERM "$server_pid"
not_ready() { [ "$(code "$URL/readyz")" = 503 ]; }
check "not ready while draining" eventually not_ready
wait $load_pid
wait "$server_pid"
rc=$?
server_pid=""
check "no request dropped under SIGTERM ($(cat "$tmp/load2.out"))" grep -q '^ok [1-9][0-9]* failed 0 ' "$tmp/load2.out"
check "responses during the drain carry Connection: close" sh -c "! grep -q ' closes 0 ' '$tmp/load2.out'"
check "exit 0 after the drain" [ "$rc" = 0 ]
check "no crash or sanitizer report" sh -c "! grep -qE 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error|WARNING: ThreadSanitizer' '$tmp/server.log'"

# ---- defaults: no --config, no limits given; a 5 MiB review is judged ----
"$G" serve --tls-cert-file "$secret/tls.crt" --tls-private-key-file "$secret/tls.key" \
	--listen "127.0.0.1:$port" --drain-delay 0s 2>> "$tmp/server.log" &
server_pid=$!
ready() { [ "$(code "$URL/readyz")" = 200 ]; }
check "starts with no configuration" eventually ready
pad=$(head -c 5000000 /dev/zero | tr '\0' x)
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: five\n  annotations:\n    note: "%s"\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}\n' "$pad" > "$tmp/five.yaml"
review five CREATE "$tmp/five.yaml" null "" pods > "$tmp/r.json"
post /validate/enforce/baseline "$tmp/r.json" > "$tmp/out.json"
check "a 5 MiB review judged with the default limits" has "$tmp/out.json" '"uid":"five","allowed":false'
kill -TERM "$server_pid"
wait "$server_pid"
check "exit 0 with no drain delay" [ $? = 0 ]
server_pid=""

if [ "$fail" -ne 0 ]; then
	echo "--- server log (tail) ---" >&2
	tail -20 "$tmp/server.log" | cut -c1-300 >&2
fi
echo "serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
