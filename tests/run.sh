#!/usr/bin/env bash
# run.sh BUILD_DIR [--update]: the whole test suite against BUILD_DIR/misroute and the unit
# test binaries in BUILD_DIR/tests. Prints one line per test and a closing
# "tests: N passed, N failed" line; exits non-zero when anything failed.
#   --update  rewrites the expected output of the golden captures from the current build.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR [--update]}
update=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$build/misroute"
shared=${MISROUTE_SHARED:-$top/../shared}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/misroute-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Sanitizer reports fail the run: leaks included, and every report exits with 99.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99:abort_on_error=0}
# Enrichment from the databases this machine may have would make records differ between
# machines: tests name their databases explicitly.
export MISROUTE_GEOIP_DIR=/nonexistent
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

# valid_json FILE: every line of FILE is one JSON object.
valid_json() {
	python3 - "$1" <<'PY'
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not isinstance(json.loads(line), dict):
        sys.exit(f"line {n}: not an object")
PY
}

# --- unit tests -----------------------------------------------------------------------------
for t in "$top/$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if "$t" >"$tmp/$name.log" 2>&1; then
		pass "unit/$name"
	else
		fail "unit/$name" "see below"
		tail -n 30 "$tmp/$name.log"
	fi
done

# Every capture at hand, read by misroute's own reader (classic pcap) or by libpcap (the rest),
# gives the packets libpcap reads from it.
# shellcheck disable=SC2046
if "$top/$build/tests/test_source" "$top"/samples/*.pcap "$top"/tests/golden/*.pcap \
	"$top"/tests/golden/*/*.pcap $([ -d "$shared/pcaps" ] &&
	find "$shared/pcaps" -name '*.pcap' -o -name '*.pcapng' | sort) >"$tmp/source.log" 2>&1; then
	pass "source/same-packets-as-libpcap $(grep -c 'read by source.c' "$tmp/source.log") read by misroute, $(grep -c 'read by libpcap' "$tmp/source.log") by libpcap"
else
	fail "source/same-packets-as-libpcap" "see below"
	tail -n 30 "$tmp/source.log"
fi

# --- fuzz corpora and past crash inputs, replayed without libFuzzer ----------------------------
for t in "$top/$build"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t##*/fuzz_}
	dirs="$top/fuzz/corpus/$name"
	[ -d "$top/fuzz/crashes/$name" ] && dirs="$dirs $top/fuzz/crashes/$name"
	# shellcheck disable=SC2086
	if "$t" $dirs >"$tmp/fuzz.log" 2>&1; then
		pass "fuzz/$name $(tail -n 1 "$tmp/fuzz.log")"
	else
		fail "fuzz/$name"
		tail -n 30 "$tmp/fuzz.log"
	fi
done

# --- command line ---------------------------------------------------------------------------
cli() { # cli NAME WANT_STATUS STDERR_PATTERN ARGS...
	local name=$1 want=$2 pat=$3
	shift 3
	"$bin" -q "$@" >"$tmp/cli.out" 2>"$tmp/cli.err" </dev/null
	local got=$?
	if [ "$got" -ne "$want" ]; then
		fail "cli/$name" "exit $got, want $want: $(head -c 300 "$tmp/cli.err")"
	elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/cli.err"; then
		fail "cli/$name" "stderr lacks '$pat': $(head -c 300 "$tmp/cli.err")"
	elif [ "$(wc -l <"$tmp/cli.err")" -gt 1 ] && [ "$want" -ne 0 ]; then
		fail "cli/$name" "error is not one line"
	else
		pass "cli/$name"
	fi
}
printf 'not a capture at all\n' >"$tmp/garbage.pcap"
cli help 0 "" --help
cli version 0 "" --version
cli no-input 2 "give either" 
cli both-inputs 2 "give either" -r x.pcap -i lo
cli bad-option 2 "" --no-such-option
cli bad-number 2 "max-flows" -r x.pcap --max-flows 12abc
cli zero-flows 2 "max-flows" -r x.pcap --max-flows 0
cli missing-file 1 "does-not-exist.pcap" -r "$tmp/does-not-exist.pcap"
cli garbage-file 1 "garbage.pcap" -r "$tmp/garbage.pcap"
cli bad-filter 1 "filter" -r "$top/tests/golden/dns-udp.pcap" -f "port port"
cli bad-output 2 "no-such-dir" -r "$top/tests/golden/dns-udp.pcap" -o "$tmp/no-such-dir/x.json"
cli bad-sink-spec 2 "redis" -r "$top/tests/golden/dns-udp.pcap" -o redis://127.0.0.1/k
cli workers-zero 2 "workers" -i lo --workers 0
cli cpu-affinity-bad 2 "cpu-affinity" -i lo --cpu-affinity 1-x
cli cpu-affinity-absent 1 "cannot run on CPU 1000" -i lo --cpu-affinity 1000 -o /dev/null
cli no-such-user 2 "no such user" -r "$top/tests/golden/dns-udp.pcap" -u no-such-user-xyz -o /dev/null
cli no-such-interface 1 "no-such-if0" -i no-such-if0 -o /dev/null
cli unreachable-sink 1 "not delivered" -r "$top/tests/golden/dns-udp.pcap" -o redis://127.0.0.1:9/k

