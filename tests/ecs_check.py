#!/usr/bin/env python3
"""ecs_check.py FIELDS.tsv RECORDS...: every field of every record is listed in FIELDS.tsv (a
misspelt or unlisted name fails) and holds a value of its type. Exits 1 naming the first
problems. Records are JSON lines; each line must be one object."""
import datetime
import ipaddress
import json
import sys


def load(path):
    exact, wild = {}, {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        name, typ = line.rstrip("\n").split("\t")
        (wild if name.endswith(".*") else exact)[name.rstrip("*").rstrip(".")] = typ
    return exact, wild


def ok(typ, v):
    if typ in ("keyword", "wildcard", "match_only_text"):
        return isinstance(v, str)
    if typ == "long":
        return isinstance(v, int) and not isinstance(v, bool)
    if typ == "float":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if typ == "boolean":
        return isinstance(v, bool)
    if typ == "ip":
        try:
            ipaddress.ip_address(v)
            return True
        except (ValueError, TypeError):
            return False
    if typ == "date":
        try:
            datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
            return True
        except (ValueError, TypeError):
            return False
    return False


def leaves(o, path=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(o, list):
        for v in o:
            yield from leaves(v, path)
    else:
        yield path, o


def main(argv):
    exact, wild = load(argv[0])
    bad, n = [], 0
    for f in argv[1:]:
        for i, line in enumerate(open(f, encoding="utf-8"), 1):
            rec = json.loads(line)
            if not isinstance(rec, dict):
                bad.append(f"{f}:{i}: not an object")
                continue
            n += 1
            for path, v in leaves(rec):
                typ = exact.get(path) or wild.get(path.rsplit(".", 1)[0])
                if typ is None:
                    bad.append(f"{f}:{i}: {path} is not a listed field")
                elif not ok(typ, v):
                    bad.append(f"{f}:{i}: {path} = {v!r} is not a {typ}")
    for b in bad[:20]:
        print(b)
    print(f"{n} records checked, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
