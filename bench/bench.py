#!/usr/bin/env python3
"""bench.py BUILD_DIR: misroute's replay rate against the floor (a bare libpcap loop).

Generates (once) a deterministic mixed capture with bench/gen_bench.py under BUILD_DIR/bench,
then runs each command several times on one core and prints the median packets/s, Gbit/s
and the ratio to the floor. Not a test: nothing here passes or fails on speed.
"""
import os
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PACKETS = int(os.environ.get("BENCH_PACKETS", "1000000"))


def capture_facts(path):
    """(packets, bytes on the wire) as the floor counts them."""
    out = subprocess.run([FLOOR, path], capture_output=True, text=True, check=True).stdout.split()
    return int(out[1]), int(out[3])


def timed(cmd):
    """Median wall time of cmd over RUNS runs, pinned to one core."""
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(build):
    global FLOOR
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    FLOOR = os.path.join(top, build, "bench", "floor")
    misroute = os.path.join(top, build, "misroute")
    cap = os.path.join(top, build, "bench", f"mix-{PACKETS}.pcap")
    if not os.path.exists(cap):
        print(f"generating {cap} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(top, "bench", "gen_bench.py"), cap,
                        "--packets", str(PACKETS)], check=True)
    packets, wire = capture_facts(cap)
    size = os.path.getsize(cap)
    print(f"capture: {cap}: {packets} packets, {wire} bytes on the wire, {size} bytes on disk")
    print(f"runs: {RUNS} each, median wall time, one core (taskset -c 0)")
    rows = [
        ("(a) floor: libpcap loop + headers + flow hash", [FLOOR, cap]),
        ("(b) misroute --log-events -o /dev/null", [misroute, "-r", cap, "--log-events", "-o", "/dev/null"]),
        ("(c) misroute, incidents only", [misroute, "-r", cap, "-o", "/dev/null"]),
    ]
    floor_pps = None
    print(f"{'command':50} {'seconds':>8} {'packets/s':>12} {'Gbit/s':>7} {'vs floor':>8}")
    for name, cmd in rows:
        secs = timed(cmd)
        pps = packets / secs
        floor_pps = floor_pps or pps
        print(f"{name:50} {secs:8.3f} {pps:12.0f} {wire * 8 / secs / 1e9:7.2f} {pps / floor_pps:8.2f}")


def rules(build):
    """Name lookups per second with a small and a very large rule set."""
    tool = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), build,
                        "bench", "rules_bench")
    for n in (10, 1000000):
        print(subprocess.run([tool, str(n)], capture_output=True, text=True, check=True).stdout, end="")
    mmdb = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "mmdb")
    if os.path.isdir(mmdb):
        geo = os.path.join(os.path.dirname(tool), "geo_bench")
        print(subprocess.run([geo, os.path.join(mmdb, "GeoIP2-City-Test.mmdb"),
                              os.path.join(mmdb, "GeoLite2-ASN-Test.mmdb")],
                             capture_output=True, text=True, check=True).stdout, end="")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build")
    rules(sys.argv[1] if len(sys.argv) > 1 else "build")
