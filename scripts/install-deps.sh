#!/bin/sh
# Install the Debian packages guardrail needs, only when missing.
#   libyaml-dev      YAML 1.1 event parser (what go-yaml v2, under sigs.k8s.io/yaml, follows)
#   gcc, make        the build
#   clang, libclang-rt-14-dev   sanitizer builds and libFuzzer harnesses
#   bc, time         bench/check.sh arithmetic and peak RSS
#   zlib1g-dev       gunzip of Helm release records (api.* inside Helm release data)
#   libre2-dev, g++  the regex oracle test and bench (tests/scripts/regex-oracle.sh, bench/regex.sh):
#                    lib/regex is checked against RE2, the engine whose syntax Go's regexp shares
#   clang-format, pkgconf   make format-check; the install test (pkg-config; g++ builds the headers as C++)
#   locales          localedef and its sources: the LC_NUMERIC test builds a decimal-comma locale
#   libssl-dev, openssl, curl   guardrail serve's TLS (OpenSSL); its tests make a CA and call it;
#                    tests/unit/test_x509 makes certificates with openssl for x509_decode
#   tzdata           CEL timestamps in named zones and CronJob spec.timeZone are read from /usr/share/zoneinfo
#   libcurl4-openssl-dev, zlib1g-dev   the cluster client of `guardrail audit` (lib/kube: HTTP/2 over
#                    OpenSSL, client certificates) and its compressed snapshots
#   kubectl          `check --kustomize` renders kustomizations with `kubectl kustomize` (and the
#                    kube-linter conformance case flag-kustomize-support runs it)
# And one test tool from the npm registry (node and npm come with the machine):
#   @microsoft/sarif-multitool   the SARIF validator by the SARIF specification's editors, with the
#                    2.1.0 schema and GitHub code scanning's ingestion rules; tests/scripts/sarif.sh
#                    validates what `-o sarif` writes with it. Tests only, never linked or shipped.
set -e
need=""
check() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need="$need $1"; }
for p in tzdata libyaml-dev gcc make clang libclang-rt-14-dev bc time zlib1g-dev libre2-dev g++ clang-format pkgconf locales libssl-dev openssl curl libcurl4-openssl-dev kubectl; do check "$p"; done
[ "$1" = bench ] && { check wrk; check valgrind; } # bench/serve.sh: HTTP load generator; bench/serve-profile.sh: callgrind (never for tests)
if [ -n "$need" ]; then
	echo "installing:$need"
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi

# The SARIF validator (tests/scripts/sarif.sh), in a cache outside the tree.
SARIF_TOOLS=${GUARDRAIL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/guardrail-tools}
SARIF_BIN=$SARIF_TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ "$1" != bench ] && [ ! -x "$SARIF_BIN" ] && command -v npm >/dev/null 2>&1; then
	echo "installing: @microsoft/sarif-multitool (npm, tests only)"
	mkdir -p "$SARIF_TOOLS"
	npm install --prefix "$SARIF_TOOLS" --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0 >/dev/null
	chmod u+x "$SARIF_BIN" # npm does not run the package's postinstall (which only does this)
fi
