#!/usr/bin/env bash
# malformed.sh MISROUTE: hostile input is harmless. tests/gen_malformed.py writes one capture per
# case into a temporary folder; each is replayed with --log-events under a time limit and must
# give what cases.tsv says (a counted skip, or a one-line error and status 1 for a broken file),
# never a crash, a sanitizer report or a hang, and only JSON objects as output lines.
# Prints one "ok   malformed/NAME" or "FAIL malformed/NAME: why" line per case, as run.sh does;
# exits 1 when any failed.
set -u
bin=${1:?usage: tests/malformed.sh MISROUTE}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/misroute-malformed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
export MISROUTE_GEOIP_DIR=/nonexistent
# Every case is a few hundred packets: a minute means a hang.
limit=${MALFORMED_TIMEOUT:-60}

if ! /usr/bin/python3 "$top/tests/gen_malformed.py" "$tmp/cases" >"$tmp/gen.log" 2>&1; then
	echo "FAIL malformed/generator: $(tail -n 3 "$tmp/gen.log" | tr '\n' ' ')"
	exit 1
fi
while IFS=$'\t' read -r name _; do
	timeout -k 5 "$limit" "$bin" -q -r "$tmp/cases/$name.pcap" --log-events -o "$tmp/cases/$name.json" \
		>"$tmp/cases/$name.stdout" 2>"$tmp/cases/$name.err" </dev/null
	echo $? >"$tmp/cases/$name.status"
done <"$tmp/cases/cases.tsv"

# Judges every case from its output, stderr and status.
/usr/bin/python3 - "$tmp/cases" <<'PY'
import json, os, sys

folder = sys.argv[1]


def judge(name, checks):
    read = lambda ext: open(os.path.join(folder, name + ext), "rb").read()
    status = int(read(".status"))
    err = read(".err").decode("utf-8", "replace")
    if status == 124 or status == 137:
        return "hang (no end within the time limit)"
    if status == 99 or "Sanitizer" in err or "runtime error" in err:
        return "sanitizer report: " + err.strip().splitlines()[0][:200] if err.strip() else "exit 99"
    if status > 128:
        return "killed by signal %d" % (status - 128)
    path = os.path.join(folder, name + ".json")
    lines = open(path, "rb").read().splitlines() if os.path.exists(path) else []
    records = []
    for n, raw in enumerate(lines, 1):
        try:
            rec = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            return "output line %d is not JSON: %s" % (n, e)
        if not isinstance(rec, dict):
            return "output line %d is not an object" % n
        records.append((raw.decode("utf-8"), rec))
    metrics = [r for _, r in records if r.get("event", {}).get("kind") == "metric"]
    if not metrics:
        return "no metric record"
    stats = metrics[-1]["misroute"]["stats"]
    counters = dict(stats["skipped"], flow_evicted=stats["flows"]["evicted"])
    want_error = any(c.startswith("error:") for c in checks)
    if not want_error and status != 0:
        return "exit status %d: %s" % (status, err.strip()[:200])
    for c in checks:
        kind, _, arg = c.partition(":")
        if kind in ("skip", "noskip"):
            if arg not in counters:
                return "no counter " + arg
            if (counters[arg] > 0) != (kind == "skip"):
                return "%s is %d" % (arg, counters[arg])
        elif kind == "error":
            if status != 1:
                return "exit status %d, want 1" % status
            # One line naming the file, then what is wrong with it.
            if len(err.splitlines()) != 1 or "%s.pcap: %s" % (name, arg) not in err:
                return "stderr is not one line holding '%s': %r" % (arg, err[:300])
        elif kind in ("event", "noevent"):
            dataset, _, text = arg.partition(":")
            hit = any(r.get("event", {}).get("dataset") == dataset and text in raw
                      for raw, r in records)
            if hit != (kind == "event"):
                return "%s %s record holding %s" % ("no" if kind == "event" else "a", dataset, text)
        else:
            return "unknown check " + c
    return None


n_bad = 0
for line in open(os.path.join(folder, "cases.tsv")):
    name, _, rest = line.rstrip("\n").partition("\t")
    checks = [c for c in rest.split(" ; ") if c]
    why = judge(name, checks)
    if why:
        n_bad += 1
        print("FAIL malformed/%s: %s" % (name, why))
    else:
        print("ok   malformed/%s %s" % (name, " ".join(c for c in checks if c.startswith(("skip:", "error:")))))
sys.exit(1 if n_bad else 0)
PY
