#!/usr/bin/env bash
# live.sh BIN: misroute capturing live, on one end of a veth pair whose other end sits in a
# network namespace of its own, with captures replayed into it by tcpreplay.
#   - with 2 workers, every capture gives the records an offline replay gives (timestamps
#     aside), and both workers take part;
#   - -u/-g: the process and all its threads end up as nobody/nogroup with no capability, and
#     still write to the output opened before;
#   - --pidfile keeps a second instance out; SIGUSR1 writes a metric record with each worker's
#     capture counters, SIGHUP reloads the rules, SIGTERM ends with status 0 and a final metric.
# Prints one "ok"/"FAIL" line per check, like run.sh; exits 1 when a check failed, 0 otherwise.
set -u
bin=${1:?usage: tests/live.sh BIN}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/misroute-live.XXXXXX")
chmod 755 "$tmp" # nobody writes here after the privilege drop
ns=mrlive$$
a=mra$$
b=mrb$$
cleanup() {
	ip link del "$a" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
pass() { echo "ok   live/$1"; }
fail() { failed=1; echo "FAIL live/$1${2:+: $2}"; }

if ! ip netns add "$ns" 2>"$tmp/ns.err" ||
	! ip link add "$a" mtu 9000 type veth peer name "$b" mtu 9000 netns "$ns" 2>>"$tmp/ns.err"; then
	fail setup "cannot make a network namespace and a veth pair: $(head -c 200 "$tmp/ns.err")"
	exit 1
fi
# No IPv6 on the pair: router solicitations and DAD would be traffic of our own.
sysctl -q -w "net.ipv6.conf.$a.disable_ipv6=1"
ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$b.disable_ipv6=1"
ip link set "$a" up
ip -n "$ns" link set "$b" up

# start_live OUT ARGS...: misroute on $a in the background ($pid); returns once its workers
# (and so their capture sockets) exist.
start_live() {
	local out=$1 want
	shift
	want=$(($(printf '%s\n' "$@" | grep -A1 -x -- --workers | tail -n 1) + 1))
	"$bin" -i "$a" -o "$out" --stats-interval 0 "$@" 2>>"$tmp/live.err" &
	pid=$!
	for _ in $(seq 1 100); do
		[ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

# stop_live: SIGTERM, and the exit status.
stop_live() {
	kill -TERM "$pid"
	wait "$pid"
}

# Records without what differs between a live run and a replay: timestamps, durations, metric
# and configuration records. Sorted, one per line.
normalise() {
	python3 - "$1" <<'PY'
import json, sys
DROP = {"@timestamp", "start", "end", "duration", "created"}
def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items() if k not in DROP}
    if isinstance(v, list):
        return [clean(x) for x in v]
    return v
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("event", {}).get("kind") == "metric" or r.get("event", {}).get("dataset") == "misroute.config":
        continue
    out.append(json.dumps(clean(r), sort_keys=True))
print("\n".join(sorted(out)))
PY
}

# --- 2 workers against an offline replay, capture by capture ------------------------------------
caps=$(ls "$top"/samples/*.pcap "$top"/tests/golden/incidents/*.pcap)
mismatch=""
workers_seen=""
n=0
compared=0
for cap in $caps; do
	n=$((n + 1))
	name=${cap#"$top"/}
	"$bin" -q -r "$cap" --log-events >"$tmp/offline.json" 2>/dev/null
	rm -f "$tmp/live.json"
	if ! start_live "$tmp/live.json" --workers 2 --log-events; then
		mismatch="$mismatch $name(no start)"
		continue
	fi
	# 100 packets a second: each worker's ring hands its packets over within 10 ms, so the
	# order in which detection sees them is the capture's.
	ip netns exec "$ns" tcpreplay -q -i "$b" --pps=100 "$cap" >/dev/null 2>>"$tmp/replay.err"
	sleep 0.3
	if ! stop_live; then
		mismatch="$mismatch $name(exit status)"
		continue
	fi
	normalise "$tmp/offline.json" >"$tmp/offline.norm"
	normalise "$tmp/live.json" >"$tmp/live.norm"
	compared=$((compared + $(grep -c . "$tmp/offline.norm")))
	if ! [ -s "$tmp/offline.norm" ] || ! diff "$tmp/offline.norm" "$tmp/live.norm" >"$tmp/diff"; then
		mismatch="$mismatch $name"
		head -c 1500 "$tmp/diff"
	fi
	workers_seen="$workers_seen $(grep '"action":"final"' "$tmp/live.json" |
		python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(" ".join(str(w["worker"]) for w in r["misroute"]["stats"]["capture"]["workers"] if w["packets"] > 0))')"
done
if [ -n "$mismatch" ]; then
	fail "2-workers-match-replay" "$mismatch; $(head -c 300 "$tmp/live.err")"
elif ! printf '%s\n' $workers_seen | grep -qx 0 || ! printf '%s\n' $workers_seen | grep -qx 1; then
	fail "2-workers-match-replay" "one worker took every packet"
else
	pass "2-workers-match-replay $n captures, $compared records"
fi

# --- privileges, pidfile, signals ---------------------------------------------------------------
rm -f "$tmp/priv.json"
cp "$top/rules/default.rules" "$tmp/live.rules"
chmod 644 "$tmp/live.rules"
# LeakSanitizer cannot stop the threads of a process that changed its user: leaks are checked
# by the runs above.
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
if ! start_live "$tmp/priv.json" --workers 2 -u nobody -g nogroup --pidfile "$tmp/misroute.pid" \
	-R "$tmp/live.rules"; then
	fail "privileges" "did not start: $(tail -n 3 "$tmp/live.err")"
	exit 1
fi
sleep 0.2
bad=""
for t in /proc/"$pid"/task/*; do
	st=$(cat "$t/status")
	echo "$st" | grep -q "^Uid:[[:space:]]*65534[[:space:]]65534[[:space:]]65534[[:space:]]65534$" || bad="$bad uid"
	echo "$st" | grep -q "^Gid:[[:space:]]*65534[[:space:]]65534[[:space:]]65534[[:space:]]65534$" || bad="$bad gid"
	echo "$st" | grep -q "^Groups:[[:space:]]*65534[[:space:]]*$" || bad="$bad groups"
	for c in CapInh CapPrm CapEff CapAmb; do
		echo "$st" | grep -q "^$c:[[:space:]]*0000000000000000$" || bad="$bad $c"
	done
	echo "$st" | grep -q "^NoNewPrivs:[[:space:]]*1$" || bad="$bad no_new_privs"
done
[ "$(cat "$tmp/misroute.pid")" = "$pid" ] || bad="$bad pidfile"
if [ -z "$bad" ]; then
	pass "privileges $(ls /proc/"$pid"/task | wc -l) threads as nobody, no capability"
else
	fail "privileges" "$(echo "$bad" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
fi

"$bin" -i "$a" --pidfile "$tmp/misroute.pid" -o /dev/null 2>"$tmp/second.err"
st=$?
if [ "$st" -eq 2 ] && grep -q "already in use by process $pid" "$tmp/second.err"; then
	pass "pidfile-second-instance"
else
	fail "pidfile-second-instance" "exit $st: $(head -c 200 "$tmp/second.err")"
fi

ip netns exec "$ns" tcpreplay -q -i "$b" --pps=100 "$top/samples/example-com-autodetect.pcap" \
	>/dev/null 2>>"$tmp/replay.err"
kill -USR1 "$pid"
kill -HUP "$pid"
sleep 0.5
stop_live
st=$?
checks=$(python3 - "$tmp/priv.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
def metric(action):
    return [r for r in recs if r["event"].get("dataset") == "misroute.stats" and r["event"]["action"] == action]
bad = []
periodic, final = metric("periodic"), metric("final")
if len(periodic) != 1: bad.append("SIGUSR1 gave %d metric records" % len(periodic))
if len(final) != 1: bad.append("no final metric")
for r in periodic + final:
    cap = r["misroute"]["stats"]["capture"]
    if len(cap["workers"]) != 2 or cap["received"] != sum(w["received"] for w in cap["workers"]):
        bad.append("capture counters: %s" % cap)
if not any(r["event"].get("dataset") == "misroute.config" and r["event"]["outcome"] == "success" for r in recs):
    bad.append("no reload record after SIGHUP")
if not any(r["event"]["kind"] == "alert" for r in recs):
    bad.append("no incident written after the privilege drop")
print("; ".join(bad))
PY
)
if [ "$st" -eq 0 ] && [ -z "$checks" ] && [ ! -s "$tmp/misroute.pid" ]; then
	pass "signals usr1-hup-term"
else
	fail "signals" "exit $st; $checks; pidfile: $(cat "$tmp/misroute.pid" 2>/dev/null)"
fi
exit $failed
