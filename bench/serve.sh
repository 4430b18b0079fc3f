#!/bin/sh
# Benchmark `guardrail serve` on loopback over TLS keep-alive and print
# figures: throughput at saturation (wrk, 25 connections as the API server
# pools them), latency p50/p99/p99.9 at a fixed 2,000 reviews/s (our own
# fixed-rate client, tests/serve/client.c: Debian has no wrk2; latency is
# measured from each request's scheduled time, so a stall is not hidden),
# server CPU per review, and peak RSS. The reviews are a mix of Pods and
# workload controllers from ../shared/corpus, judged at restricted on the
# enforce path (many violate: denials are logged, as in production).
# Pod Security at restricted plus every engine the library offers and the
# rule packs (engines: [kyverno, vap, rules]; kyverno and vap have no policy
# here: see the second run for Kyverno's policy set).
# Figures only: nothing here passes or fails. Load generator and server
# share the machine: the load average is printed before and after, and the
# server's CPU per review (user and system apart) is the figure that does
# not depend on it. bench/serve-profile.sh counts instructions per review
# (callgrind) and names where they go.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh bench >/dev/null
make --no-print-directory bench >/dev/null
G=$PWD/build/guardrail
CORPUS=../shared/corpus
SECS=${SECS:-10}
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/client" tests/serve/client.c -lssl -lcrypto -lpthread

# The certificate in a folder of its own, as a mounted Secret is: the
# server watches that folder, and a log written beside it would wake the
# watcher on every decision.
mkdir "$tmp/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" 2>/dev/null
printf 'apiVersion: guardrail.dev/v1alpha1\nkind: ServeConfiguration\nengines: [kyverno, vap, rules]\n' > "$tmp/serve.yaml"

# Reviews: up to 400 Pods and workload controllers from the corpus, one per line.
FILES=$(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
$G query -c "contains(['Pod','Deployment','StatefulSet','DaemonSet','Job','CronJob','ReplicaSet'], kind) && @" $FILES 2>/dev/null |
	grep '^{' | head -400 > "$tmp/objects"
awk -v q='"' '
{
	kind = $0; sub(/.*"kind":"/, "", kind); sub(/".*/, "", kind)
	res = tolower(kind) "s"; grp = "apps"
	if (kind == "Pod") grp = ""
	if (kind == "Job" || kind == "CronJob") grp = "batch"
	printf "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"bench-%d\",\"kind\":{\"group\":\"%s\",\"version\":\"v1\",\"kind\":\"%s\"},\"resource\":{\"group\":\"%s\",\"version\":\"v1\",\"resource\":\"%s\"},\"namespace\":\"bench\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"bench\"},\"object\":%s,\"oldObject\":null,\"dryRun\":false}}\n", NR, grp, kind, grp, res, $0
}' "$tmp/objects" > "$tmp/reviews"
NREV=$(wc -l < "$tmp/reviews")
NPOD=$(grep -c '"kind":"Pod"}' "$tmp/reviews" || true)
BYTES=$(wc -c < "$tmp/reviews")

port=$((30000 + $$ % 20000))
"$G" serve --tls-cert-file "$tmp/tls/cert.pem" --tls-private-key-file "$tmp/tls/key.pem" --listen "127.0.0.1:$port" \
	--drain-delay 0s --config "$tmp/serve.yaml" 2> "$tmp/server.log" &
pid=$!
sleep 0.5
URL="https://127.0.0.1:$port/validate/enforce/restricted?timeout=10s"
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
ucpu() { awk '{print $14}' /proc/$pid/stat; }
tck=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); reviews: $NREV from the corpus ($NPOD Pods, the rest controllers), $((BYTES / NREV)) bytes on average"
# warm up, then saturate
wrk -t1 -c25 -d2s -s bench/serve.lua "$URL" -- "$tmp/reviews" >/dev/null
c0=$(cpu)
u0=$(ucpu)
wrk -t1 -c25 -d${SECS}s --latency -s bench/serve.lua "$URL" -- "$tmp/reviews" > "$tmp/wrk.out"
c1=$(cpu)
u1=$(ucpu)
wrk -t2 -c25 -d${SECS}s -s bench/serve.lua "$URL" -- "$tmp/reviews" > "$tmp/wrk2.out"
RPS2=$(sed -n 's/^Requests\/sec: *//p' "$tmp/wrk2.out")
RPS=$(sed -n 's/^Requests\/sec: *//p' "$tmp/wrk.out")
N=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk.out")
ERR=$(cat "$tmp/wrk.out" "$tmp/wrk2.out" | grep -E 'Non-2xx|Socket errors' || true)
echo "saturation (wrk, 25 keep-alive TLS connections, ${SECS}s): $RPS reviews/s with 1 wrk thread, $RPS2 with 2 ${ERR:+($ERR)}"
grep -E '^ +(50|99)%' "$tmp/wrk.out" | sed 's/^/  wrk latency at saturation /'
echo "server CPU per review at saturation: $(echo "($c1 - $c0) / $tck / $N * 1000000" | bc -l | xargs printf '%.1f') us ($(echo "($u1 - $u0) / $tck / $N * 1000000" | bc -l | xargs printf '%.1f') us user, the rest system); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
hist() { curl -sk "https://127.0.0.1:$port/metrics" | grep '^guardrail_admission_review_duration_seconds_bucket'; }
hist > "$tmp/h0"
"$tmp/client" load --port "$port" --path /validate/enforce/restricted --lines "$tmp/reviews" --conns 25 --rate 2000 \
	--duration "$SECS" > "$tmp/rate.out"
