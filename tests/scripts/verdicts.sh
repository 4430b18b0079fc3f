#!/bin/sh
# The same rule gives the same verdict in CI and in the webhook: every
# object of the corpus (the workload, Service, RBAC, config and network kinds
# the webhook is registered for) judged by `guardrail check` and, as a CREATE
# AdmissionReview, by what `guardrail serve` answers (serve_review through
# tests/serve/judge.c, on the audit path, where every finding becomes a "would
# violate <rule>" annotation), under the Kyverno policy library — its
# best-practices, pod-security and other policies, in their pattern, CEL
# (validate.cel) and ValidatingPolicy forms, one group at a time (the forms
# share names) — and, with the first group, the default rule packs.
#
# - Kyverno: the same rule ids for every object.
# - Rule packs: nothing the webhook reports that check does not (a rule
#   judged against the objects around it cannot be judged on one object:
#   a Service "selecting no pod" when the pods are not in the webhook's
#   view); what check reports and the webhook does not is a rule about other
#   objects, which the webhook's response counts as not evaluated.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
G="$root/$BUILD/guardrail"
B="$root/$BUILD"
KP="$root/../shared/conformance/kyverno-policies"
CORPUS="$root/../shared/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in "$KP" "$CORPUS"; do
	[ -d "$d" ] || {
		echo "verdicts: $d is missing"
		echo "verdicts: 0 passed, 1 failed"
		exit 1
	}
done
# the driver links the build's own objects: under the sanitizer build, with
# the sanitizers (the Makefile's SANFLAGS)
cc=${CC:-cc} san=""
case $BUILD in
*san*) cc=clang san="-fsanitize=address,undefined -fno-omit-frame-pointer" ;;
esac
# shellcheck disable=SC2086
if ! $cc -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror $san -I"$root/include" -I"$root/src" \
	-o "$tmp/judge" "$root/tests/serve/judge.c" "$B/src/serve_config.o" "$B/src/serve_judge.o" \
	"$B/src/serve_http.o" "$B/libguardrail.a" -lyaml -lpthread -lm -lz -ldl; then
	echo "verdicts: cannot build the driver"
	echo "verdicts: 0 passed, 1 failed"
	exit 1
fi
# the library's own layout: <category>/<policy>/<policy>.yaml (pod-security:
# <category>/<level>/<policy>/<policy>.yaml)
g=0
for group in "best-practices pod-security" "best-practices-cel pod-security-cel" \
	"best-practices-vpol pod-security-vpol" other other-cel other-vpol; do
	g=$((g + 1))
	mkdir "$tmp/pol$g"
	for c in $group; do
		for d in "$KP/$c"/*/ "$KP/$c"/*/*/; do
			n=$(basename "$d")
			[ -f "$d/$n.yaml" ] && ln -s "$d/$n.yaml" "$tmp/pol$g/$(echo "$d" | tr '/' '_')$n.yaml"
		done
	done
	engines=kyverno
	[ $g = 1 ] && engines="kyverno, rules"
	printf 'engines: [%s]\npolicies: [pol%s]\n' "$engines" $g > "$tmp/config$g.yaml"
done
exec python3 - "$G" "$tmp" "$CORPUS" $g <<'PY'
import collections, glob, json, os, re, subprocess, sys

