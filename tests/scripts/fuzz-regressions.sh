#!/bin/sh
# Every fuzz harness (tests/fuzz/fuzz_*.c) over every committed regression
# input (tests/fuzz/regressions/) and its own seed folder, without libFuzzer:
# each harness is linked with tests/fuzz/replay/replay_main.c against the
# build's library. Under BUILD=build-san the replay runs with ASan+UBSan, so
# a memory error found by fuzzing once stays fixed. A harness that crashes,
# or exits non-zero, fails its check.
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
flags="-std=c11 -Iinclude -D_GNU_SOURCE -O1 -g"
case $BUILD in
*san*)
	cc=clang
	flags="$flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
	;;
esac
pass=0
fail=0
ninputs=$(find tests/fuzz/regressions -type f | wc -l)
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin="$tmp/$name"
	if ! $cc $flags -o "$bin" "$src" tests/fuzz/replay/replay_main.c "$BUILD/libguardrail.a" -lyaml -lpthread -lm -lz -lssl -lcrypto \
		2> "$tmp/cc.err"; then
		echo "FAIL: $name does not build for replay" >&2
		head -5 "$tmp/cc.err" >&2
		fail=$((fail + 1))
		continue
	fi
	dirs=tests/fuzz/regressions
	[ -d "tests/fuzz/$short" ] && dirs="$dirs tests/fuzz/$short"
	# shellcheck disable=SC2086
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 timeout 300 "$bin" $dirs > "$tmp/out" 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL: $name crashed or failed on a regression input" >&2
		tail -20 "$tmp/out" >&2
		fail=$((fail + 1))
	fi
done
echo "fuzz-regressions: $ninputs regression inputs through each harness"
echo "fuzz-regressions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
