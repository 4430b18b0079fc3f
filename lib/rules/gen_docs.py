#!/usr/bin/env python3
"""gen_docs.py — writes docs/rules/{bp,ref,api,image}.md from the rule tables.

The tables in lib/rules/*.c are the source of truth for ids, defaults,
summaries, remediations and upstream ids; the "why" of each rule is below.
Run from the repository root: python3 lib/rules/gen_docs.py
tests/unit/test_rules_docs.c checks that every rule has its entry.
"""
import re, glob

def parse_calls(src, macro):
    out = []
    for m in re.finditer(r'\b%s\(' % macro, src):
        if src[m.start()-8:m.start()].strip().endswith('#define'):
            continue
        i, depth, buf = m.end(), 1, ''
        while depth:
            c = src[i]
            if c == '"':
                j = i + 1
                while src[j] != '"':
                    j += 2 if src[j] == '\\' else 1
                buf += src[i:j+1]; i = j + 1; continue
            if c == '(': depth += 1
            if c == ')': depth -= 1
            if depth: buf += c
            i += 1
        # split top-level commas
        args, cur, d, k = [], '', 0, 0
        while k < len(buf):
            c = buf[k]
            if c == '"':
                j = k + 1
                while buf[j] != '"':
                    j += 2 if buf[j] == '\\' else 1
                cur += buf[k:j+1]; k = j + 1; continue
            if c in '([{': d += 1
            if c in ')]}': d -= 1
            if c == ',' and d == 0:
                args.append(cur.strip()); cur = ''
            else:
                cur += c
            k += 1
        args.append(cur.strip())
        def s(a):
            if a.startswith('UPR('):
                l = re.findall(r'"((?:[^"\\]|\\.)*)"', a)
                return 'polaris:%s kube-score:%s kube-linter:%s' % tuple(l)
            lits = re.findall(r'"((?:[^"\\]|\\.)*)"', a)
            return ''.join(lits).replace('\\"', '"') if lits else a
        out.append([s(a) for a in args])
    return out

SEV = {'W': ('warning', 'warn'), 'E': ('error', 'enforce'), 'I': ('info', 'audit')}

rules = {'bp': [], 'ref': [], 'api': [], 'image': []}
for f in sorted(glob.glob('lib/rules/*.c')):
    src = open(f).read()
    for a in parse_calls(src, 'BP'):
        rules['bp'].append(dict(id='bp.' + a[0], sev=SEV[a[1]], on=a[2], summary=a[3], fix=a[4], up=a[5]))
    for a in parse_calls(src, 'REF'):
        rules['ref'].append(dict(id='ref.' + a[0], sev=SEV[a[1]], on=a[2], summary=a[3], fix=a[4], up=a[5]))
    for a in parse_calls(src, 'API'):
        sev = ('warning', 'warn') if 'WARNING' in a[1] else ('error', 'enforce')
        rules['api'].append(dict(id='api.' + a[0], sev=sev, on='true', summary=a[3], fix=a[4], up=a[5]))
    for a in parse_calls(src, 'IMG'):
        sev = ('warning', 'warn') if 'WARNING' in a[1] else ('error', 'enforce')
        rules['image'].append(dict(id='image.' + a[0], sev=sev, on=a[3], summary=a[4], fix=a[5], up=a[6]))