G, tmp, corpus, groups = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
# the kinds a webhook is registered for here, as (group, version, resource)
M = {'Pod': ('', 'v1', 'pods'), 'Deployment': ('apps', 'v1', 'deployments'),
     'StatefulSet': ('apps', 'v1', 'statefulsets'), 'DaemonSet': ('apps', 'v1', 'daemonsets'),
     'ReplicaSet': ('apps', 'v1', 'replicasets'), 'Job': ('batch', 'v1', 'jobs'),
     'CronJob': ('batch', 'v1', 'cronjobs'), 'Service': ('', 'v1', 'services'),
     'Ingress': ('networking.k8s.io', 'v1', 'ingresses'), 'ConfigMap': ('', 'v1', 'configmaps'),
     'Secret': ('', 'v1', 'secrets'), 'ServiceAccount': ('', 'v1', 'serviceaccounts'),
     'Namespace': ('', 'v1', 'namespaces'),
     'NetworkPolicy': ('networking.k8s.io', 'v1', 'networkpolicies'),
     'Role': ('rbac.authorization.k8s.io', 'v1', 'roles'),
     'RoleBinding': ('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
     'ClusterRole': ('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
     'ClusterRoleBinding': ('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'),
     'PersistentVolumeClaim': ('', 'v1', 'persistentvolumeclaims')}
CLUSTER = {'Namespace', 'ClusterRole', 'ClusterRoleBinding'}
os.makedirs(tmp + '/obj')
os.makedirs(tmp + '/rev')
files = sorted(f for f in glob.glob(corpus + '/**/*', recursive=True)
               if f.endswith(('.yaml', '.yml')) and os.path.isfile(f))
n = 0
for f in files:
    r = subprocess.run([G, 'query', '-c', '@', f], capture_output=True, text=True)
    if r.returncode:
        continue
    for line in r.stdout.splitlines():
        o = json.loads(line)
        if not isinstance(o, dict) or o.get('kind') not in M:
            continue
        g, v, res = M[o['kind']]
        if o.get('apiVersion') != (g + '/' + v if g else v):
            continue
        ns = '' if o['kind'] in CLUSTER else ((o.get('metadata') or {}).get('namespace') or 'default')
        n += 1
        json.dump(o, open('%s/obj/%05d.json' % (tmp, n), 'w'))
        json.dump({'apiVersion': 'admission.k8s.io/v1', 'kind': 'AdmissionReview',
                   'request': {'uid': 'u%d' % n, 'kind': {'group': g, 'version': v, 'kind': o['kind']},
                               'resource': {'group': g, 'version': v, 'resource': res},
                               'namespace': ns, 'operation': 'CREATE',
                               'userInfo': {'username': 'alice'}, 'object': o}},
                  open('%s/rev/%05d.json' % (tmp, n), 'w'))
fail = []
differ = collections.Counter()
if n < 1000:
    fail.append('only %d corpus objects' % n)

total = collections.Counter()
for g in range(1, groups + 1):
    rules = g == 1
    args = [tmp + '/judge', 'config%d.yaml' % g]
    for i in range(1, n + 1):
        args += ['/validate/audit/privileged', 'rev/%05d.json' % i]
    r = subprocess.run(args, cwd=tmp, capture_output=True, text=True)
    if r.returncode:
        fail.append('group %d: the webhook driver: exit %d: %s' % (g, r.returncode, r.stderr[:300]))
        continue
    serve, not_eval = collections.defaultdict(set), collections.defaultdict(str)
    i = 0
    for line in r.stdout.splitlines():
        if line.startswith('== '):
            i += 1
            if not line.endswith(' 200'):
                fail.append('group %d, review %d: %s' % (g, i, line))
            continue
        ann = json.loads(line)['response'].get('auditAnnotations', {})
        for m in re.finditer(r'would violate ([a-z-]+\.[^ :]+)', ann.get('audit-violations', '')):
            serve[i].add(m.group(1))
        not_eval[i] = ann.get('not-evaluated', '')
    if i != n:
        fail.append('group %d: the webhook answered %d of %d reviews' % (g, i, n))
    r = subprocess.run([G, 'check', '--engines', 'kyverno,rules' if rules else 'kyverno', '--policy',
                        '%s/pol%d' % (tmp, g), '-o', 'json', tmp + '/obj'], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        fail.append('group %d: check: exit %d: %s' % (g, r.returncode, r.stderr[:300]))
        continue
    check = collections.defaultdict(set)
    for f in json.loads(r.stdout)['findings']:
        check[int(os.path.basename(f['file'])[:5])].add(f['rule'])
    ky = sum(1 for s in check.values() for x in s if x.startswith('kyverno.'))
    total['kyverno'] += ky
    if ky < 500:
        fail.append('group %d: only %d Kyverno findings: the policies did not apply' % (g, ky))
    for i in range(1, n + 1):
        a = {x for x in serve[i] if x.startswith('kyverno.')}
        b = {x for x in check[i] if x.startswith('kyverno.')}
        if a != b:
            differ['kyverno'] += 1
            if differ['kyverno'] <= 5:
                fail.append('group %d, object %d: Kyverno: webhook only %s, check only %s'
                            % (g, i, sorted(a - b), sorted(b - a)))
        if not rules:
            continue
        # the rule packs' ids (input.* are check's own findings about the
        # input set: two definitions of one object)
        a = {x for x in serve[i] if not x.startswith(('kyverno.', 'input.'))}
        b = {x for x in check[i] if not x.startswith(('kyverno.', 'input.'))}
        total['rules'] += len(b)
        if a - b:
            differ['webhook-only'] += 1
            if differ['webhook-only'] <= 5:
                fail.append('object %d: the webhook reports what check does not: %s' % (i, sorted(a - b)))
        if b - a and 'rules about other objects' not in not_eval[i]:
            differ['unsaid'] += 1
            if differ['unsaid'] <= 5:
                fail.append('object %d: check reports %s, the webhook neither does nor counts it as '
                            'not evaluated' % (i, sorted(b - a)))
for f in fail:
    print('FAIL:', f, file=sys.stderr)
print('verdicts: %d objects, %d policy groups, %d Kyverno and %d rule-pack findings; differing: %s'
      % (n, groups, total['kyverno'], total['rules'], dict(differ) or 'none'))
print('verdicts: %d passed, %d failed' % (0 if fail else 1, 1 if fail else 0))
sys.exit(1 if fail else 0)
PY
