#!/usr/bin/env python3
"""live_bench.py BUILD_DIR: the highest rate tcpreplay can push into a veth pair with no packet
lost by the capture, for misroute with 1 and with 2 workers and for `tcpdump -w /dev/null`,
measured the same way in the same run. Needs root (a network namespace and a veth pair).

The capture is bench/gen_bench.py's mixed one (1,000,000 packets, VLAN tags, IPv4/IPv6).
tcpreplay sends it from a namespace into one end of the pair, at a fixed --pps; the tool under
test captures on the other end with a 64 MiB ring; its own counters (misroute's final metric
record, tcpdump's closing lines) say how many packets it received and how many the kernel
dropped. A rate passes when every packet sent was received and none was dropped; the search
halves the interval between the highest rate that passed and the lowest that failed until
they are within 5%. misroute runs with the default rules and writes incidents only, and then
with --log-events too.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKETS = 1_000_000
NS, A, B = "mrbench", "mrba", "mrbb"
RING_MIB = 64


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def setup():
    teardown()
    sh("ip", "netns", "add", NS)
    sh("ip", "link", "add", A, "mtu", "9000", "type", "veth", "peer", "name", B, "mtu", "9000",
       "netns", NS)
    sh("sysctl", "-q", "-w", f"net.ipv6.conf.{A}.disable_ipv6=1")
    sh("ip", "netns", "exec", NS, "sysctl", "-q", "-w", f"net.ipv6.conf.{B}.disable_ipv6=1")
    sh("ip", "link", "set", A, "up")
    sh("ip", "-n", NS, "link", "set", B, "up")


def teardown():
    subprocess.run(["ip", "link", "del", A], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)


def replay(cap, pps):
    """Sends cap at pps (None: as fast as possible); returns (packets sent, achieved pps)."""
    rate = ["--topspeed"] if pps is None else [f"--pps={pps}"]
    out = subprocess.run(["ip", "netns", "exec", NS, "tcpreplay", "--preload-pcap", "-i", B,
                          *rate, cap],
                         capture_output=True, text=True, check=True).stdout
    sent = int(re.search(r"Actual: (\d+) packets", out).group(1))
    rated = float(re.search(r"Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps", out).group(1))
    return sent, rated


def wait_threads(pid, want):
    for _ in range(200):
        if len(os.listdir(f"/proc/{pid}/task")) >= want:
            return
        time.sleep(0.05)
    raise SystemExit("the capture did not start")


def trial_misroute(cap, pps, workers, tmp, extra=()):
    out = os.path.join(tmp, "m.json")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.Popen([os.path.join(TOP, BUILD, "misroute"), "-i", A, "--workers",
                          str(workers), "-B", str(RING_MIB), "--stats-interval", "0", "-o", out,
                          *extra],
                         stderr=subprocess.DEVNULL)
    wait_threads(p.pid, workers + 1)
    sent, rated = replay(cap, pps)
    time.sleep(1.0)  # let the workers empty their rings
    p.send_signal(signal.SIGTERM)
    p.wait()
    final = [json.loads(l) for l in open(out) if '"action":"final"' in l][0]
    c = final["misroute"]["stats"]["capture"]
    return sent, rated, c["received"], c["dropped"] + c["if_dropped"]


def trial_tcpdump(cap, pps, tmp):
    p = subprocess.Popen(["tcpdump", "-i", A, "-n", "-B", str(RING_MIB * 1024), "-w",
                          "/dev/null"], stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # tcpdump says "listening on" before it is: give it a second
    sent, rated = replay(cap, pps)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    err = p.communicate()[1]
    received = int(re.search(r"(\d+) packets received by filter", err).group(1))
    dropped = int(re.search(r"(\d+) packets dropped by kernel", err).group(1))
    return sent, rated, received, dropped


def search(name, trial, top_rate):
    """The highest --pps with no loss, and the trials made."""
    log = []

    def ok(pps):
        sent, rated, received, dropped = trial(pps)
        good = dropped == 0 and received >= sent
        log.append((pps, rated, sent, received, dropped, good))
        print(f"  {name:24s} --pps {pps or 'top':>8}: sent {sent} at {rated:.0f} pps, "
              f"received {received}, dropped {dropped} -> {'ok' if good else 'loss'}",
              file=sys.stderr)
        return good, rated

    good, rated = ok(None)
    if good:
        return rated, True, log
    lo, hi = 10_000, int(rated)
    if not ok(lo)[0]:
        return 0, False, log
    while hi - lo > lo * 0.05:
        mid = (lo + hi) // 2
        if ok(mid)[0]:
            lo = mid
        else:
            hi = mid
    return lo, False, log


def main():
    if os.geteuid() != 0:
        raise SystemExit("live_bench.py needs root (a network namespace and a veth pair)")
    cap = os.path.join(TOP, BUILD, "bench", f"mix-{PACKETS}.pcap")
    if not os.path.exists(cap):
        os.makedirs(os.path.dirname(cap), exist_ok=True)
        sh(sys.executable, os.path.join(TOP, "bench", "gen_bench.py"), cap, "--packets",
           str(PACKETS))
    setup()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            _, top_rate = replay(cap, None)
            rows = []
            for name, trial in (
                ("tcpdump -w /dev/null", lambda pps: trial_tcpdump(cap, pps, tmp)),
                ("misroute, 1 worker", lambda pps: trial_misroute(cap, pps, 1, tmp)),
                ("misroute, 2 workers", lambda pps: trial_misroute(cap, pps, 2, tmp)),
                ("misroute, 2, --log-events",
                 lambda pps: trial_misroute(cap, pps, 2, tmp, ("--log-events",))),
            ):
                rate, at_top, _ = search(name, trial, top_rate)
                rows.append((name, rate, at_top))
    finally:
        teardown()
    ncpu = os.cpu_count()
    print(f"live capture on a veth pair, {PACKETS} packets per trial, {RING_MIB} MiB ring, "
          f"{ncpu} CPUs shared with tcpreplay")
    print(f"tcpreplay --topspeed into the pair with nothing capturing: {top_rate:,.0f} pps")
    print(f"{'capture':24s} {'highest rate with no drops':>28s}")
    for name, rate, at_top in rows:
        note = " (tcpreplay's top speed: no loss even there)" if at_top else ""
        print(f"{name:24s} {rate:>24,.0f} pps{note}")


if __name__ == "__main__":
    main()
