#!/bin/sh
# regex-oracle: lib/regex against Debian's libre2 (tests/regex/oracle.c via
# the C++ shim tests/regex/re2_shim.cc, built here since only this test and
# bench/regex.sh need C++ and RE2). Needs ../shared/corpus and the Kyverno
# policies for their patterns; asserts that at least 300 patterns ran.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
out=$BUILD/tests/regex
mkdir -p "$out"
SAN=""
case "$BUILD" in build-san) SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
CXX=${CXX:-g++}
[ -n "$SAN" ] && CXX=clang++
if ! $CXX -O1 -g $SAN -c tests/regex/re2_shim.cc -o "$out/re2_shim.o" ||
	! ${CC:-cc} -std=c11 -O1 -g $SAN -Iinclude -Ilib/regex -D_GNU_SOURCE -Wall -Wextra -Werror \
		-o "$out/oracle" tests/regex/oracle.c "$out/re2_shim.o" "$BUILD/libguardrail.a" \
		-lre2 -lstdc++ -lyaml -lpthread -lm; then
	echo "regex-oracle: 0 passed, 1 failed (build)"
	exit 1
fi
exec "$out/oracle" 300
