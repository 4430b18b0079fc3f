#!/bin/sh
# Differential fuzzing of lib/regex against RE2 (fuzz_regex_re2.c), where
# libre2-dev is installed: tests/fuzz/re2/run.sh [seconds]. Seeds are those
# of fuzz_regex (tests/fuzz/seed-regex.sh).
set -e
secs=${1:-60}
cd "$(dirname "$0")/../../.."
make --no-print-directory fuzz >/dev/null
out=build-fuzz/tests/fuzz
clang++ -O1 -g -fsanitize=address,undefined -c tests/regex/re2_shim.cc -o "$out/re2_shim.o"
clang -std=c11 -Iinclude -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Wall -Wextra -Werror \
	-o "$out/fuzz_regex_re2" tests/fuzz/re2/fuzz_regex_re2.c "$out/re2_shim.o" build-fuzz/libguardrail.a \
	-lre2 -lstdc++ -lyaml -lpthread -lm
work=build-fuzz/corpus/fuzz_regex_re2
mkdir -p "$work"
sh tests/fuzz/seed-regex.sh "$work"
exec "$out/fuzz_regex_re2" "$work" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=4096 -timeout=10 \
	-print_final_stats=1