WHY = {
 'bp.cpu-request': 'The scheduler places pods by their requests; a pod without a CPU request can land on a full node and is the first to be starved (BestEffort QoS).',
 'bp.cpu-limit': 'Off by default: CPU is compressible, and the Kubernetes docs do not require CPU limits; a limit throttles the container even when the node is idle. Turn it on where tenants must be capped.',
 'bp.memory-request': 'Without a memory request the scheduler assumes zero and can overcommit the node; under pressure such pods are evicted first.',
 'bp.memory-limit': 'Memory is not compressible: a container without a limit can take the node\'s memory and get other pods OOM-killed.',
 'bp.requests-equal-limits': 'Off by default. Equal requests and limits give the Guaranteed QoS class, which latency-critical workloads may want; most do not need it.',
 'bp.ephemeral-storage': 'Off by default. Pods writing logs or scratch files to the node disk without a limit can fill it and get every pod on the node evicted.',
 'bp.ephemeral-storage-equal': 'Off by default (kube-score optional check).',
 'bp.image-tag-latest': 'A mutable tag means two nodes can run different code for the same manifest, and a rollback does not roll back. Digests and version tags are reproducible.',
 'bp.image-pull-policy-always': 'Off by default: Polaris requires Always, but with pinned tags or digests IfNotPresent is correct and cheaper (the Kubernetes docs default it so). image.pull-policy covers the real risk, a mutable tag that is never re-pulled.',
 'bp.readiness-probe': 'Without a readiness probe a Service sends traffic to a pod as soon as its process starts. Jobs and CronJobs are skipped: their pods are not behind Services (kube-linter flags them; the Kubernetes docs do not ask for it). Init containers are skipped: they cannot have probes.',
 'bp.liveness-probe': 'Severity info: a liveness probe restarts a stuck process, but a wrong one restarts healthy pods under load; the Kubernetes docs advise one only where the process can hang. Jobs and init containers are skipped.',
 'bp.probes-identical': 'When liveness equals readiness, a pod that is only busy gets killed instead of being taken out of the Service.',
 'bp.probe-port': 'A probe aimed at a port the container does not declare usually means a renamed port; the probe fails and the pod never becomes ready (or is restarted forever).',
 'bp.privileged': 'Off by default: Pod Security\'s [pss.privileged](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). A privileged container has every capability and the host\'s devices: it is root on the node.',
 'bp.privilege-escalation': 'Off by default: Pod Security\'s [pss.allowPrivilegeEscalation](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). allowPrivilegeEscalation defaults to true: a setuid binary in the image can gain privileges. Pod Security restricted requires false.',
 'bp.read-only-root-fs': 'A read-only root filesystem stops an attacker from writing tools or changing binaries in the container.',
 'bp.run-as-non-root': 'Off by default: Pod Security\'s [pss.runAsNonRoot](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). Root in a container is root on the node once any other boundary fails.',
 'bp.high-uid': 'Off by default (kube-score\'s stricter rule): UIDs and GIDs of 10000 or more do not collide with host users.',
 'bp.dangerous-capabilities': 'SYS_ADMIN is nearly root; NET_ADMIN and NET_RAW let a container sniff or spoof traffic; ALL adds them all.',
 'bp.drop-capabilities': 'Off by default: Pod Security\'s [pss.capabilities_restricted](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). Container runtimes grant a default capability set (NET_RAW included); dropping ALL and adding back what is needed is what Pod Security restricted asks.',
 'bp.seccomp': 'Off by default: Pod Security\'s [pss.seccompProfile_restricted](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). Without a seccomp profile every syscall is allowed; RuntimeDefault blocks the ones containers never need.',
 'bp.proc-mount': 'Off by default: Pod Security\'s [pss.procMount](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). An unmasked /proc exposes the host\'s kernel interfaces to the container.',
 'bp.unsafe-sysctls': 'Off by default: Pod Security\'s [pss.sysctls](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). Only the namespaced, safe sysctls are isolated per pod; others change the node for everyone.',
 'bp.host-process': 'Off by default: Pod Security\'s [pss.windowsHostProcess](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). A Windows HostProcess container runs directly on the host.',
 'bp.host-network': 'Off by default: Pod Security\'s [pss.hostNamespaces](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). The pod sees and can bind the node\'s network interfaces, bypassing NetworkPolicies.',
 'bp.host-pid': 'Off by default: Pod Security\'s [pss.hostNamespaces](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). The pod sees (and may signal) every process on the node.',
 'bp.host-ipc': 'Off by default: Pod Security\'s [pss.hostNamespaces](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). The pod shares the node\'s shared memory and semaphores with every host process.',
 'bp.host-port': 'Off by default: Pod Security\'s [pss.hostPorts](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). A hostPort ties the pod to one port per node, limits scheduling, and bypasses Services.',
 'bp.host-path': 'Off by default: Pod Security\'s [pss.hostPathVolumes](pss.md) reports the same and the pss engine runs by default; turn this on when running without it (`--engines rules`). A hostPath volume gives the pod the node\'s filesystem; it is the usual path from container to node.',
 'bp.host-path-writable': 'A writable host mount lets the container change the node.',
 'bp.sensitive-host-mount': 'Mounting /etc, /proc, /sys, /dev or the container runtime socket hands over the node.',
 'bp.privileged-port': 'Off by default: binding below 1024 needs NET_BIND_SERVICE, which restricted pods should not have; the Service can map port 80 to 8080.',
 'bp.ssh-port': 'SSH daemons in containers bypass Kubernetes\' access control and audit; use kubectl exec or debug.',
 'bp.port-name': 'Port names are IANA service names (at most 15 characters); a Service targetPort or probe that uses an invalid or duplicate name resolves to nothing.',
 'bp.env-secret-literal': 'A secret in an environment variable literal is in the manifest, in Git, and in `kubectl get -o yaml` for anyone who can read the workload.',
 'bp.secret-in-env': 'Off by default: environment variables leak into logs and child processes; mounted files do not.',
 'bp.duplicate-env': 'The last entry wins silently; usually the first one was the intended value.',
 'bp.configmap-secret': 'ConfigMaps are readable by more roles than Secrets and are not encrypted at rest by default.',
 'bp.automount-token': 'Severity info: every pod gets an API token unless told not to; a compromised pod then talks to the API server with its ServiceAccount\'s rights.',
 'bp.default-service-account': 'Off by default: workloads sharing the default ServiceAccount share its RBAC grants.',
 'bp.deprecated-service-account-field': 'serviceAccount is a deprecated alias; when it differs from serviceAccountName the API silently picks one.',
 'bp.replicas': 'One replica means downtime on every node drain, rollout and crash. Skipped when an HPA owns the replica count. Threshold: parameters.minReplicas (default 2).',
 'bp.hpa-min-replicas': 'An HPA that can scale to one replica reintroduces the single point of failure at night.',
 'bp.hpa-max-replicas': 'An HPA whose max does not exceed its min cannot scale.',
 'bp.hpa-static-replicas': 'Each apply resets spec.replicas and fights the HPA (a scale-down spike on every deploy).',
 'bp.anti-affinity': 'Severity info: replicas on one node all go down with it. topologySpreadConstraints (the Kubernetes docs\' recommendation) or podAntiAffinity spread them.',
 'bp.node-affinity': 'Off by default (kube-linter optional check).',
 'bp.topology-spread': 'Off by default (Polaris\' check); bp.anti-affinity already asks for spreading where there are replicas to spread.',
 'bp.topology-spread-valid': 'The API accepts some of these constraints but the scheduler then ignores or rejects the pod.',
 'bp.priority-class': 'Off by default: Polaris requires a class, kube-linter forbids all but the system ones; what is right depends on the cluster\'s classes.',
 'bp.rolling-update': 'Recreate (or OnDelete) takes every pod down before the new ones start.',
 'bp.restart-policy': 'The tools disagree (kube-linter rejects Never everywhere, kube-score requires Never/OnFailure for CronJobs). The Kubernetes API decides: Job and CronJob pods must use Never or OnFailure, every other workload Always.',
 'bp.cronjob-deadline': 'Without startingDeadlineSeconds a controller that was down counts every missed schedule, and after 100 it stops scheduling the CronJob.',
 'bp.job-ttl': 'Finished Jobs and their pods stay forever unless a TTL (or an owning CronJob\'s history limit) cleans them up.',
 'bp.dns-ndots': 'Off by default: ndots 5 makes every external lookup try the cluster domains first.',
 'bp.instance-label': 'Off by default (Polaris\' convention for app.kubernetes.io/instance).',
 'bp.required-labels': 'Off by default: an owner label tells on-call whom to page.',
 'bp.label-values': 'The API server rejects invalid label values; this reports it before apply.',
 'bp.default-namespace': 'Off by default: objects in default are easy to overwrite and hard to scope with RBAC.',
 'bp.sorted-keys': 'Off by default (kube-linter\'s style check).',
 'bp.pdb-missing': 'Severity info: without a PodDisruptionBudget a node drain may evict every replica at once.',
 'bp.pdb-policy': 'A PodDisruptionBudget with neither field protects nothing.',
 'bp.pdb-eviction-policy': 'Severity info: with the default (IfHealthyBudget) a PDB can block drains forever while pods are unhealthy; AlwaysAllow lets unhealthy pods go.',
 'bp.network-policy': 'Severity info: pods no policy selects accept traffic from every pod in the cluster. Reported only when the namespace is declared in the inputs (or --assume-complete): policies may live in the cluster.',
 'bp.service-type': 'A NodePort opens the port on every node of the cluster.',
 'bp.ingress-tls': 'Plain HTTP exposes cookies and tokens on the wire.',
 'bp.cluster-admin-binding': 'cluster-admin is every right on every resource.',
 'bp.rbac-wildcard': 'A wildcard grants resources and verbs that do not exist yet (including future CRDs).',
 'bp.rbac-exec-attach': 'pods/exec is a shell in every pod of the scope, secrets included.',
 'bp.rbac-create-pods': 'Off by default: who can create pods can mount any Secret and ServiceAccount of the namespace.',
 'bp.rbac-secrets': 'Off by default: reading Secrets is reading every credential of the scope.',
 'bp.scc-privileged': 'An OpenShift SCC that allows privileged containers admits root on the node.',
 'ref.service-selector': 'A Service whose selector matches no pod template has no endpoints: a 502 after deploy. Checked in the Service\'s namespace; a Service without selector (manually managed endpoints) is skipped.',
 'ref.service-target-port': 'A named targetPort that no selected container declares resolves to nothing: the Service has no endpoints. A numeric targetPort is reported when the selected containers declare their ports and none is that number (a container may listen on a port it does not declare, so pods that declare no ports are not judged).',
 'ref.ingress-backend': 'A backend naming a missing Service or port returns 503. A missing Service is reported when the namespace is declared in the inputs (or --assume-complete); a missing port whenever the Service is in the inputs.',
 'ref.hpa-target': 'An HPA whose scaleTargetRef names nothing does nothing (reported when the namespace is declared, or --assume-complete).',
 'ref.hpa-requests': 'Utilization is a percentage of requests: without requests the HPA cannot compute it and never scales.',
 'ref.pdb-selector': 'A PodDisruptionBudget that selects nothing protects nothing (and usually means a label was renamed).',
 'ref.pdb-blocks-drain': 'maxUnavailable 0, minAvailable 100% or minAvailable at least the replica count (or the HPA\'s minReplicas) means no voluntary eviction is ever allowed: node drains and cluster upgrades hang.',
 'ref.networkpolicy-selector': 'A NetworkPolicy whose podSelector matches no pod template isolates nothing (an empty selector selects the whole namespace and is not reported).',
 'ref.networkpolicy-peer': 'A peer selector that matches no pod allows nothing; with no namespaceSelector it is judged in the policy\'s namespace.',
 'ref.servicemonitor': 'A ServiceMonitor that selects no Service scrapes nothing, and the missing metrics go unnoticed until an alert should have fired. Reported when the namespace is declared in the inputs (or --assume-complete).',
 'ref.configmap': 'A missing ConfigMap (or key) keeps the pod in ContainerCreating / CreateContainerConfigError. Reported only when the namespace is declared in the inputs or with --assume-complete: otherwise the ConfigMap may already be in the cluster.',
 'ref.secret': 'As ref.configmap, for Secrets in env, envFrom, volumes, projected volumes and imagePullSecrets.',
 'ref.service-account': 'A pod naming a missing ServiceAccount is rejected by the API server. Same namespace rule as ref.configmap.',
 'ref.pvc': 'A pod mounting a missing claim stays Pending. Same namespace rule as ref.configmap.',
 'ref.statefulset-service': 'A StatefulSet\'s governing Service gives its pods stable DNS names; it must exist and be headless (clusterIP: None).',
 'ref.duplicate': 'The same kind, namespace and name twice in one apply: the second silently overwrites the first. In `guardrail check`, a second definition with different content of a kind the pipeline keeps is reported once, as `input.conflict`; ref.duplicate reports identical copies and the other kinds.',
 'ref.selector-labels': 'The API server rejects a workload whose selector does not match its template labels; an empty selector is reported too (kube-linter\'s reading; the apps/v1 API requires one).',
 'api.deprecated': 'A deprecated API still works but will be removed; moving before the removal avoids a failed upgrade.',
 'api.removed': 'The API server of the target version rejects the object; so does `kubectl apply` of the chart.',
 'image.invalid': 'The runtime rejects an unparsable reference at pull time (ErrImagePull / InvalidImageName).',
 'image.digest': 'Only a digest names exactly one image. Off until required: parameters.requireDigest or requireDigestNamespaces.',
 'image.registry-allowed': 'Only images from registries the platform trusts (scanned, mirrored). Active when an allow-list is given (--allowed-registries, parameters.allowedRegistries).',
 'image.registry-denied': 'Registries a policy forbids (rate-limited public registries, for example). Active with parameters.deniedRegistries.',
 'image.pull-policy': 'With IfNotPresent or Never and a mutable tag, each node keeps the version it pulled first.',
 'image.unqualified': 'nginx means docker.io/library/nginx: short names depend on the runtime\'s configuration and registry search order. Active with parameters.requireQualifiedImages.',
}

