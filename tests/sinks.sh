#!/usr/bin/env bash
# sinks.sh BIN: the network sinks of -o against real collectors started here — redis-server
# (list and stream), a TCP syslog receiver and a UDP one (socat). The Redis server and the TCP
# receiver are stopped for a second in the middle of a slow replay; every record written to the
# file sink must still reach Redis and the TCP receiver. Then a sink with nowhere to go and a
# tiny queue (MISROUTE_SINK_QUEUE) must report drops and exit in bounded time.
# Prints ok/FAIL lines like run.sh; exits non-zero when anything failed.
set -u
bin=${1:?usage: tests/sinks.sh BIN}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/misroute-sinks.XXXXXX")
groups=()
cleanup() {
	for g in "${groups[@]}"; do kill -- "-$g" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

for tool in redis-server redis-cli socat python3; do
	command -v "$tool" >/dev/null || { fail "sinks" "$tool missing (make deps)"; exit 1; }
done

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# Each server runs in a process group of its own (setsid) so that killing it takes socat's
# forked children too.
start_redis() {
	setsid redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$tmp" --dbfilename dump.rdb --logfile "$tmp/redis.log" &
	redis_pid=$!
	groups+=("$redis_pid")
	for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
start_tcp() {
	setsid socat -d -d -u "TCP-LISTEN:$tport,bind=127.0.0.1,reuseaddr,fork" \
		"OPEN:$tmp/syslog-tcp,creat,append" 2>>"$tmp/socat-tcp.log" &
	tcp_pid=$!
	groups+=("$tcp_pid")
	sleep 0.2
}
stop_group() { kill -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null; }

rport=$(free_port)
tport=$(free_port)
uport=$(free_port)
start_redis || { fail "sinks/redis-server" "did not start"; exit 1; }
start_tcp
setsid socat -u "UDP-RECV:$uport,bind=127.0.0.1" "OPEN:$tmp/syslog-udp,creat,append" &
groups+=("$!")
sleep 0.2

# --- restart: the collectors go away for a second in the middle of a slow replay --------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99:abort_on_error=0}
python3 "$top/tests/slowcat.py" "$top/samples/benign.pcap" 6 |
	"$bin" -r - --log-events -o "redis://127.0.0.1:$rport/mlist" \
		-o "redis+stream://127.0.0.1:$rport/mstream" -o "syslog://127.0.0.1:$tport" \
		-o "syslog+udp://127.0.0.1:$uport" -o "$tmp/records.json" 2>"$tmp/err" &
run_pid=$!
sleep 2
redis-cli -p "$rport" shutdown save >/dev/null 2>&1
wait "$redis_pid" 2>/dev/null
stop_group "$tcp_pid"
sleep 1
start_redis || fail "sinks/redis-restart" "redis-server did not come back"
start_tcp
wait "$run_pid"
rc=$?
if [ "$rc" -eq 0 ]; then
	pass "sinks/exit"
else
	fail "sinks/exit" "misroute exited $rc: $(cat "$tmp/err")"
fi
sleep 0.3 # let socat write out the last frames
redis-cli -p "$rport" --raw LRANGE mlist 0 -1 >"$tmp/redis-list" 2>&1
redis-cli -p "$rport" --raw XRANGE mstream - + >"$tmp/redis-stream" 2>&1

# The outage must have cut the TCP connection: misroute connected again after the restart.
conns=$(grep -c "accepting connection" "$tmp/socat-tcp.log")
if [ "$conns" -ge 2 ]; then
	pass "sinks/restart reconnected ($conns syslog connections)"
else
	fail "sinks/restart reconnected" "$conns syslog connections"
fi
if python3 - "$tmp" <<'PY'; then pass "sinks/restart delivered"; else fail "sinks/restart delivered"; fi
import json, re, sys
tmp = sys.argv[1]
written = open(f"{tmp}/records.json", encoding="utf-8").read().splitlines()
redis_list = open(f"{tmp}/redis-list", encoding="utf-8").read().splitlines()
lines = open(f"{tmp}/redis-stream", encoding="utf-8").read().splitlines()
redis_stream = [lines[i + 2] for i in range(0, len(lines) - 2, 3) if lines[i + 1] == "record"]

# TCP: octet-counting frames "LEN SP MSG" (RFC 6587 3.4.1); MSG is an RFC 5424 message.
data = open(f"{tmp}/syslog-tcp", "rb").read()
syslog, off, bad = [], 0, 0
while off < len(data):
    sp = data.index(b" ", off)
    n = int(data[off:sp])
    msg = data[sp + 1:sp + 1 + n].decode()
    off = sp + 1 + n
    head, ts, host, app, procid, msgid, sd, body = msg.split(" ", 7)
    pri, _, ver = head.partition(">")
    kind = json.loads(body).get("event", {}).get("kind")
    want = {"alert": 132, "metric": 133}.get(kind, 134)
    if pri != f"<{want}" or ver != "1" or app != "misroute" or (msgid, sd) != ("-", "-") \
            or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", ts):
        bad += 1
    syslog.append(body)
udp = re.split(rb"(?=<13[2-6]>1 \d{4}-\d\d-\d\dT)", open(f"{tmp}/syslog-udp", "rb").read())
udp = [m for m in udp if m]

def dedup(xs):
    # A record resent after a reconnect may arrive twice, one after the other.
    return [x for i, x in enumerate(xs) if i == 0 or xs[i - 1] != x]

print(f"     written {len(written)}, delivered redis {len(redis_list)} (stream {len(redis_stream)}),"
      f" syslog {len(syslog)} (udp {len(udp)})")
ok = True
for name, got in (("redis list", redis_list), ("redis stream", redis_stream), ("syslog", syslog)):
    if dedup(got) != written:
        missing = [w for w in written if w not in got]
        print(f"     {name}: {len(got)} delivered, {len(missing)} written but missing")
        ok = False
if bad:
    print(f"     syslog: {bad} frames with a bad RFC 5424 header")
    ok = False
if not written or not udp:
    ok = False
sys.exit(0 if ok else 1)
PY

# --- overflow: nothing listens, the queue holds 3 records ------------------------------------
dead=$(free_port)
start=$(date +%s)
MISROUTE_SINK_QUEUE=3 "$bin" -r "$top/samples/benign.pcap" --log-events \
	-o "syslog://127.0.0.1:$dead" -o "$tmp/overflow.json" 2>"$tmp/overflow.err"
rc=$?
elapsed=$(($(date +%s) - start))
dropped=$(sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' "$tmp/overflow.err" | head -n 1)
if [ "$rc" -eq 1 ] && [ "${dropped:-0}" -gt 0 ] && [ "$elapsed" -le 12 ]; then
	pass "sinks/overflow dropped $dropped, exit in ${elapsed}s"
else
	fail "sinks/overflow" "exit $rc after ${elapsed}s: $(cat "$tmp/overflow.err")"
fi

# --- a malformed spec is a usage error -------------------------------------------------------
"$bin" -r "$top/samples/benign.pcap" -o "redis://127.0.0.1:0/k" >/dev/null 2>"$tmp/bad.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "port must be" "$tmp/bad.err"; then
	pass "sinks/bad spec"
else
	fail "sinks/bad spec" "exit $rc: $(cat "$tmp/bad.err")"
fi

echo "sinks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
