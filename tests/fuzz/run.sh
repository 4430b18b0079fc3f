#!/bin/sh
# Run one libFuzzer harness for N seconds with its seeds.
#   tests/fuzz/run.sh fuzz_decode 600
# Seeds: the committed tests/fuzz/<name>/ cases plus, by path, ../shared/corpus
# (never copied: a scratch corpus directory under build-fuzz/ holds what the
# fuzzer learns).
set -e
name=$1
secs=${2:-60}
cd "$(dirname "$0")/../.."
make --no-print-directory fuzz >/dev/null
work=build-fuzz/corpus/$name
mkdir -p "$work"
seeds=""
short=${name#fuzz_}
[ -d "tests/fuzz/$short" ] && seeds="$seeds tests/fuzz/$short"
case $name in
fuzz_decode|fuzz_validate) [ -d ../shared/corpus ] && seeds="$seeds ../shared/corpus" ;;
fuzz_yaml_diff | fuzz_yaml_fast)
	[ -d ../shared/corpus ] && seeds="$seeds ../shared/corpus"
	[ -d ../shared/conformance/yaml-test-suite ] && seeds="$seeds ../shared/conformance/yaml-test-suite"
	[ "$name" = fuzz_yaml_fast ] && seeds="$seeds tests/fuzz/yaml_diff"
	;;
esac
# -timeout is wall time: 60 s, not libFuzzer's usual 10, because a fuzzer
# at nice 19 on a loaded machine can be starved that long on an input that
# replays in milliseconds (a hang is still caught: no input is near 60 s).
[ -x "tests/fuzz/seed-$short.sh" ] && sh "tests/fuzz/seed-$short.sh" "$work"
exec build-fuzz/tests/fuzz/$name "$work" $seeds -max_total_time="$secs" -rss_limit_mb=2048 \
	-max_len=1048576 -timeout=60 -print_final_stats=1