import json, os

def concepts(rules):
    inv = json.load(open(os.environ.get('SHARED', '../shared') + '/conformance/rulepacks/inventory.json'))
    extra = {'api:Schema validation (kubeconform)': 'the `schema` engine ([schema.md](schema.md))'}
    out = ['## Concepts: Polaris, kube-score and kube-linter onto guardrail', '',
           'Every one of the 86 concepts of the three tools\' 146 checks (inventory.md), with the guardrail rules that cover it.', '',
           '| Area | Concept | guardrail |', '|---|---|---|']
    allr = [r for rows in rules.values() for r in rows]
    missing = 0
    for c in inv['concepts']:
        ids = ['polaris:' + x for x in c['polaris']] + ['kube-score:' + x for x in c['kube_score']] + ['kube-linter:' + x for x in c['kube_linter']]
        hits = [r['id'] for r in allr if any(i in r['up'].split() for i in ids)]
        key = c['area'] + ':' + c['concept']
        cell = ', '.join('[%s](%s.md#%s)' % (h, h.split('.')[0], h.replace('.', '')) for h in hits) or extra.get(key, '')
        if not cell:
            missing += 1
            cell = '**not covered**'
        out.append('| %s | %s | %s |' % (c['area'], c['concept'], cell))
    out.append('')
    if missing:
        print('concepts not covered:', missing)
    return out + DISAGREE

