#!/usr/bin/env bash
# valgrind.sh [MISROUTE]: memcheck finds nothing on the golden captures, the samples and the
# malformed suite. MISROUTE must be a build without sanitizers; without it, the plain build
# build/misroute is brought up to date with make first (valgrind and ASan do not mix). Each
# golden capture and sample runs on its own with --log-events, the malformed captures in one
# run (broken files make that run exit 1, which is expected). Any invalid read or write, use
# of uninitialised memory or definite/indirect leak fails (exit 97).
# Prints one "ok   valgrind/NAME" or "FAIL valgrind/NAME: why" line per run, as run.sh does;
# exits 1 when any failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/misroute}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/misroute-valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export MISROUTE_GEOIP_DIR=/nonexistent

if [ $# -eq 0 ] && ! make -C "$top" SAN= build/misroute >"$tmp/make.log" 2>&1; then
	echo "FAIL valgrind: make build/misroute: $(grep -m 1 'error' "$tmp/make.log")"
	exit 1
fi

if ! command -v valgrind >/dev/null; then
	echo "FAIL valgrind: valgrind is not installed (make deps)"
	exit 1
fi
if [ ! -x "$bin" ] || nm "$bin" 2>/dev/null | grep -q __asan_init; then
	echo "FAIL valgrind: $bin is missing or built with sanitizers (make all builds the plain one)"
	exit 1
fi

# vg NAME WANT_STATUS ARGS...: one run of misroute under memcheck; counts failures in bad.
bad=0
vg() {
	local name=$1 want=$2 why=""
	shift 2
	valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --log-file="$tmp/vg.log" \
		"$bin" "$@" --log-events -o /dev/null >/dev/null 2>"$tmp/err" </dev/null
	local st=$?
	if [ "$st" -eq 97 ]; then
		why=$(grep -m 1 -v '^==[0-9]*== *$' "$tmp/vg.log" | cut -c1-200)
		sed -n 1,40p "$tmp/vg.log" >&2
	elif [ "$st" -ne "$want" ]; then
		why="exit $st, want $want: $(head -c 200 "$tmp/err")"
	fi
	if [ -n "$why" ]; then
		echo "FAIL valgrind/$name: $why"
		bad=$((bad + 1))
	else
		echo "ok   valgrind/$name"
	fi
}

for pcap in "$top"/tests/golden/*.pcap "$top"/tests/golden/link-types/*.pcap "$top"/tests/golden/tunnels/*.pcap \
	"$top"/tests/golden/incidents/*.pcap "$top"/samples/*.pcap; do
	[ -f "$pcap" ] && vg "${pcap#"$top"/}" 0 -r "$pcap"
done

if /usr/bin/python3 "$top/tests/gen_malformed.py" "$tmp/malformed" >/dev/null 2>&1; then
	args=()
	for pcap in "$tmp"/malformed/*.pcap; do args+=(-r "$pcap"); done
	vg "malformed ($((${#args[@]} / 2)) captures in one run)" 1 "${args[@]}"
else
	echo "FAIL valgrind/malformed: tests/gen_malformed.py failed"
	bad=$((bad + 1))
fi
[ "$bad" -eq 0 ]
