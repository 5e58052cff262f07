#!/usr/bin/env python3
"""bench.py BUILD_DIR: misroute's replay rate against the floor (a bare libpcap loop), nDPI's
ndpiReader and tshark, and misroute's peak memory per tracked flow on a flood of flows.

Generates (once) a deterministic mixed capture with bench/gen_bench.py under BUILD_DIR/bench,
then runs each command on it several times pinned to one core (taskset -c 0), in rounds of
one run of each (a slow spell of a shared machine then falls on all of them), and prints the
median wall time, the median CPU time (user + system of the child, less disturbed by the other
jobs of a shared machine), the fastest wall time, packets/s and Gbit/s from the median wall
time, and the ratios the performance targets are stated in (judged on the medians; the
ratios of the fastest runs are printed beside them, since on a shared machine a run is
often slowed by a third). Then replays a flood of distinct SYN-only flows (and an
empty capture, for the fixed cost) and prints the peak resident set size per tracked flow.
Not a test: nothing here passes or fails on speed; a target missed is only printed.

    (a) floor: bench/floor, libpcap + Ethernet/IP/TCP/UDP headers + a flow hash
    (a2) bench/floor --source: the same loop, its packets read as misroute reads them
        (capture/source.c reads a classic pcap file's records itself); for information:
        (b)/(a2) is what misroute's own per-packet work costs beside the same reading
    (b) misroute -r CAPTURE --log-events -o /dev/null
    (c) misroute -r CAPTURE -o /dev/null            (incidents only)
    (d) ndpiReader -q -i CAPTURE > /dev/null        (Debian libndpi-bin; -i reads a pcap file)
    (e) tshark -r CAPTURE -T fields -e NAME...      the names misroute extracts, written to a
        file in BUILD_DIR/bench rather than /dev/null so its lines can be counted (one per
        packet: the check that tshark read the whole capture); the file is then removed

ndpiReader prints nothing with -q, so one more run without -q (not timed) checks from its
"IP packets: N of M packets total" line that it read every packet.

Memory: misroute -r FLOOD -o FILE, incidents only, with the default --max-flows and with
--max-flows equal to the flows in the flood. Each run's peak RSS is GNU time's (-f %M; this
process's wait4 would add Python's own high-water mark, which a child keeps through exec).
Tracked flows at peak = min(--max-flows, flows in the capture): every packet of the flood is
a new flow that never ends, so the table fills up and stays full; the final metric record's
created - evicted - expired is printed beside it as a cross-check (its "active" is counted
after the end-of-replay flush, so it is 0). The baseline is the same command on an empty
capture.

Environment:
    BENCH_RUNS=9            timed runs of (a) to (d); the median is printed
    BENCH_TSHARK_RUNS=1     timed runs of (e), which takes about a minute per run
    BENCH_PACKETS=1000000   packets in the mixed capture (cached as mix-PACKETS.pcap)
    BENCH_FLOOD=1000000     flows in the flood capture (cached as flood.pcap)
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
TSHARK_RUNS = int(os.environ.get("BENCH_TSHARK_RUNS", "1"))
PACKETS = int(os.environ.get("BENCH_PACKETS", "1000000"))
FLOOD = int(os.environ.get("BENCH_FLOOD", "1000000"))
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What misroute extracts, as tshark names it (each checked with `tshark -G fields`).
TSHARK_FIELDS = ("dns.qry.name", "http.host", "http.request.uri",
                 "tls.handshake.extensions_server_name", "imap.request", "smtp.req.parameter",
                 "pop.request.parameter")

TARGET_FLOOR = 0.5          # (b)/(a)
TARGET_NDPI = 5.0           # (b)/(d)
TARGET_TSHARK = 50.0        # (b)/(e)
TARGET_BYTES_PER_FLOW = 512


def capture_facts(floor, path):
    """(packets, bytes on the wire) as the floor counts them."""
    out = subprocess.run([floor, path], capture_output=True, text=True, check=True).stdout.split()
    return int(out[1]), int(out[3])


def run_once(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd once; (wall seconds, CPU seconds, peak RSS in KiB) of that one child. Raises
    with the tail of its standard error if it fails.

    The peak RSS comes from GNU time (-f %M), not from this process's wait4: a child forked
    from Python keeps Python's own high-water mark through exec (15 MiB and more)."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        t0 = time.perf_counter()
        child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd,
                                 stdout=stdout, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            tail = err.read()[-2000:].decode(errors="replace")
            raise RuntimeError(f"{' '.join(cmd)}: exit {child.returncode}\n{tail}")
        kib = int(rss.read().split()[-1])
    return wall, usage.ru_utime + usage.ru_stime, kib


def timed_once(cmd, stdout_path=None):
    """(wall seconds, CPU seconds, peak RSS in KiB) of one run of cmd pinned to one core. With
    stdout_path, standard output goes to that file (rewritten each run)."""
    if stdout_path:
        with open(stdout_path, "wb") as out:
            return run_once(["taskset", "-c", "0"] + cmd, out)
    return run_once(["taskset", "-c", "0"] + cmd)


def timed_rounds(rows):
    """Runs the commands of rows ((key, cmd, runs, stdout_path) each) in rounds, one run of
    each per round, so that a spell in which the shared machine is slow falls on all of them
    rather than on whichever ran then. Returns {key: (median wall, median CPU, fastest wall,
    largest peak RSS in KiB)}."""
    runs = {key: ([], [], 0) for key, _, _, _ in rows}
    for r in range(max((n for _, _, n, _ in rows), default=0)):
        for key, cmd, n, out_path in rows:
            if r < n:
                wall, cpu, kib = timed_once(cmd, out_path)
                walls, cpus, rss = runs[key]
                walls.append(wall)
                cpus.append(cpu)
                runs[key] = (walls, cpus, max(rss, kib))
    return {key: (statistics.median(w), statistics.median(c), min(w), rss)
            for key, (w, c, rss) in runs.items()}


def ensure_capture(floor, path, gen_args, want_packets):
    """Generates path with bench/gen_bench.py unless it already holds want_packets packets."""
    if os.path.exists(path) and capture_facts(floor, path)[0] == want_packets:
        return
    print(f"generating {path} ...", flush=True)
    subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen_bench.py"), path] + gen_args,
                   check=True)


def ndpi_check(cap, packets):
    """One untimed ndpiReader run without -q: the line saying how many packets it read."""
    out = subprocess.run(["ndpiReader", "-i", cap], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"IP packets:\s+(\d+)\s+of (\d+) packets total", out)
    peak = re.search(r"Peak Memory:\s+(.+?)\s*$", out, re.M)
    if not m:
        return "ndpiReader check: no 'IP packets' line in its report (format changed?)"
    seen = int(m.group(2))
    verdict = "the whole capture" if seen == packets else f"NOT the whole capture ({packets})"
    return (f"ndpiReader check (one run without -q): 'IP packets: {m.group(1)} of {seen} "
            f"packets total' = {verdict}; its own Peak Memory line: "
            f"{peak.group(1) if peak else '?'}")


def speed(build, floor, misroute):
    """The replay-rate table (a) to (e) and the ratios; returns nothing."""
    bench_dir = os.path.join(TOP, build, "bench")
    cap = os.path.join(bench_dir, f"mix-{PACKETS}.pcap")
    if not os.path.exists(cap):
        ensure_capture(floor, cap, ["--packets", str(PACKETS)], PACKETS)
    packets, wire = capture_facts(floor, cap)
    size = os.path.getsize(cap)
    print(f"capture: {cap}: {packets} packets, {wire} bytes on the wire, {size} bytes on disk")
    print(f"one core (taskset -c 0); seconds = median wall time, cpu s = median user+system "
          f"time, best s = fastest wall time (the least disturbed by other work on the "
          f"machine); packets/s and Gbit/s from the median")
    tshark_out = os.path.join(bench_dir, "tshark-fields.tsv")
    tshark_cmd = ["tshark", "-r", cap, "-T", "fields"]
    for f in TSHARK_FIELDS:
        tshark_cmd += ["-e", f]
    rows = [
        ("a", "(a) floor: libpcap loop + headers + flow hash", [floor, cap], RUNS, None),
        ("a2", "(a2) the floor, read as misroute reads", [floor, "--source", cap], RUNS, None),
        ("b", "(b) misroute --log-events -o /dev/null",
         [misroute, "-r", cap, "--log-events", "-o", "/dev/null"], RUNS, None),
        ("c", "(c) misroute, incidents only", [misroute, "-r", cap, "-o", "/dev/null"], RUNS,
         None),
        ("d", "(d) ndpiReader -q -i CAPTURE", ["ndpiReader", "-q", "-i", cap], RUNS, None),
        ("e", f"(e) tshark -T fields, {len(TSHARK_FIELDS)} name fields", tshark_cmd,
         TSHARK_RUNS, tshark_out),
    ]
    print(f"{'command':48} {'runs':>4} {'seconds':>8} {'cpu s':>7} {'best s':>7} {'packets/s':>10} "
          f"{'Gbit/s':>7} {'vs floor':>8} {'peak MiB':>8}")
    skipped = {}
    for key, name, cmd, runs, _ in rows:
        if not shutil.which(cmd[0]):
            skipped[key] = f"skipped: {cmd[0]} is not installed (sh tools/deps.sh)"
        elif runs < 1:
            skipped[key] = "skipped: 0 runs asked for"
    timings = timed_rounds([(key, cmd, runs, out_path) for key, _, cmd, runs, out_path in rows
                            if key not in skipped])
    results, notes = {}, []
    for key, name, cmd, runs, out_path in rows:
        if key in skipped:
            print(f"{name:48} {skipped[key]}")
            continue
        secs, cpu, best, rss = timings[key]
        results[key] = (secs, cpu, best)
        pps = packets / secs
        vs = results["a"][0] / secs if "a" in results else float("nan")
        print(f"{name:48} {runs:4} {secs:8.3f} {cpu:7.3f} {best:7.3f} {pps:10.0f} "
              f"{wire * 8 / secs / 1e9:7.2f} {vs:8.3f} {rss / 1024:8.0f}", flush=True)
        if key == "e":
            with open(out_path, "rb") as f:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
            os.unlink(out_path)
            verdict = "the whole capture" if lines == packets else "NOT the whole capture"
            notes.append(f"tshark check: {lines} output lines for {packets} packets (one line "
                         f"per packet) = {verdict}")
        if key == "d":
            notes.append(ndpi_check(cap, packets))
    for n in notes:
        print(n)
    if "b" not in results:
        return
    b_wall, b_cpu, b_best = results["b"]
    for key, label, target, unit in (("a", "(b)/(a)", TARGET_FLOOR, ""),
                                     ("d", "(b)/(d)", TARGET_NDPI, "x"),
                                     ("e", "(b)/(e)", TARGET_TSHARK, "x")):
        if key not in results:
            print(f"{label} = n/a ({key} not measured)")
            continue
        wall, cpu, best = results[key]
        ratio, cpu_ratio, best_ratio = wall / b_wall, cpu / b_cpu, best / b_best
        met = "met" if ratio >= target else "NOT met"
        print(f"{label} = {ratio:.2f}{unit} (target >= {target:g}{unit}: {met}; "
              f"by CPU time {cpu_ratio:.2f}{unit}; fastest runs {best_ratio:.2f}{unit})")
    if "a2" in results:
        wall, cpu, best = results["a2"]
        print(f"(b)/(a2) = {wall / b_wall:.2f} (no target: against a floor that reads as "
              f"misroute does; by CPU time {cpu / b_cpu:.2f}; fastest runs {best / b_best:.2f})")


def final_stats(path):
    """misroute.stats of the final metric record in the JSON lines file path."""
    stats = None
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            ev = rec.get("event", {})
            if ev.get("kind") == "metric" and ev.get("action") == "final":
                stats = rec["misroute"]["stats"]
    if stats is None:
        raise RuntimeError(f"{path}: no final metric record")
    return stats


def misroute_memory(misroute, cap, extra, out_path):
    """(peak RSS in bytes, final misroute.stats) of one incidents-only run on cap."""
    if os.path.exists(out_path):
        os.unlink(out_path)         # -o appends
    _, _, kib = run_once([misroute, "-q", "-r", cap, "-o", out_path] + extra)
    stats = final_stats(out_path)
    os.unlink(out_path)
    return kib * 1024, stats


def memory(build, floor, misroute):
    """Peak RSS per tracked flow on the flood, against the baseline of an empty capture."""
    print()
    bench_dir = os.path.join(TOP, build, "bench")
    flood = os.path.join(bench_dir, "flood.pcap")
    empty = os.path.join(bench_dir, "empty.pcap")
    ensure_capture(floor, flood, ["--flood", str(FLOOD)], FLOOD)
    ensure_capture(floor, empty, ["--flood", "0"], 0)
    flows = capture_facts(floor, flood)[0]      # one SYN per flow
    usage = subprocess.run([misroute, "--help"], capture_output=True, text=True).stdout
    m = re.search(r"--max-flows N.*?\(default (\d+)\)", usage, re.S)
    if not m:
        print("memory: cannot read the default --max-flows from misroute --help")
        return
    default_max = int(m.group(1))
    out_path = os.path.join(bench_dir, "memory-records.json")
    print(f"memory: misroute -q -r CAPTURE -o FILE (incidents only, default options), peak RSS "
          f"of one run (/usr/bin/time -f %M); flood: {flood}, {flows} distinct SYN-only flows")
    print("tracked = min(--max-flows, flows in the capture), cross-checked against the final "
          "metric record's created - evicted - expired")
    print(f"{'run':34} {'base MiB':>8} {'peak MiB':>8} {'tracked':>8} {'check':>8} "
          f"{'table MiB':>9} {'table B/flow':>12} {'RSS B/flow':>10} {'marginal':>8}  target")
    for label, extra, max_flows in (
            (f"flood, default --max-flows {default_max}", [], default_max),
            (f"flood, --max-flows {flows}", ["--max-flows", str(flows)], flows)):
        base, base_stats = misroute_memory(misroute, empty, extra, out_path)
        peak, st = misroute_memory(misroute, flood, extra, out_path)
        tracked = min(max_flows, flows)
        f = st["flows"]
        check = f["created"] - f["evicted"] - f["expired"]
        table = st["memory"]["flows"]
        per_flow = peak / tracked
        marginal = (peak - base) / tracked
        table_per_flow = (table - base_stats["memory"]["flows"]) / tracked
        met = "met" if per_flow <= TARGET_BYTES_PER_FLOW else "NOT met"
        print(f"{label:34} {base / 2**20:8.1f} {peak / 2**20:8.1f} {tracked:8} {check:8} "
              f"{table / 2**20:9.1f} {table_per_flow:12.0f} {per_flow:10.0f} {marginal:8.0f}  "
              f"<= {TARGET_BYTES_PER_FLOW} B/flow: {met}")
    print("base = peak RSS on an empty capture with the same options (nDPI's tables, rules, "
          "the flow hash buckets...); RSS B/flow = peak / tracked; marginal = (peak - base) / "
          "tracked; table = misroute.stats.memory.flows, its B/flow net of the empty table")


def rules(build):
    """Name lookups per second with a small and a very large rule set."""
    tool = os.path.join(TOP, build, "bench", "rules_bench")
    print()
    for n in (10, 1000000):
        print(subprocess.run([tool, str(n)], capture_output=True, text=True,
                             check=True).stdout, end="")
    mmdb = os.path.join(TOP, "..", "shared", "mmdb")
    if os.path.isdir(mmdb):
        geo = os.path.join(os.path.dirname(tool), "geo_bench")
        print(subprocess.run([geo, os.path.join(mmdb, "GeoIP2-City-Test.mmdb"),
                              os.path.join(mmdb, "GeoLite2-ASN-Test.mmdb")],
                             capture_output=True, text=True, check=True).stdout, end="")


def main(build):
    floor = os.path.join(TOP, build, "bench", "floor")
    misroute = os.path.join(TOP, build, "misroute")
    began = time.perf_counter()
    speed(build, floor, misroute)
    memory(build, floor, misroute)
    rules(build)
    print(f"\nbench: {time.perf_counter() - began:.0f} s in all")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build")