DISAGREE = '''## Where the tools disagree, and what guardrail does

- **Init containers.** Polaris skips them for resources and probes; kube-score and kube-linter include them. guardrail judges init containers for resources (their requests count toward the pod's effective request, so the Kubernetes docs ask for them) and security context (they run with the same privileges), and skips them for probes (the API does not allow probes on init containers).
- **Jobs and probes.** Polaris and kube-score skip Jobs and CronJobs for probes; kube-linter flags them. guardrail skips them: a Job's pods run to completion and are not Service endpoints, so a readiness probe has nothing to gate (Kubernetes docs, Configure Liveness, Readiness and Startup Probes).
- **restartPolicy of Jobs and CronJobs.** kube-linter requires Always or OnFailure everywhere (and so flags every Job with Never); kube-score requires Never or OnFailure for CronJobs. The API server is the referee: Job templates must use Never or OnFailure, every other workload Always. bp.restart-policy follows the API.
- **Empty selectors.** kube-score treats an empty Service selector as matching everything; kube-linter reports it. A Service without selector is the documented way to manage endpoints by hand, so ref.service-selector skips it; an empty NetworkPolicy podSelector selects the whole namespace (documented), so ref.networkpolicy-selector does not report it; an empty selector on a Deployment or StatefulSet is rejected by apps/v1, so ref.selector-labels reports it.
- **Replica thresholds.** Polaris wants 2 (Deployments), kube-score 2 (only behind a Service, no HPA), kube-linter 3. guardrail: 2 for Deployments and StatefulSets, skipped when an HPA owns the count; `parameters.minReplicas` changes it.
- **priorityClassName.** Polaris requires one; kube-linter allows only the system classes. Both are cluster conventions, so bp.priority-class is off by default.
- **CPU limits and imagePullPolicy: Always.** Required by Polaris and kube-score; the Kubernetes docs require neither (CPU is compressible; a pinned tag or digest makes IfNotPresent correct). Both are off by default (bp.cpu-limit, bp.image-pull-policy-always); image.pull-policy reports the combination that does break: a mutable tag that is never re-pulled.
- **Tag parsing.** Polaris' `^.+:.+$` accepts `registry:5000/app`, kube-score takes the text after the last `:`; guardrail parses references with the container runtimes' grammar, so `registry:5000/app` has no tag and `app@sha256:...` is pinned.
'''.split('\n')

