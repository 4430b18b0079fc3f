#!/bin/sh
# Numbers print and parse the same under any LC_NUMERIC: build a German
# locale (decimal comma) into a temporary folder with localedef, and run
# the locale unit test under it (it adopts the environment's locale as an
# embedding program would, and fails if the comma is not really active).
# Prints the test's own "locale: N passed, N failed".
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! localedef -i de_DE -f UTF-8 "$tmp/de_DE.UTF-8" > "$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	echo "locale: 0 passed, 1 failed (localedef could not build de_DE.UTF-8: install the locales package)"
	exit 1
fi
LOCPATH=$tmp LC_ALL=de_DE.UTF-8 "$BUILD/tests/unit/test_locale" --require-comma