# The man page and --help name the same options.
opts_help=$("$bin" --help | grep -o -- '^ *\(-[a-zA-Z], \)\?--[a-z-]*' | grep -o -- '-[a-zA-Z]\b\|--[a-z-]*' | sort -u)
opts_man=$(sed -n '/^\.SH OPTIONS/,/^\.SH SIGNALS/p' "$top/misroute.1" | grep '^\.\(B\|BR\|BI\|TP\)' |
	sed 's/\\-/-/g' | grep -o -- '--[a-z-]*\|-[a-zA-Z]\b' | sort -u)
if [ -n "$opts_help" ] && [ "$opts_help" = "$opts_man" ] && man -l "$top/misroute.1" >/dev/null 2>&1; then
	pass "cli/man-page-matches-help $(echo "$opts_help" | wc -l) options"
else
	fail "cli/man-page-matches-help" "$(diff <(echo "$opts_help") <(echo "$opts_man") | grep '^[<>]' | tr '\n' ' ')"
fi
# The systemd unit parses, with the binary under test in place of the installed one.
sed "s|/usr/local/bin/misroute|$bin|; /^Documentation=/d" "$top/systemd/misroute.service" >"$tmp/misroute.service"
if ! command -v systemd-analyze >/dev/null; then
	echo "note: systemd-analyze not found: the unit file is not checked"
elif systemd-analyze verify "$tmp/misroute.service" >"$tmp/unit.err" 2>&1; then
	pass "cli/systemd-unit"
else
	fail "cli/systemd-unit" "$(head -c 300 "$tmp/unit.err")"
fi
# A long replay on a terminal: a progress line, then the summary (tests/progress.py).
if msg=$(python3 "$top/tests/progress.py" "$bin" "$tmp" 2>&1); then
	pass "cli/progress-and-summary $msg"
else
	fail "cli/progress-and-summary" "$msg"
fi

# An output path that is a symbolic link planted by another user is not followed; one of ours
# is. (misroute runs as root here. In a sticky world-writable folder the kernel's
# protected_symlinks refuses it first: the folder here is not one, so misroute must.)
mkdir -m 755 "$tmp/shared-dir"
: >"$tmp/target"
ln -s "$tmp/target" "$tmp/shared-dir/planted"
chown -h nobody "$tmp/shared-dir/planted"
cli symlink-planted 2 "not followed" -r "$top/tests/golden/dns-udp.pcap" -o "$tmp/shared-dir/planted"
ln -s "$tmp/target" "$tmp/shared-dir/ours"
if [ ! -s "$tmp/target" ] &&
	"$bin" -q -r "$top/tests/golden/dns-udp.pcap" -o "$tmp/shared-dir/ours" 2>/dev/null &&
	grep -q '"kind":"metric"' "$tmp/target"; then
	pass "cli/symlink-ours-followed"
else
	fail "cli/symlink-ours-followed" "the planted link was followed, or ours was not"
fi

# The same capture through stdin and as a file gives the same records.
if "$bin" -q -r - --log-events <"$top/tests/golden/dns-udp.pcap" >"$tmp/stdin.json" 2>"$tmp/stdin.err" &&
	"$bin" -q -r "$top/tests/golden/dns-udp.pcap" --log-events >"$tmp/file.json" 2>&1 &&
	cmp -s "$tmp/stdin.json" "$tmp/file.json"; then
	pass "cli/stdin"