PREFIX = {'polaris': 'Polaris', 'kube-score': 'kube-score', 'kube-linter': 'kube-linter'}

def upstream(up):
    parts = []
    for tok in up.split():
        if ':' in tok:
            tool, cid = tok.split(':', 1)
            parts.append('%s `%s`' % (PREFIX.get(tool, tool), cid))
        else:
            parts.append(tok)
    return ', '.join(parts) if parts else 'none (guardrail only)'

INTRO = {
 'bp': ('Best-practice rules (bp.*)', 'Per-object checks a manifest can pass schema validation and Pod Security with and still take production down. Engine `rules`, profile `guardrail` (the default). The concept table of ../shared/conformance/rulepacks/inventory.md maps onto these ids; the cross-object concepts are under [ref.*](ref.md), deprecated APIs under [api.*](api.md), image concepts under [image.*](image.md), schema validation is the `schema` engine ([schema.md](schema.md)).'),
 'ref': ('Cross-object rules (ref.*)', 'Judged over the whole input set, through an index by kind, namespace, name and labels (never a scan per object). References to objects that may live in the cluster (ConfigMaps, Secrets, ServiceAccounts, PVCs, backend Services, HPA targets) are reported only when the inputs declare the namespace (a Namespace object) or with `--assume-complete` / `assumeComplete: true`.'),
 'api': ('Deprecated and removed APIs (api.*)', 'From a committed table, lib/rules/api_table.c, generated by lib/rules/gen_api_table.py from pluto\'s versions.yaml (Kubernetes, cert-manager, Istio), kube-no-trouble\'s rule sets and the Kubernetes OpenAPI documents 1.27-1.35 (tests/conformance/rulepacks_api.c holds the table to those documents: a kind absent from version N is marked removed by N). Target: `--target-kubernetes X.Y` or `targetKubernetes` (default 1.35, the newest schemas shipped). The apiVersion recorded in `kubectl.kubernetes.io/last-applied-configuration` (and kapp\'s `kapp.k14s.io/original`) is judged too.'),
 'image': ('Image provenance (image.*)', 'Image references are parsed exactly per docker/distribution\'s reference grammar: `[host[:port]/]path[:tag][@algorithm:hex]`; a first component with `.` or `:`, `localhost`, or an upper-case letter is a registry, otherwise docker.io is implied and a one-component path gets `library/`; digests are validated as go-digest does (sha256: 64, sha384: 96, sha512: 128 lower-case hex digits). bp.image-tag-latest reports latest and missing tags.'),
}

