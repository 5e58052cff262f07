#!/usr/bin/env python3
"""floods.py BUILD_DIR | --check MISROUTE: the floods of issue 9 against misroute's caps.

Each flood comes from bench/gen_floods.py straight down a pipe into `misroute -r -` (nothing
is written to disk, the 1 GiB stream included) with the caps it is meant to hit:

    syn           new TCP flows (SYN only)      --max-flows
    dns           DNS queries, each answered    --max-flows, the detector's passive DNS
    stream        one flow carrying N bytes     --stream-depth, --reasm-memcap
    autodiscover  one client's lookups          the detector's pending incidents

In every flood 10.9.9.9 looks up autodiscover.example.com halfway and at the end: both must
be in the incident record. The checks, for every flood: exit 0 and nothing on stderr, the
planted incident counted twice, the flood's packets all read; flows evicted exactly as many
as the table could not hold; the reassembly peak within --reasm-memcap; every incident of the
autodiscover flood counted; and, with --check, the memory figures of the metric record the
same as for a flood half the size (they do not grow with the flood).

    python3 bench/floods.py build              full scale (make floods): prints, per flood,
                                               packets, seconds, peak RSS (/usr/bin/time),
                                               the metric record's memory and evictions, the
                                               planted incident; exit 1 if a check failed
    python3 bench/floods.py --check MISROUTE   CI scale, small caps: one ok/FAIL line per
                                               flood, as tests/run.sh prints them
"""
import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(TOP, "bench", "gen_floods.py")
PLANT_IP, PLANT_NAME = "10.9.9.9", "autodiscover.example.com"
MIB = 1 << 20

# name, generator size, misroute options; full scale, then CI scale.
FULL = [
    ("syn", 1_000_000, ["--max-flows", "100000"]),
    ("dns", 1_000_000, ["--max-flows", "100000"]),
    ("stream", 1 << 30, ["--stream-depth", str(1 << 30), "--reasm-memcap", str(16 * MIB)]),
    ("autodiscover", 100_000, []),
]
CI = [
    ("syn", 100_000, ["--max-flows", "1000"]),
    ("dns", 50_000, ["--max-flows", "1000"]),
    ("stream", 20 * MIB, ["--stream-depth", str(MIB), "--reasm-memcap", "65536"]),
    ("autodiscover", 10_000, ["--max-flows", "1000"]),
]


