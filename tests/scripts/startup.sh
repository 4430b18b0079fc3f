#!/bin/sh
# What `guardrail` loads at start: libcurl and OpenSSL are loaded with dlopen
# only by the commands that need them (lib/kube/curl_dl.c, src/serve_ssl.c),
# so the program does not link them and a `check` run never maps them.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
G="$BUILD/guardrail"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

needed=$(readelf -d "$G" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] && ok || bad "readelf found no NEEDED entries in $G"
for lib in libcurl libssl libcrypto; do
	echo "$needed" | grep -q "^$lib" && bad "$G links $lib: $(echo $needed)" || ok
done
# The dynamic loader's own trace of every library a check run opens.
trace=$(LD_DEBUG=files "$G" check examples/bad/deployment.yaml 2>&1 >/dev/null)
echo "$trace" | grep -q "file=libyaml" && ok || bad "LD_DEBUG=files traced no libyaml: the trace is empty"
for lib in libcurl libssl libcrypto libgnutls libkrb5; do
	echo "$trace" | grep -q "file=$lib" && bad "check loads $lib" || ok
done
echo "startup: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