for pack, rows in rules.items():
    title, intro = INTRO[pack]
    lines = ['# ' + title, '', intro, '',
             'Each entry: what it reports, the default (severity / action, on or off), why, what to write, and the upstream checks it covers. '
             'Severity and action can be changed per rule in [.guardrail.yaml](../configuration.md); every rule honours `guardrail.dev/ignore` with `guardrail.dev/ignore-reason`.', '']
    lines.append('| Rule | Default | Covers |')
    lines.append('|---|---|---|')
    for r in rows:
        lines.append('| [%s](#%s) | %s / %s%s | %s |' % (r['id'], r['id'].replace('.', ''), r['sev'][0], r['sev'][1],
                     '' if r['on'] == 'true' else ', off', upstream(r['up'])))
    lines.append('')
    for r in rows:
        lines += ['## ' + r['id'], '',
                  '**What:** %s.' % r['summary'],
                  '',
                  '**Default:** %s, action %s%s.' % (r['sev'][0], r['sev'][1], '' if r['on'] == 'true' else ', off (turn on with `rules: {%s: true}`)' % r['id']),
                  '',
                  '**Why:** ' + WHY.get(r['id'], 'TODO'),
                  '',
                  '**Fix:** ' + r['fix'] + '.',
                  '',
                  '**Covers:** ' + upstream(r['up']) + '.',
                  '']
    if pack == 'bp':
        lines += concepts(rules)
    open('docs/rules/%s.md' % pack, 'w').write('\n'.join(lines))
    missing = [r['id'] for r in rows if r['id'] not in WHY]
    if missing:
        print('no why for', missing)
