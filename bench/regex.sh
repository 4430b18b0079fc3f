#!/bin/sh
# bench/regex.sh — lib/regex vs RE2 vs glibc regexec on the corpus CRD
# patterns (bench/regex_bench.c), with RE2 linked through the test shim.
# Usage: bench/regex.sh [rounds]
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/libguardrail.a >/dev/null
mkdir -p build/bench
g++ -O2 -c tests/regex/re2_shim.cc -o build/bench/re2_shim.o
cc -std=c11 -O2 -Iinclude -D_GNU_SOURCE -o build/bench/regex_bench_re2 bench/regex_bench.c \
	build/bench/re2_shim.o build/libguardrail.a -lre2 -lstdc++ -lyaml -lpthread -lm
exec build/bench/regex_bench_re2 ../shared/corpus "${1:-20}"
