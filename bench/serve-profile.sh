#!/bin/sh
# Where the server's time goes, per review, independent of the machine's
# load: `guardrail serve` under callgrind answers N reviews (default 2,000;
# the same corpus mix and configuration as bench/serve.sh: Pod Security at
# restricted and the rule packs), and this prints the instructions it
# executed per review, in all and in the request handler, then the
# functions that cost most (inclusive, per review). Compare two builds by
# running it on each (BIN=path/to/guardrail). Figures only.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh bench >/dev/null
make --no-print-directory build/guardrail >/dev/null
G=${BIN:-$PWD/build/guardrail}
CORPUS=../shared/corpus
N=${N:-2000}
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/client" tests/serve/client.c -lssl -lcrypto -lpthread
mkdir "$tmp/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" 2>/dev/null
printf 'apiVersion: guardrail.dev/v1alpha1\nkind: ServeConfiguration\nengines: [kyverno, vap, rules]\n' > "$tmp/serve.yaml"
FILES=$(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
$G query -c "contains(['Pod','Deployment','StatefulSet','DaemonSet','Job','CronJob','ReplicaSet'], kind) && @" $FILES 2>/dev/null |
	grep '^{' | head -400 > "$tmp/objects"
awk '
{
	kind = $0; sub(/.*"kind":"/, "", kind); sub(/".*/, "", kind)
	res = tolower(kind) "s"; grp = "apps"
	if (kind == "Pod") grp = ""
	if (kind == "Job" || kind == "CronJob") grp = "batch"
	printf "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"bench-%d\",\"kind\":{\"group\":\"%s\",\"version\":\"v1\",\"kind\":\"%s\"},\"resource\":{\"group\":\"%s\",\"version\":\"v1\",\"resource\":\"%s\"},\"namespace\":\"bench\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"bench\"},\"object\":%s,\"oldObject\":null,\"dryRun\":false}}\n", NR, grp, kind, grp, res, $0
}' "$tmp/objects" > "$tmp/reviews"

port=$((30000 + $$ % 20000))
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$G" serve --tls-cert-file "$tmp/tls/cert.pem" \
	--tls-private-key-file "$tmp/tls/key.pem" --listen "127.0.0.1:$port" --drain-delay 0s \
	--config "$tmp/serve.yaml" 2> "$tmp/server.log" &
pid=$!
# ready when /healthz answers (valgrind starts slowly)
i=0
until curl -sk -o /dev/null "https://127.0.0.1:$port/healthz"; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "the server did not start" >&2; exit 1; }
	sleep 0.2
done
"$tmp/client" load --port "$port" --path /validate/enforce/restricted --lines "$tmp/reviews" --conns 2 \
	--requests 50 > /dev/null # warm: connections, lazy checkers
callgrind_control -z $pid > /dev/null 2>&1
# two connections (the server's two workers), one request in flight on
# each, so no connection is refused while callgrind is slow
"$tmp/client" load --port "$port" --path /validate/enforce/restricted --lines "$tmp/reviews" --conns 2 \
	--requests $((N / 2)) > "$tmp/load.out"
callgrind_control -d $pid > /dev/null 2>&1
kill -TERM $pid
wait $pid 2>/dev/null || true
pid=""
OUT=$(ls "$tmp"/cg.out.* | head -1)
callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null > "$tmp/incl.txt"
OK=$(sed -n 's/^ok \([0-9]*\) .*/\1/p' "$tmp/load.out")
TOTAL=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$tmp/incl.txt" | tr -d ,)
echo "reviews answered under callgrind: $OK ($(cat "$tmp/load.out" | cut -d' ' -f1-8))"
echo "instructions per review, whole server: $((TOTAL / OK))"
echo "inclusive instructions per review, by function (top 30; ??? is OpenSSL and libc without symbols):"
sed -n 's/^ *\([0-9,]*\) ( *[0-9.]*%)  *\([^ ]*\).*/\1 \2/p' "$tmp/incl.txt" | grep -v "'" |
	awk -v n="$OK" '{ c = $1; gsub(",", "", c); f = $2; sub(/^.*\//, "", f)
		if (f ~ /(start_thread|clone|worker_main|PROGRAM)/ || seen[f]++) next
		printf "  %9d  %s\n", c / n, f }' | head -30