class Run:
    """One flood through misroute: its status, stderr, resources, metric and alerts."""

    def __init__(self, binary, kind, n, opts):
        self.kind, self.n, self.opts = kind, n, opts
        with tempfile.TemporaryDirectory(prefix="misroute-flood.") as tmp:
            out, timing = os.path.join(tmp, "out.json"), os.path.join(tmp, "time")
            env = dict(os.environ, MISROUTE_GEOIP_DIR="/nonexistent")
            gen = subprocess.Popen([sys.executable, GEN, kind, str(n)], stdout=subprocess.PIPE)
            mr = subprocess.Popen(["/usr/bin/time", "-o", timing, "-f", "%M %e %U %S", binary,
                                   "-q", "-r", "-", "-o", out] + opts, stdin=gen.stdout,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            gen.stdout.close()
            self.stderr = mr.communicate()[1].decode("utf-8", "replace")
            self.status = mr.returncode
            self.gen_status = gen.wait()
            rss, self.wall, user, sys_ = open(timing).read().split()[-4:]
            self.rss_kib, self.cpu = int(rss), float(user) + float(sys_)
            self.wall = float(self.wall)
            self.alerts, self.metric = [], None
            for line in open(out, encoding="utf-8"):
                rec = json.loads(line)
                kind_ = rec["event"]["kind"]
                if kind_ == "alert":
                    self.alerts.append(rec)
                elif kind_ == "metric":
                    self.metric = rec["misroute"]["stats"]

    def incident_count(self, ip, name=None):
        """Incidents of autodiscover-reserved-domain from ip (for name), repeats included."""
        total = 0
        for a in self.alerts:
            m = a["misroute"]
            atomic = a["threat"]["enrichments"][0]["matched"]["atomic"]
            if (m["incident"] == "autodiscover-reserved-domain" and a["source"]["ip"] == ip
                    and (name is None or atomic == name)):
                total += m["count"]
        return total


def flood_packets(kind, n):
    """Packets gen_floods.py writes (the planted lookups are 4)."""
    if kind == "syn":
        return n + 4
    if kind in ("dns", "autodiscover"):
        return 2 * n + 4
    return None  # the stream's count depends on its segments and ACKs


def option(opts, name, default=None):
    return int(opts[opts.index(name) + 1]) if name in opts else default


def checks(r, half=None):
    """(description, passed) for one run; half: the same flood at half size, or None."""
    st = r.metric or {}
    mem, skipped, flows = st.get("memory", {}), st.get("skipped", {}), st.get("flows", {})
    out = [("exit 0, stderr empty", r.status == 0 and not r.stderr.strip()),
           ("a metric record", r.metric is not None)]
    if r.metric is None:
        return out
    out.append(("planted incident counted twice", r.incident_count(PLANT_IP, PLANT_NAME) == 2))
    want = flood_packets(r.kind, r.n)
    if want is not None:
        out.append(("%d packets read" % want, st["packets"] == want))
    max_flows = option(r.opts, "--max-flows")
    if max_flows:
        out.append(("flows evicted = created - --max-flows",
                    flows["evicted"] == max(0, flows["created"] - max_flows)))
    memcap = option(r.opts, "--reasm-memcap")
    if memcap:
        out.append(("reassembly peak within --reasm-memcap", 0 < mem["reassembly_peak"] <= memcap))
    if r.kind == "dns":
        out.append(("every message read", st["observations"]["dns"] == 2 * r.n + 4))
        out.append(("passive DNS evictions counted", skipped["detect_evicted"] > 0))
    if r.kind == "stream":
        depth = option(r.opts, "--stream-depth")
        if depth < r.n:
            out.append(("stream cut at --stream-depth, counted", skipped["tcp_depth"] > 0))
        if memcap < 300 * 1448:
            out.append(("memcap refusals counted", skipped["tcp_memcap"] > 0))
        else:
            out.append(("whole depth reassembled", st["tcp_bytes_reassembled"] >= min(depth, r.n)))
        out.append(("the download reported", st["observations"]["http"] == 1))
    if r.kind == "autodiscover":
        out.append(("all %d lookups counted in incidents" % r.n,
                    r.incident_count("10.4.0.7") == r.n))
    if half is not None:
        for k in ("flows", "reassembly_peak", "detect"):
            out.append(("memory.%s as for half the flood" % k, mem[k] == half.metric["memory"][k]))
    return out


def human(n):
    return "%.1f MiB" % (n / MIB) if n >= MIB else "%d B" % n


def report(r, results):
    st = r.metric or {}
    mem = st.get("memory", {})
    print("== %s %d %s" % (r.kind, r.n, " ".join(r.opts)))
    print("   packets %d, %.1f s wall (misroute %.1f s CPU), peak RSS %.1f MiB"
          % (st.get("packets", 0), r.wall, r.cpu, r.rss_kib / 1024))
    print("   memory: " + ", ".join("%s %s" % (k, human(v)) for k, v in mem.items()))
    fl = st.get("flows", {})
    sk = {k: v for k, v in st.get("skipped", {}).items() if v}
    print("   flows created %d, evicted %d; tcp_bytes_reassembled %d; skipped %s"
          % (fl.get("created", 0), fl.get("evicted", 0), st.get("tcp_bytes_reassembled", 0),
             json.dumps(sk, separators=(",", ":"))))
    print("   planted incident: %s (count %d); incident records %d"
          % ("reported" if r.incident_count(PLANT_IP, PLANT_NAME) else "MISSING",
             r.incident_count(PLANT_IP, PLANT_NAME), len(r.alerts)))
    bad = [d for d, ok in results if not ok]
    print("   checks: %s" % ("all %d passed" % len(results) if not bad else "FAILED: " + "; ".join(bad)))
    return not bad


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        binary, failed = sys.argv[2], 0
        for kind, n, opts in CI:
            half = None if kind == "stream" else Run(binary, kind, n // 2, opts)
            r = Run(binary, kind, n, opts)
            bad = [d for d, ok in checks(r, half) if not ok]
            if half is not None and (half.status or half.metric is None):
                bad.append("the half-size run failed: %s" % half.stderr.strip()[:200])
            if bad:
                failed += 1
                print("FAIL floods/%s %d: %s" % (kind, n, "; ".join(bad)))
            else:
                st = r.metric
                print("ok   floods/%s %d: %d packets, evicted %d, detect_evicted %d, "
                      "reassembly peak %d, planted incident reported"
                      % (kind, n, st["packets"], st["flows"]["evicted"],
                         st["skipped"]["detect_evicted"], st["memory"]["reassembly_peak"]))
        return 1 if failed else 0
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    binary = os.path.join(TOP, sys.argv[1], "misroute")
    ok = True
    for kind, n, opts in FULL:
        r = Run(binary, kind, n, opts)
        ok &= report(r, checks(r))
        sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
