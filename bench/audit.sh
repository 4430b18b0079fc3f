#!/bin/sh
# bench/audit.sh — how long `guardrail audit` takes on the recorded cluster
# (../shared/cluster-recordings, 479 items): from a local snapshot (the
# target: under 50 ms) and against the loopback replay server (HTTPS, one
# connection, no rate limit; the transfers dominate). Best of N runs each,
# on a shared machine. Prints figures; asserts nothing.
BUILD=${BUILD:-build}
N=${N:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
G="$root/$BUILD/guardrail"
tmp=$(mktemp -d)
trap 'tests/kube/replay.sh stop "$tmp" bench; rm -rf "$tmp"' EXIT
tests/kube/setup.sh "$tmp" >/dev/null
BUILD=$BUILD tests/kube/replay.sh start "$tmp" bench --log "$tmp/requests.log"
P=$(cat "$tmp/bench.port")
cat >"$tmp/kc.yaml" <<K
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:$P", certificate-authority-data: $(base64 -w0 "$tmp/ca.crt")}}]
users: [{name: u, user: {client-certificate-data: $(base64 -w0 "$tmp/client.crt"), client-key-data: $(base64 -w0 "$tmp/client.key")}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
K
"$G" snapshot --kubeconfig "$tmp/kc.yaml" --chunk-size 50 --qps 0 -o "$tmp/s.gz" 2>/dev/null
ms() { s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
best() {
	b=999999
	for i in $(seq "$N"); do t=$(ms "$@"); [ "$t" -lt "$b" ] && b=$t; done
	echo "$b"
}
snap=$(best "$G" audit --snapshot "$tmp/s.gz" -o json)
: >"$tmp/requests.log"
"$G" audit --kubeconfig "$tmp/kc.yaml" --chunk-size 50 --qps 0 -o json >/dev/null 2>&1
nreq=$(wc -l <"$tmp/requests.log")
live=$(best "$G" audit --kubeconfig "$tmp/kc.yaml" --chunk-size 50 --qps 0 -o json)
pss=$(best "$G" audit --snapshot "$tmp/s.gz" -o json --engines pss)
echo "audit of the recorded cluster ($(zcat "$tmp/s.gz" | wc -c) bytes of LISTs, $(stat -c %s "$tmp/s.gz") compressed), best of $N:"
echo "  from a snapshot:            $snap ms (target < 50 ms)"
echo "  from a snapshot, pss only:  $pss ms"
echo "  against the loopback server: $live ms ($nreq requests over HTTPS)"
