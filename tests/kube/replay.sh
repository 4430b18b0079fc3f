#!/bin/sh
# replay.sh start DIR NAME [replay flags] — start the replay server in the
# background; its port in DIR/NAME.port, its pid in DIR/NAME.pid.
# replay.sh stop DIR NAME
set -e
BUILD=${BUILD:-build}
here=$(dirname "$0")
case "$1" in
start)
	dir=$2 name=$3
	shift 3
	mkdir -p "$BUILD/tests/kube"
	# a sanitizer build of the library needs the sanitizer runtime (make test-sanitize)
	if [ -z "$EXTRA_LDFLAGS" ] && nm "$BUILD/libguardrail.a" 2>/dev/null | grep -q __asan_; then
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
		EXTRA_LDFLAGS=$EXTRA_CFLAGS
		CC=${CC:-clang}
		command -v clang >/dev/null && CC=clang
	fi
	if [ ! -x "$BUILD/tests/kube/replay" ] || [ "$here/replay.c" -nt "$BUILD/tests/kube/replay" ] ||
		[ "$BUILD/libguardrail.a" -nt "$BUILD/tests/kube/replay" ]; then
		${CC:-cc} -std=c11 -Iinclude -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
			$EXTRA_CFLAGS -o "$BUILD/tests/kube/replay" "$here/replay.c" "$BUILD/libguardrail.a" \
			-lyaml -lssl -lcrypto -lpthread -lm $EXTRA_LDFLAGS
	fi
	if [ ! -x "$BUILD/tests/kube/kube_probe" ] || [ "$here/kube_probe.c" -nt "$BUILD/tests/kube/kube_probe" ] ||
		[ "$BUILD/libguardrail.a" -nt "$BUILD/tests/kube/kube_probe" ]; then
		${CC:-cc} -std=c11 -Iinclude -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
			$EXTRA_CFLAGS -o "$BUILD/tests/kube/kube_probe" "$here/kube_probe.c" "$BUILD/libguardrail.a" \
			-lyaml -lcurl -lssl -lcrypto -lz -lpthread -lm $EXTRA_LDFLAGS
	fi
	rm -f "$dir/$name.port"
	"$BUILD/tests/kube/replay" --exchanges ../shared/cluster-recordings/exchanges.jsonl \
		--cert "$dir/server.crt" --key "$dir/server.key" --client-ca "$dir/ca.crt" \
		--token test-admin-token --port-file "$dir/$name.port" "$@" >"$dir/$name.out" 2>&1 &
	echo $! >"$dir/$name.pid"
	i=0
	while [ ! -s "$dir/$name.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$dir/$name.port" ] || { cat "$dir/$name.out"; exit 1; }
	;;
stop)
	[ -f "$2/$3.pid" ] && kill "$(cat "$2/$3.pid")" 2>/dev/null || true
	;;
esac
