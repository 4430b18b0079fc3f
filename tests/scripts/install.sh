#!/bin/sh
# make install / uninstall into a temporary prefix, then what an embedder
# does: build a tiny program with `pkg-config --cflags --libs guardrail`
# against the installed shared library (and once against the static one),
# run it on a manifest with the installed schemas; check the soname, that
# only public gr_ names are exported, the man page, the installed program
# finding its schemas, a DESTDIR staging install, and that uninstall leaves
# nothing behind. Prints "install: N passed, N failed".
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
# The installed library is a normal build: a sanitizer run tests it from build/.
case $BUILD in build-san* | build-tsan*) BUILD=build ;; esac
unset MAKEFLAGS MAKELEVEL MFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}
t() { if eval "$2"; then ok; else bad "$1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=$tmp/usr
if ! make --no-print-directory -s BUILD="$BUILD" PREFIX="$P" install > "$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	echo "install: 0 passed, 1 failed"
	exit 1
fi
t "program installed" '[ -x "$P/bin/guardrail" ]'
t "shared library, soname link and dev link" '[ -f "$P/lib/libguardrail.so.0.1.0" ] && [ -L "$P/lib/libguardrail.so.0" ] && [ -L "$P/lib/libguardrail.so" ]'
t "soname" 'readelf -d "$P/lib/libguardrail.so.0.1.0" | grep -q "SONAME.*libguardrail.so.0\]"'
t "static library" '[ -f "$P/lib/libguardrail.a" ]'
t "headers" '[ -f "$P/include/guardrail/guardrail.h" ] && [ -f "$P/include/guardrail/session.h" ]'
t "pkg-config file" '[ -f "$P/lib/pkgconfig/guardrail.pc" ]'
t "man page" '[ -f "$P/share/man/man1/guardrail.1" ]'
t "schemas" '[ -d "$P/share/guardrail/k8s-openapi/1.35" ]'
# only the public API is exported: every dynamic symbol is gr_
nm -D --defined-only "$P/lib/libguardrail.so.0.1.0" | awk '{print $3}' | grep -v '^gr_' > "$tmp/leaks"
t "shared library exports gr_ names only ($(wc -l < "$tmp/leaks") others)" '[ ! -s "$tmp/leaks" ]'
nm -g --defined-only "$P/lib/libguardrail.a" | awk 'NF == 3 {print $3}' | grep -v '^gr_' > "$tmp/leaks"
t "static library keeps gr_ names global only" '[ ! -s "$tmp/leaks" ]'
t "internal names are not exported" '! nm -D "$P/lib/libguardrail.so.0.1.0" | grep -qE " (jp_|pss_|gri_)"'

cat > "$tmp/tiny.c" <<'PROG'
/* A session over one Pod with the installed schemas. */
#include <guardrail/guardrail.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	static const char pod[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
				  "spec:\n  containers: [{name: c, image: nginx, privileged: 1}]\n";
	gr_error err;
	gr_options *o = gr_options_new();
	gr_checker *c = NULL;
	if (gr_options_set(o, "schema", "schema-dir", argv[1], &err) || gr_checker_new(&c, o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 2;
	}
	gr_options_free(o);
	gr_session *s = gr_session_new(c, NULL);
	gr_session_add_bytes(s, "pod.yaml", pod, strlen(pod));
	gr_summary sum;
	if (gr_session_run(s, NULL, NULL, &sum, &err))
		return 2;
	printf("%s: %zu objects, %zu invalid\n", gr_version(), sum.objects, sum.invalid);
	gr_session_free(s);
	gr_checker_unref(c);
	(void)argc;
	return 0;
}
PROG
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
t "pkg-config knows guardrail" 'pkg-config --exists guardrail && [ "$(pkg-config --modversion guardrail)" = 0.1.0 ]'
if cc -std=c11 -Wall -Wextra -Werror "$tmp/tiny.c" $(pkg-config --cflags --libs guardrail) -o "$tmp/tiny" 2> "$tmp/cc.log"; then
	ok
	out=$(LD_LIBRARY_PATH="$P/lib" "$tmp/tiny" "$P/share/guardrail/k8s-openapi" 2>&1)
	t "tiny program against the shared library: $out" '[ "$out" = "0.1.0: 1 objects, 1 invalid" ]'
	t "it uses the shared library" 'LD_LIBRARY_PATH="$P/lib" ldd "$tmp/tiny" | grep -q "$P/lib/libguardrail.so.0"'
else
	bad "tiny program does not build: $(cat "$tmp/cc.log")"
fi
if cc -std=c11 "$tmp/tiny.c" $(pkg-config --cflags guardrail) "$P/lib/libguardrail.a" \
	$(pkg-config --libs-only-l --static guardrail | sed 's/-lguardrail//') -o "$tmp/tiny-static" 2> "$tmp/cc.log"; then
	out=$("$tmp/tiny-static" "$P/share/guardrail/k8s-openapi" 2>&1)
	t "tiny program against the static library: $out" '[ "$out" = "0.1.0: 1 objects, 1 invalid" ]'
else
	bad "static link fails: $(cat "$tmp/cc.log")"
fi
if command -v c++ > /dev/null; then
	printf '#include <guardrail/guardrail.h>\nint main() { return gr_version()[0] == 0; }\n' > "$tmp/tiny.cc"
	t "the headers build as C++ and link" 'c++ -Wall -Wextra -Werror "$tmp/tiny.cc" $(pkg-config --cflags --libs guardrail) -o "$tmp/tinycc" && LD_LIBRARY_PATH="$P/lib" "$tmp/tinycc"'
fi
# the installed program finds the installed schemas (no ../shared beside it)
(cd "$tmp" && GUARDRAIL_SCHEMA_DIR= GUARDRAIL_CACHE_DIR=off "$P/bin/guardrail" check -o json "$OLDPWD/examples/good" > "$tmp/prog.out" 2>&1)
t "installed program runs with its schemas" 'grep -q "\"errors\":0" "$tmp/prog.out"'
# staging: DESTDIR
if make --no-print-directory -s BUILD="$BUILD" PREFIX=/opt/gr DESTDIR="$tmp/stage" install > "$tmp/log" 2>&1; then
	t "DESTDIR staging" '[ -f "$tmp/stage/opt/gr/lib/libguardrail.so.0.1.0" ] && grep -q "^prefix=/opt/gr" "$tmp/stage/opt/gr/lib/pkgconfig/guardrail.pc"'
	make --no-print-directory -s BUILD="$BUILD" PREFIX=/opt/gr DESTDIR="$tmp/stage" uninstall > /dev/null 2>&1
	t "DESTDIR uninstall" '[ -z "$(find "$tmp/stage" -type f -o -type l)" ]'
else
	bad "DESTDIR install: $(tail -5 "$tmp/log")"
fi
make --no-print-directory -s BUILD="$BUILD" PREFIX="$P" uninstall > /dev/null 2>&1
t "uninstall leaves nothing" '[ -z "$(find "$P" -type f -o -type l)" ]'
echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