print({k: len(v) for k, v in rules.items()})

# ---- docs/migrating.md: the per-check tables (prose is in MIGRATING_HEAD) ----
inv = json.load(open(os.environ.get('SHARED', '../shared') + '/conformance/rulepacks/inventory.json'))
allr = [r for rows in rules.values() for r in rows]
def covered_by(tool, cid):
    hits = [r['id'] for r in allr if ('%s:%s' % (tool, cid)) in r['up'].split()]
    return ', '.join('[%s](rules/%s.md#%s)' % (h, h.split('.')[0], h.replace('.', '')) for h in hits) or '—'
tables = []
for tool, title, key in (('polaris', 'Polaris', 'polaris'), ('kube-score', 'kube-score', 'kube-score'), ('kube-linter', 'kube-linter', 'kube-linter')):
    tables += ['### %s checks' % title, '', '| %s check | upstream default | `--profile %s` rule | guardrail default rules |' % (title, key), '|---|---|---|---|']
    for c in sorted((c for c in inv['checks'] if c['tool'] == tool), key=lambda c: c['id']):
        dflt = ('%s' % c.get('severity', '')) + ('' if c.get('default_enabled', True) else ', off')
        prof = '`%s.%s`' % (key, c['id'])
        if tool == 'kube-linter' and c['id'] == 'schema-validation':
            prof += ' (on the `schema` engine\'s validation; needs `--schema-dir`)'
        tables.append('| `%s` | %s | %s | %s |' % (c['id'], dflt, prof, covered_by(tool, c['id'])))
    tables.append('')
head = open('docs/migrating.md').read().split('<!-- tables -->')[0] if os.path.exists('docs/migrating.md') else ''
open('docs/migrating.md', 'w').write(head + '<!-- tables -->\n' + '\n'.join(tables))
