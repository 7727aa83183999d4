#!/bin/sh
# Set up a fresh Debian machine for feedmux, build it, then either run the
# daemon on the bundled demo configuration or run the test suite.
#
#	sh contrib/quickstart.sh demo	# install, build, run the demo daemon
#	sh contrib/quickstart.sh test	# install, build, make check
#	sh contrib/quickstart.sh bench	# install, build optimized, make bench
#
# Packages are installed with apt-get (through sudo when not root); the
# build goes to ./build (./build-bench for the benchmarks, without the
# debug flags).

set -e
what=${1:-demo}
case $what in
demo|test|bench) ;;
*)	echo "usage: sh contrib/quickstart.sh demo|test|bench" >&2
	exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
build_pkgs="gcc make autoconf automake pkg-config libevent-dev
    libcurl4-openssl-dev libxml2-dev libsqlite3-dev libinih-dev libjansson-dev
    libsystemd-dev zlib1g-dev"
test_pkgs="python3 python3-feedparser curl libxml2-utils sfeed sqlite3 man-db"
pkgs=$build_pkgs
bench_pkgs="python3 python3-feedparser curl sfeed nginx wrk time"
[ "$what" = test ] && pkgs="$pkgs $test_pkgs"
[ "$what" = bench ] && pkgs="$pkgs $bench_pkgs"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing$missing"
	sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt configure ]; then
	./autogen.sh >/dev/null 2>&1
fi
if [ "$what" = bench ]; then
	mkdir -p build-bench
	cd build-bench
	[ -f Makefile ] || ../configure >/dev/null
	make -j2 >/dev/null
	exec make bench
fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-debug >/dev/null
make -j2 >/dev/null

if [ "$what" = demo ]; then
	exec "$top/contrib/demo/run.sh" "$top/build"
fi
if ! make -j2 check; then
	for f in $(find tests -name '*.log' ! -name test-suite.log); do
		grep -q '^not ok\|^Bail out\|ERROR' "$f" 2>/dev/null &&
		    { echo "=== $f"; cat "$f"; }
	done
	exit 1
fi