hist > "$tmp/h1"
echo "fixed 2,000 reviews/s (25 connections, ${SECS}s), seen by the client: $(cat "$tmp/rate.out")"
# The server's own view of the same requests (complete request to response
# queued), from its histogram: the bucket holding each quantile.
paste -d' ' "$tmp/h0" "$tmp/h1" | sed 's/.*le="\([^"]*\)"} \([0-9]*\) .* \([0-9]*\)$/\1 \2 \3/' |
	awk '{ le[NR] = $1; c[NR] = $3 - $2 } END {
		n = c[NR]; split("50 99 99.9", q, " ");
		for (k = 1; k <= 3; k++) for (i = 1; i <= NR; i++) if (c[i] >= n * q[k] / 100) { printf "  server-side p%s <= %s s\n", q[k], le[i]; break } }'
echo "peak RSS (25 connections): $(sed -n 's/^VmHWM: *//p' /proc/$pid/status)"
"$tmp/client" open --port "$port" --path /validate/enforce/restricted --lines "$tmp/reviews" --conns 1000 > "$tmp/open.out"
echo "peak RSS after 1,000 connections at once ($(cat "$tmp/open.out")): $(sed -n 's/^VmHWM: *//p' /proc/$pid/status)"
echo "decisions logged: $(grep -c 'admission decision' "$tmp/server.log") lines, $(wc -c < "$tmp/server.log") bytes"
kill -TERM $pid
wait $pid 2>/dev/null || true
pid=""

# The same saturation run with Kyverno's own Pod Security policy set loaded
# (../shared/conformance/kyverno-policies/pod-security, baseline and
# restricted: what Kyverno's scalability page measured with), served by the
# kyverno engine beside guardrail's PSS on every review.
KP=../shared/conformance/kyverno-policies/pod-security
if [ -d "$KP" ]; then
	{
		echo "engines: [kyverno, vap, rules]"
		echo "policies:"
		for d in "$KP"/baseline/*/ "$KP"/restricted/*/; do
			f="$d$(basename "$d").yaml"
			[ -f "$f" ] && echo "  - $PWD/$f"
		done
	} > "$tmp/kyverno.yaml"
	NPOL=$(grep -c '^  - ' "$tmp/kyverno.yaml")
	"$G" serve --tls-cert-file "$tmp/tls/cert.pem" --tls-private-key-file "$tmp/tls/key.pem" --listen "127.0.0.1:$port" \
		--drain-delay 0s --config "$tmp/kyverno.yaml" 2> "$tmp/server2.log" &
	pid=$!
	sleep 0.5
	wrk -t1 -c25 -d2s -s bench/serve.lua "$URL" -- "$tmp/reviews" >/dev/null
	c0=$(cpu)
	wrk -t1 -c25 -d${SECS}s -s bench/serve.lua "$URL" -- "$tmp/reviews" > "$tmp/wrk3.out"
	c1=$(cpu)
	N=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk3.out")
	echo "with Kyverno's $NPOL Pod Security policies loaded as well: $(sed -n 's/^Requests\/sec: *//p' "$tmp/wrk3.out") reviews/s, server CPU per review $(echo "($c1 - $c0) / $tck / $N * 1000000" | bc -l | xargs printf '%.1f') us, peak RSS $(sed -n 's/^VmHWM: *//p' /proc/$pid/status)"
	kill -TERM $pid
	wait $pid 2>/dev/null || true
	pid=""
fi