else
	fail "cli/stdin" "$(head -c 300 "$tmp/stdin.err")"
fi

# A filter keeps what it names only: the TCP capture under "udp" gives no DNS event.
if "$bin" -r "$top/tests/golden/dns-tcp.pcap" --log-events -f udp >"$tmp/f.json" 2>&1 &&
	! grep -q '"misroute.dns"' "$tmp/f.json" && grep -q '"metric"' "$tmp/f.json"; then
	pass "cli/filter"
else
	fail "cli/filter"
fi

# --- golden captures: exact expected records --------------------------------------------------
for pcap in "$top"/tests/golden/*.pcap "$top"/tests/golden/link-types/*.pcap "$top"/tests/golden/tunnels/*.pcap \
	"$top"/tests/golden/incidents/*.pcap "$top"/samples/*.pcap; do
	[ -f "$pcap" ] || continue
	want="${pcap%.pcap}.expected"
	name=${pcap#"$top"/}
	rm -f "$tmp/got.json" # -o appends
	if ! "$bin" -r "$pcap" --log-events -o "$tmp/got.json" 2>"$tmp/got.err"; then
		fail "golden/$name" "exit status $?: $(head -c 300 "$tmp/got.err")"
		continue
	fi
	cat "$tmp/got.json" >>"$tmp/records.json"
	if [ "$update" = "--update" ]; then
		cp "$tmp/got.json" "$want"
	fi
	if [ ! -f "$want" ]; then
		fail "golden/$name" "no expected output ${want#"$top"/} (run tests/run.sh $build --update)"
	elif ! cmp -s "$tmp/got.json" "$want"; then
		fail "golden/$name" "output differs"
		diff "$want" "$tmp/got.json" | head -n 20
	elif ! valid_json "$tmp/got.json" 2>"$tmp/j.err"; then
		fail "golden/$name" "invalid JSON: $(cat "$tmp/j.err")"
	else
		pass "golden/$name"
	fi
done

# Replaying the same capture twice gives byte-identical output.
"$bin" -r "$top/tests/golden/dns-tcp.pcap" --log-events >"$tmp/a.json" 2>/dev/null
"$bin" -r "$top/tests/golden/dns-tcp.pcap" --log-events >"$tmp/b.json" 2>/dev/null
if [ -s "$tmp/a.json" ] && cmp -s "$tmp/a.json" "$tmp/b.json"; then
	pass "golden/deterministic"
else
	fail "golden/deterministic"
fi

# --- generators: the committed captures are what the scripts make -----------------------------
gen() { # gen NAME SCRIPT OUTDIR_IN_REPO
	local name=$1 script=$2 dir=$3
	mkdir -p "$tmp/gen-$name"
	if ! python3 "$top/$script" "$tmp/gen-$name" >"$tmp/gen.log" 2>&1; then
		fail "generator/$name" "$(tail -n 5 "$tmp/gen.log")"
		return
	fi
	local bad=""
	for f in $(cd "$tmp/gen-$name" && find . -name '*.pcap' | sort); do
		cmp -s "$tmp/gen-$name/$f" "$top/$dir/$f" || bad="$bad $f"
	done
	if [ -n "$bad" ]; then fail "generator/$name" "differs from the committed:$bad"; else pass "generator/$name"; fi
}
gen samples samples/gen_samples.py samples
gen golden tests/golden/gen_golden.py tests/golden
gen incidents tests/golden/gen_incidents.py tests/golden/incidents

# --- incidents: each kind fires on its capture, and its negative twin stays silent -------------
kinds=(x autodiscover-reserved-domain answer-outside-domain mail-after-reserved-autodiscover
	credentials-sent-outward autodiscover-public-suffix reserved-address-connection)
for k in 1 2 3 4 5 6; do
	pos=$(ls "$top"/tests/golden/incidents/k$k-[!n]*.pcap)
	"$bin" -r "$pos" >"$tmp/pos.json" 2>/dev/null
	"$bin" -r "$top/tests/golden/incidents/k$k-negative.pcap" >"$tmp/neg.json" 2>/dev/null
	if ! grep -q "\"incident\":\"${kinds[$k]}\"" "$tmp/pos.json"; then
		fail "incidents/k$k" "no ${kinds[$k]} record"
	elif grep -q '"kind":"alert"' "$tmp/neg.json"; then
		fail "incidents/k$k-negative" "$(grep -o '"message":"[^"]*"' "$tmp/neg.json" | head -n 3)"
	else
		pass "incidents/k$k and its negative twin"
	fi
done
# The benign sample raises nothing; the January 2026 case raises autodiscover and mail-after.
"$bin" -r "$top/samples/benign.pcap" >"$tmp/benign.json" 2>/dev/null
"$bin" -r "$top/samples/example-com-autodetect.pcap" >"$tmp/jan.json" 2>/dev/null
if ! grep -q '"kind":"alert"' "$tmp/benign.json" &&
	grep -q '"incident":"mail-after-reserved-autodiscover"' "$tmp/jan.json"; then
	pass "incidents/samples"
else
	fail "incidents/samples"
fi

# --- hostile input: tests/malformed.sh prints one ok/FAIL line per case ----------------------
while read -r r; do case $r in ok*) pass "${r:5}" ;; *) fail "${r:5}" ;; esac; done < <("$top/tests/malformed.sh" "$bin")

# --- floods at CI scale with small caps: bench/floods.py --check prints one line per flood ------
while read -r r; do case $r in ok*) pass "${r:5}" ;; *) fail "${r:5}" ;; esac; done < <(/usr/bin/python3 "$top/bench/floods.py" --check "$bin")

# --- memcheck on the plain build (made if stale): tests/valgrind.sh prints one line per run ----
while read -r r; do case $r in ok*) pass "${r:5}" ;; *) fail "${r:5}" ;; esac; done < <("$top/tests/valgrind.sh")

# --- the shared corpus: no crash, valid JSON, DNS recall against tshark ----------------------
if [ ! -d "$shared/pcaps" ]; then
	echo "note: $shared/pcaps not found: the shared-corpus tests are skipped (CI has it)"
else
	corpus_bad=""
	while IFS= read -r pcap; do
		out="$tmp/corpus.json"
		rm -f "$out" # -o appends
		"$bin" -r "$pcap" --log-events -o "$out" 2>"$tmp/corpus.err"
		st=$?
		# A capture file that ends mid-record is reported (status 1), never a crash.
		if [ "$st" -ne 0 ] && { [ "$st" -ne 1 ] || grep -q -i "sanitizer\|runtime error" "$tmp/corpus.err"; }; then
			corpus_bad="$corpus_bad ${pcap#"$shared"/} (exit $st)"
			head -n 20 "$tmp/corpus.err"
		elif ! valid_json "$out" 2>"$tmp/j.err"; then
			corpus_bad="$corpus_bad ${pcap#"$shared"/} (invalid JSON)"
		fi
		cat "$out" >>"$tmp/records.json"
	done < <(find "$shared/pcaps" -name '*.pcap' -o -name '*.pcapng' | sort)
	if [ -z "$corpus_bad" ]; then pass "corpus/no-crash-valid-json"; else fail "corpus/no-crash-valid-json" "$corpus_bad"; fi

	# Every capture on its own must reach 99% of what tshark extracts (tests/truth_recall.py).
	kinds=dns_query,dns_answer,http_host,http_uri,tls_sni,quic_sni,smtp_auth_user,imap_login_user,pop3_user,mail_flow
	if python3 "$top/tests/truth_recall.py" --misroute "$bin" --min-recall 0.99 \
		--kinds "$kinds" "$shared/pcaps" >"$tmp/truth.log" 2>&1; then
		pass "corpus/recall"
		grep '^total' "$tmp/truth.log"
	else
		fail "corpus/recall" "a capture is below 99%"
		grep "BELOW\|^total\|Error\|error" "$tmp/truth.log" | head -n 40
	fi
fi

# --- rules: --check-rules, and SIGHUP reloads during a replay -----------------------------------
if "$bin" --check-rules >"$tmp/check.out" 2>"$tmp/check.err" && grep -q "0 errors, 0 warnings" "$tmp/check.out"; then
	pass "rules/check-default $(cat "$tmp/check.out")"
else
	fail "rules/check-default" "$(head -c 300 "$tmp/check.err")"
fi
printf 'reserved example.test\nreserved bad..name\nwatched example.test\n' >"$tmp/bad.rules"
"$bin" --check-rules -R "$tmp/bad.rules" >/dev/null 2>"$tmp/check.err"
st=$?
if [ "$st" -eq 2 ] && grep -q "^$tmp/bad.rules:2: " "$tmp/check.err" && grep -q "^$tmp/bad.rules:3: " "$tmp/check.err"; then
	pass "rules/check-broken"
else
	fail "rules/check-broken" "exit $st: $(head -c 300 "$tmp/check.err")"
fi
printf 'reserved example.test\nreserved 192.0.2.1/24\n' >"$tmp/bad1.rules"
cli rules-broken-start 2 "bad1.rules:2:" -r "$top/tests/golden/dns-udp.pcap" -R "$tmp/bad1.rules"
cli rules-missing 2 "no-such.rules" -r "$top/tests/golden/dns-udp.pcap" -R "$tmp/no-such.rules"

# A replay with a rule reload every 50 ms (good and broken sets by turns) writes the same
# records as one without: no packet is lost, a broken set keeps the old one and says so.
cp "$top/rules/default.rules" "$tmp/live.rules"
"$bin" -r "$top/samples/benign.pcap" -R "$tmp/live.rules" --log-events >"$tmp/calm.json" 2>/dev/null
python3 "$top/tests/slowcat.py" "$top/samples/benign.pcap" 3 |
	"$bin" -r - -R "$tmp/live.rules" --log-events >"$tmp/hup.json" 2>/dev/null &
pid=$!
sleep 0.3
for i in $(seq 1 40); do
	if [ $((i % 2)) -eq 0 ]; then cp "$top/rules/default.rules" "$tmp/live.rules"; else cp "$tmp/bad.rules" "$tmp/live.rules"; fi
	kill -HUP "$pid" 2>/dev/null
	sleep 0.05
done
wait $pid
cp "$top/rules/default.rules" "$tmp/live.rules"
strip() { grep -v '"misroute.config"\|"kind":"metric"' "$1"; }
if cmp -s <(strip "$tmp/calm.json") <(strip "$tmp/hup.json") &&
	grep -q '"outcome":"success"' "$tmp/hup.json" && grep -q '"outcome":"failure"' "$tmp/hup.json"; then
	pass "rules/reload-during-replay $(grep -c misroute.config "$tmp/hup.json") reloads"
else
	fail "rules/reload-during-replay" "records differ or no reload seen"
fi

# SIGTERM while misroute waits on a quiet pipe: a clean stop, the final metric written.
sleep 5 | "$bin" -r - >"$tmp/term.json" 2>"$tmp/term.err" &
pid=$!
sleep 0.5
kill -TERM "$pid"
if wait "$pid" && grep -q '"action":"final"' "$tmp/term.json"; then
	pass "signals/term-while-waiting"
else
	fail "signals/term-while-waiting" "$(head -c 300 "$tmp/term.err")"
fi

# --- secrets: no password a capture carries appears in anything misroute writes --------------
caps=$(ls "$top"/samples/*.pcap "$top"/tests/golden/incidents/*.pcap; [ -d "$shared/pcaps" ] && find "$shared/pcaps" -name '*.pcap' -o -name '*.pcapng' | sort)
# shellcheck disable=SC2086
if /usr/bin/python3 "$top/tests/secrets.py" "$bin" $caps >"$tmp/secrets.log" 2>/dev/null; then
	pass "secrets/$(tail -n 1 "$tmp/secrets.log")"
else
	fail "secrets" "$(grep -v ' 0 found' "$tmp/secrets.log" | head -n 5)"
fi

# --- network sinks: a real redis-server and syslog receivers, restarted in the middle ----------
if "$top/tests/sinks.sh" "$bin" >"$tmp/sinks.log" 2>&1; then
	pass "sinks $(grep -o 'written [0-9]*.*' "$tmp/sinks.log" | head -n 1)"
else
	fail "sinks" "$(grep -v '^ok' "$tmp/sinks.log" | tail -n 8)"
fi

# --- live capture: a veth pair, tcpreplay, 2 workers; privileges, pidfile, signals -------------
"$top/tests/live.sh" "$bin" >"$tmp/live.log" 2>&1
while IFS= read -r line; do
	case $line in
	"ok   "*) pass "${line#ok   }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	esac
done <"$tmp/live.log"
grep -q '^ok   live/2-workers' "$tmp/live.log" || fail "live" "$(tail -n 5 "$tmp/live.log")"

# --- enrichment: MaxMind's test databases; a broken or missing one never stops misroute ------
if [ -d "$shared/mmdb" ]; then
	"$bin" -r "$top/tests/golden/incidents/k3-mail-after-autodiscover.pcap" --log-events \
		--geoip-city "$shared/mmdb/GeoIP2-City-Test.mmdb" --geoip-asn "$shared/mmdb/GeoLite2-ASN-Test.mmdb" \
		>"$tmp/geo.json" 2>"$tmp/geo.err"
	st=$?
	cat "$tmp/geo.json" >>"$tmp/records.json"
	if [ "$st" -eq 0 ] && grep -q '"city":"loaded' "$tmp/geo.json" && grep -q '"asn":"loaded' "$tmp/geo.json" &&
		grep -q '"geo":{"name":"private"}' "$tmp/geo.json"; then
		pass "geo/test-databases"
	else
		fail "geo/test-databases" "exit $st: $(head -c 300 "$tmp/geo.err")"
	fi
	"$bin" -r "$top/samples/benign.pcap" --geoip-city "$shared/mmdb/GeoIP2-City-Test-Invalid-Node-Count.mmdb" \
		--geoip-asn "$tmp/no-such.mmdb" >"$tmp/geo.json" 2>"$tmp/geo.err"
	st=$?
	cat "$tmp/geo.json" >>"$tmp/records.json"
	if [ "$st" -eq 0 ] && grep -q '"city":"[^"]*Invalid-Node-Count.mmdb: ' "$tmp/geo.json" &&
		grep -q '"asn":"missing: ' "$tmp/geo.json"; then
		pass "geo/broken-and-missing"
	else
		fail "geo/broken-and-missing" "exit $st: $(grep -o '"geo_status":{[^}]*}' "$tmp/geo.json")"
	fi
else
	echo "note: $shared/mmdb not found: the enrichment tests with MaxMind's databases are skipped"
fi

# An ASN database built here (tools/asn2mmdb.pl, as make geoip does) names the servers of the
# January 2026 case in its alerts and events.
printf '202.239.113.0,202.239.113.255,2514,"NTT PC Communications, Inc."\n2001:db8:1::,2001:db8:1::ffff,64500,Doc\n' >"$tmp/asn.csv"
if perl "$top/tools/asn2mmdb.pl" "$tmp/asn.mmdb" "$tmp/asn.csv" 2>"$tmp/asn.err" &&
	"$bin" -r "$top/samples/example-com-autodetect.pcap" --log-events --geoip-asn "$tmp/asn.mmdb" \
		>"$tmp/asn.json" 2>>"$tmp/asn.err" &&
	grep '"kind":"alert"' "$tmp/asn.json" | grep -q '"destination":{"ip":"202.239.113.20","port":993,"as":{"number":2514,"organization":{"name":"NTT PC Communications, Inc."}}' &&
	grep -q '"answer_enrichment":\[{"ip":"202.239.113.20","as":{"number":2514' "$tmp/asn.json"; then
	cat "$tmp/asn.json" >>"$tmp/records.json"
	pass "geo/built-asn-database"
else
	fail "geo/built-asn-database" "$(head -c 300 "$tmp/asn.err")"
fi

# --- every record written above: ECS names and types, and jq reads every line --------------------
if python3 "$top/tests/ecs_check.py" "$top/tests/ecs_fields.tsv" "$tmp/records.json" >"$tmp/ecs.log" 2>&1 &&
	jq -c . "$tmp/records.json" >/dev/null 2>"$tmp/jq.err"; then
	pass "records/ecs-types-and-jq $(tail -n 1 "$tmp/ecs.log")"
else
	fail "records/ecs-types-and-jq" "$(head -n 5 "$tmp/ecs.log" "$tmp/jq.err")"
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
