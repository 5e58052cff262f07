#!/usr/bin/env python3
"""truth_recall.py --misroute BIN --kinds K,... --min-recall R DIR...: per-capture recall of
misroute's --log-events records against the tshark truth files beside the captures in DIR.

It uses ../shared/tools/compare_truth.py for the matching and adds one rule for rows that
carry no value to compare: where tshark prints an error text in place of a name ("<Name too
long>"), the row is recalled by a record with the same endpoints, name and type. Such rows are
counted apart, so the figures say how many matched that way. Rows where tshark prints no data
(RRSIG, DNSKEY) get no such help: misroute writes no data for the types it does not decode
either, so they match as they are. Exits 1 when a capture's recall of a kind is below R.
"""
import collections
import os
import subprocess
import sys
import tempfile


def load_compare(shared_tools):
    sys.path.insert(0, shared_tools)
    import compare_truth  # noqa: E402  (the shared tool, not ours to copy)
    return compare_truth


def loose(value):
    """(name, type) when a dns_answer truth value has an error text for data, else None."""
    parts = value.split(" ", 2)
    if len(parts) == 3 and parts[2].startswith("<"):
        return parts[0], parts[1]
    return None


def recall(ct, truth_path, records_path, kinds):
    res, bad = ct.compare(truth_path, records_path, kinds)
    seen = collections.Counter()
    with open(records_path, encoding="utf-8", errors="replace") as f:
        import json
        for line in f:
            if line.strip():
                for k, e, v in ct.record_obs(json.loads(line)):
                    if k == "dns_answer":
                        seen[(e, tuple(v.split(" ", 2)[:2]))] += 1
    out = {}
    for k, (hit, total, missed) in res.items():
        extra = 0
        if k == "dns_answer" and missed:
            # Rows compare() missed that have an error text for data: count them by name and
            # type.
            truth = collections.Counter()
            with open(truth_path, encoding="utf-8", errors="replace") as f:
                next(f, None)
                for line in f:
                    p = line.rstrip("\n").split("\t")
                    if len(p) >= 7 and p[0] == k:
                        truth[(ct.ep(p[2], p[3], p[4], p[5]), ct.norm(p[6], k))] += 1
            for key in missed:
                nt = loose(key[1])
                if nt:
                    extra += min(truth[key], seen[(key[0], nt)])
        out[k] = (hit + extra, total, extra)
    return out, bad


def main(argv):
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = os.environ.get("MISROUTE_SHARED", os.path.join(top, "..", "shared"))
    binary, kinds, min_recall, dirs = None, [], 0.0, []
    it = iter(argv)
    for a in it:
        if a == "--misroute":
            binary = next(it)
        elif a == "--kinds":
            kinds = next(it).split(",")
        elif a == "--min-recall":
            min_recall = float(next(it))
        else:
            dirs.append(a)
    ct = load_compare(os.path.join(shared, "tools"))
    worst_ok = True
    totals = collections.defaultdict(lambda: [0, 0, 0])
    tmp = tempfile.mkdtemp(prefix="truth-recall-")
    for cap in ct.captures(dirs):
        out = os.path.join(tmp, os.path.basename(cap) + ".jsonl")
        subprocess.run([binary, "-r", cap, "--log-events", "-o", out], capture_output=True,
                       timeout=600)
        if not os.path.exists(out):
            open(out, "w").close()
        res, bad = recall(ct, cap + ".truth.tsv", out, kinds)
        cells = []
        for k, (hit, total, extra) in res.items():
            if not total:
                continue
            t = totals[k]
            t[0] += hit
            t[1] += total
            t[2] += extra
            ok = hit / total >= min_recall
            worst_ok &= ok
            cells.append(f"{k} {hit}/{total}" + (f" ({extra} by name+type)" if extra else "")
                         + ("" if ok else " BELOW"))
        if cells:
            print(f"{os.path.relpath(cap, os.path.join(shared, 'pcaps'))}: {', '.join(cells)}"
                  + (f" [{bad} invalid JSON lines]" if bad else ""))
        worst_ok &= bad == 0
    for k in kinds:
        h, t, x = totals[k]
        if t:
            print(f"total {k}: {h}/{t} = {h / t:.4f}" + (f" ({x} by name+type)" if x else ""))
    return 0 if worst_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
