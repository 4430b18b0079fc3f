#!/bin/sh
# Seeds for fuzz_kubeconfig: the example kubeconfigs of the cluster
# recordings, read from ../shared at run time (never copied into the repo).
for f in ../shared/cluster-recordings/kubeconfigs/*.yaml ../shared/cluster-recordings/kubeconfigs/*/*.yaml; do
	[ -f "$f" ] && cp "$f" "$1/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
done
exit 0
