#!/bin/sh
# Build the libFuzzer targets out of tree with clang (ASan and UBSan) and
# run each for SECONDS (default 60), seeded from tests/fixtures and
# tests/conformance. Exits non-zero if any target finds a crash.
#
#   fuzz/run.sh [SECONDS]
#
# FUZZ_BUILD (default: a new temporary directory) is where it builds.
# FUZZ_RUNS=0 only replays the seeds and fuzz/regress, deterministically.
# FUZZ_SEED fixes libFuzzer's random seed, so that a run explores the same
# inputs in the same order on every machine (CI uses it).

set -eu

seconds=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$(mktemp -d "${TMPDIR:-/tmp}/feedmux-fuzz.XXXXXX")}
targets="parse_fuzzer date_fuzzer sanitize_fuzzer"
objs="parse html date url entry buf xmalloc log"

case $seconds in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "$0: clang not found" >&2; exit 2; }

echo "fuzz: building in $build"
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ]; then
	"$top/configure" CC=clang --enable-asan \
	    CFLAGS="-fsanitize=fuzzer-no-link -g" >configure.log 2>&1 || {
		cat configure.log >&2
		exit 2
	}
fi
o=
for m in $objs; do
	o="$o lib/$m.o"
done
# shellcheck disable=SC2086
make $o >make.log 2>&1 || { cat make.log >&2; exit 2; }

deps=$(pkg-config --cflags --libs libxml-2.0 libcurl jansson)
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
for t in $targets; do
	# shellcheck disable=SC2086
	clang -g -O1 $san -I"$top/lib" -I. -include config.h \
	    -o "$t" "$top/fuzz/$t.c" $o $deps -lm
done

# Seeds: every fixture for the parser and the sanitizer; dates from a
# list of forms.
rm -rf corpus
mkdir -p corpus/parse_fuzzer corpus/sanitize_fuzzer corpus/date_fuzzer
n=0
for f in $(find "$top/tests/fixtures" "$top/tests/conformance" -type f \
    ! -path '*/pipeline/*' ! -path '*/conf/*' 2>/dev/null); do
	n=$((n + 1))
	# The parse target reads its first byte as options: give it "\0".
	{ printf '\000'; cat "$f"; } >"corpus/parse_fuzzer/seed$n"
	cp "$f" "corpus/sanitize_fuzzer/seed$n"
done
# Inputs that once failed, kept as they were found.
for f in "$top"/fuzz/regress/parse-*; do
	[ -f "$f" ] && cp "$f" corpus/parse_fuzzer/
done
for f in "$top"/fuzz/regress/sanitize-*; do
	[ -f "$f" ] && cp "$f" corpus/sanitize_fuzzer/
done
i=0
while IFS= read -r d; do
	i=$((i + 1))
	printf '%s' "$d" >"corpus/date_fuzzer/seed$i"
done <<'DATES'
Wed, 24 Apr 2019 12:15:00 +0000
Wed, 24 Apr 19 12:15 EST
24 Apr 2019 12:15:00 Z
Tue, 31 Feb 2024 00:00:00 GMT
2019-04-24T12:15:00.123456789+05:30
2019-04
2019
2019-04-24 12:15:00z
20190424T121500Z
1e10
Sunday, 24-Apr-19 12:15:00 GMT
Apr 24 2019 12:15:00 +9999
DATES

status=0
for t in $targets; do
	mkdir -p "artifacts/$t"
	echo "fuzz: $t for ${seconds}s"
	if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "./$t" -max_total_time="$seconds" -max_len=65536 \
	    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
	    -timeout=25 -rss_limit_mb=2048 \
	    -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
	    "corpus/$t" >"$t.log" 2>&1; then
		echo "fuzz: $t FAILED; see $build/$t.log and" \
		    "$build/artifacts/$t/" >&2
		tail -40 "$t.log" >&2
		status=1
	else
		grep -E '^stat::number_of_executed_units|^Done' "$t.log" || true
	fi
done
exit $status
