#!/usr/bin/env python3
"""progress.py BIN TMPDIR: the operator's view of a long replay. With stderr on a terminal
misroute shows a progress line (bytes of total, packets/s, incidents) after its first 4096
packets and every half second after, and ends with the summary; with stderr on a pipe there is no progress line, and -q leaves stderr empty.
Prints one line and exits 1 when something is missing."""
import os
import pty
import re
import subprocess
import sys

bin_, tmp = sys.argv[1], sys.argv[2]
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cap = os.path.join(tmp, "progress.pcap")
subprocess.run([sys.executable, os.path.join(top, "bench/gen_bench.py"), cap,
                "--packets", "150000"], check=True)
args = [bin_, "-r", cap, "-o", "/dev/null"]


def on_terminal():
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(), out.decode("utf-8", "replace")


problems = []
rc, err = on_terminal()
size_mb = os.path.getsize(cap) / 1e6
line = re.compile(r"\rmisroute: ([0-9.]+) MB of ([0-9.]+) MB \(([0-9]+)%\), ([0-9]+) packets/s, "
                  r"([0-9]+) incidents\x1b\[K")
shown = line.findall(err)
if rc != 0:
    problems.append(f"exit {rc}")
if not shown:
    problems.append("no progress line on a terminal: %r" % err[:300])
elif abs(float(shown[0][1]) - size_mb) > 0.1:
    problems.append(f"total {shown[0][1]} MB, the file has {size_mb:.1f} MB")
summary = err.split("\r\x1b[K")[-1]
if not re.search(r"misroute: [1-9][0-9]* incidents\r?\n  by rule:\r?\n", summary) or \
        "top clients:" not in summary or "top destinations:" not in summary:
    problems.append("no summary after the progress line: %r" % summary[:300])

p = subprocess.run(args, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
if b"\r" in p.stderr or not p.stderr.startswith(b"misroute: "):
    problems.append("a pipe got a progress line, or no summary: %r" % p.stderr[:200])
p = subprocess.run(args + ["-q"], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
if p.stderr:
    problems.append("-q still wrote %r" % p.stderr[:200])

if problems:
    print("; ".join(problems))
    sys.exit(1)
print(f"{len(shown)} progress lines, then the summary")
