#!/usr/bin/env python3
"""slowcat.py CAPTURE SECONDS: copies a classic pcap file to stdout record by record, spread
over SECONDS, so a test can signal misroute while it is in the middle of a replay."""
import struct
import sys
import time

data = open(sys.argv[1], "rb").read()
seconds = float(sys.argv[2])
out = sys.stdout.buffer
out.write(data[:24])
records, off = [], 24
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    records.append(data[off:off + 16 + incl])
    off += 16 + incl
for r in records:
    out.write(r)
    out.flush()
    time.sleep(seconds / max(len(records), 1))
