#!/usr/bin/env python3
"""secrets.py BIN CAPTURE...: no password misroute saw may appear in anything it wrote.

For each capture, the client's TCP payloads are read with scapy and every secret a mail or
HTTP client sent is collected, in every form it travelled in: POP3 PASS, IMAP LOGIN's second
argument, SMTP/IMAP/POP3 AUTH PLAIN (the whole base64 string and the decoded password), AUTH
LOGIN's password line (base64 and decoded), HTTP Basic credentials (base64 and the password).

Each capture that holds one is then replayed once with --log-events into every kind of sink
at the same time: a file, standard output, a syslog TCP and a syslog UDP receiver run here,
and — when redis-server is installed — a Redis list and a Redis stream on one redis-server
started for the whole run (flushed between captures, killed at the end). Every byte each sink
received, and misroute's standard error, is searched for each secret.

Exits 1 and names the capture when a secret is found; when a sink got no records, or not the
same records as the file (so the test cannot pass by receiving nothing); when misroute fails;
or when a capture that holds a password yields none (the extraction itself would be broken).
The last line is "captures with secrets: N, sinks: M" (M counts standard error too).
"""
import base64
import binascii
import ctypes
import json
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from scapy.all import IP, IPv6, TCP, rdpcap  # Debian's python3-scapy

LOCALHOST = "127.0.0.1"
LIST_KEY = "misroute:secrets:list"
STREAM_KEY = "misroute:secrets:stream"


def client_lines(path):
    """Yield (stream key, text line) for TCP payload lines, in capture order."""
    for pkt in rdpcap(path):
        if TCP not in pkt or not bytes(pkt[TCP].payload):
            continue
        ip = pkt[IP] if IP in pkt else pkt[IPv6] if IPv6 in pkt else None
        if ip is None:
            continue
        key = (ip.src, pkt[TCP].sport, ip.dst, pkt[TCP].dport)
        for line in bytes(pkt[TCP].payload).split(b"\n"):
            yield key, line.rstrip(b"\r")


def b64(s):
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None


def secrets_of(path):
    """The secrets of path, less those that are part of a user name sent with them (POP3
    users whose password is their name): those can't be told from the name we do report."""
    found, users = set(), set()
    asked_password = set()   # streams whose server just asked "Password:" (AUTH LOGIN)
    for key, line in client_lines(path):
        words = line.split()
        rev = (key[2], key[3], key[0], key[1])
        if line.startswith(b"334 ") and b64(words[1] if len(words) > 1 else b"") == b"Password:":
            asked_password.add(rev)
            continue
        if key in asked_password and words:
            asked_password.discard(key)
            dec = b64(words[0])
            if dec:
                found.update({words[0], dec})
            continue
        up = line.upper()
        if up.startswith(b"USER ") and len(words) > 1:
            users.add(words[1])
        if up.startswith(b"PASS ") and len(words) > 1:
            found.add(line[5:].strip())
        elif len(words) >= 4 and words[1].upper() == b"LOGIN":
            users.add(words[2].strip(b'"'))
            found.add(words[3].strip(b'"'))
        elif b"PLAIN" in up and words:
            dec = b64(words[-1])
            if dec and dec.count(b"\0") == 2:
                users.add(dec.split(b"\0")[1])
                found.update({words[-1], dec.split(b"\0")[2]})
        m = re.match(rb"(?i)authorization:\s*basic\s+(\S+)", line)
        if m:
            dec = b64(m.group(1))
            if dec and b":" in dec:
                found.update({m.group(1), dec.split(b":", 1)[1]})
    return {s for s in found if len(s) >= 4 and not any(s in u for u in users)}


def json_form(secret):
    """secret as a JSON string body would carry it (quotes, backslashes, controls and
    non-ASCII escaped), or None when that is the secret itself."""
    text = json.dumps(secret.decode("utf-8", "replace"))[1:-1].encode()
    return text if text != secret else None


# --- receivers: each runs in a thread until stop(), which returns what it got ----------------

class Receiver:
    """A socket on 127.0.0.1 with an ephemeral port, read by a thread. stop() is called once
    misroute has exited: everything it sent is then in the kernel's buffers, so the thread
    drains them without waiting and stops."""

    def __init__(self, kind):
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind((LOCALHOST, 0))
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        try:
            self.loop()
        except Exception as e:  # reported by stop(), never swallowed
            self.error = e

    def stop(self):
        self.stopping.set()
        self.thread.join(30)
        self.sock.close()
        if self.thread.is_alive():
            raise RuntimeError(f"receiver on port {self.port} did not stop")
        if self.error:
            raise self.error


class SyslogTCP(Receiver):
    """RFC 6587 octet counting: frames "LEN SP MSG"; every connection's bytes are kept."""

    def __init__(self):
        super().__init__(socket.SOCK_STREAM)
        self.sock.listen(16)
        self.conns = []   # [socket, bytearray] in accept order

    def loop(self):
        open_ = {}
        while True:
            stopping = self.stopping.is_set()
            ready, _, _ = select.select([self.sock, *open_], [], [], 0 if stopping else 0.05)
            if stopping and not ready and not open_:
                return   # backlog empty and every connection read to its end
            for s in ready:
                if s is self.sock:
                    c, _ = self.sock.accept()
                    buf = bytearray()
                    self.conns.append(buf)
                    open_[c] = buf
                    continue
                data = s.recv(65536)
                if data:
                    open_[s] += data
                else:
                    del open_[s]
                    s.close()

    def raw(self):
        return b"".join(self.conns)

    def frames(self):
        """The frames of every connection, or raises ValueError on a malformed stream."""
        out = []
        for buf in self.conns:
            i = 0
            while i < len(buf):
                sp = buf.find(b" ", i, i + 12)
                if sp < 0 or not buf[i:sp].isdigit():
                    raise ValueError(f"syslog TCP: no frame length at byte {i}")
                n = int(buf[i:sp])
                if sp + 1 + n > len(buf):
                    raise ValueError(f"syslog TCP: frame at byte {i} cut short")
                out.append(bytes(buf[sp + 1:sp + 1 + n]))
                i = sp + 1 + n
        return out


class SyslogUDP(Receiver):
    """RFC 5426: one message per datagram."""

    def __init__(self):
        super().__init__(socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.datagrams = []

    def loop(self):
        while True:
            stopping = self.stopping.is_set()
            ready, _, _ = select.select([self.sock], [], [], 0 if stopping else 0.05)
            if not ready:
                if stopping:
                    return
                continue
            self.datagrams.append(self.sock.recv(65536))

    def raw(self):
        return b"\n".join(self.datagrams)

    def frames(self):
        return list(self.datagrams)


def syslog_record(msg):
    """The record inside an RFC 5424 message: what follows PRI+VERSION, TIMESTAMP, HOSTNAME,
    APP-NAME, PROCID, MSGID and SD (misroute sends '-' for SD)."""
    parts = msg.split(b" ", 7)
    if len(parts) != 8 or not re.match(rb"<\d{1,3}>1$", parts[0]) or parts[6] != b"-":
        raise ValueError(f"syslog: not an RFC 5424 message: {msg[:80]!r}")
    return parts[7]


# --- Redis: one server for the whole run, spoken to in RESP ----------------------------------

def die_with_parent():
    """preexec_fn: the child gets SIGKILL when this script dies, however it dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Redis:
    """A redis-server on a free port of 127.0.0.1, with no persistence; close() kills it."""

    def __init__(self, exe):
        self.dir = tempfile.mkdtemp(prefix="misroute-secrets-redis.")
        self.proc, self.conn = None, None
        try:
            for _ in range(5):   # the free port may be taken before redis-server binds it
                self.port = free_port()
                self.proc = subprocess.Popen(
                    [exe, "--port", str(self.port), "--bind", LOCALHOST, "--save", "",
                     "--appendonly", "no", "--dir", self.dir, "--logfile", ""],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
                if self._connect():
                    return
                self._kill()
            raise RuntimeError("redis-server did not start")
        except BaseException:
            self.close()
            raise

    def _connect(self):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                self.conn = socket.create_connection((LOCALHOST, self.port), timeout=10)
                self.reader = self.conn.makefile("rb")
                if self.command("PING") == b"PONG":
                    return True
            except OSError:
                pass
            if self.conn:
                self.conn.close()
                self.conn = None
            time.sleep(0.05)
        return False

    def command(self, *args):
        req = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            req.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.conn.sendall(b"".join(req))
        return self._reply()

    def _reply(self):
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("redis: connection closed")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body
        if kind == b"-":
            raise RuntimeError(f"redis: {body.decode(errors='replace')}")
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            data = self.reader.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("redis: connection closed")
            return data[:-2]
        if kind == b"*":
            n = int(body)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError(f"redis: unexpected reply {line[:40]!r}")

    def _kill(self):
        if self.conn:
            self.conn.close()
            self.conn = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self):
        self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        return s.getsockname()[1]


def flatten(reply):
    """Every bulk string in a (nested) RESP reply, in order."""
    if isinstance(reply, list):
        return [b for r in reply for b in flatten(r)]
    return [] if reply is None else [reply if isinstance(reply, bytes) else str(reply).encode()]


# --- one capture -----------------------------------------------------------------------------

def replay(binary, cap, redis):
    """Runs misroute on cap with every sink at once. Returns (misroute's exit status,
    {sink: raw bytes received}, {sink: list of records}, problems)."""
    problems = []
    tcp, udp = SyslogTCP().start(), SyslogUDP().start()
    try:
        with tempfile.NamedTemporaryFile(prefix="misroute-secrets.") as out:
            args = [binary, "-r", cap, "--log-events", "-o", out.name, "-o", "-",
                    "-o", f"syslog://{LOCALHOST}:{tcp.port}",
                    "-o", f"syslog+udp://{LOCALHOST}:{udp.port}"]
            if redis:
                redis.command("FLUSHALL")
                args += ["-o", f"redis://{LOCALHOST}:{redis.port}/{LIST_KEY}",
                         "-o", f"redis+stream://{LOCALHOST}:{redis.port}/{STREAM_KEY}"]
            r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=300)
            written = open(out.name, "rb").read()
    finally:
        tcp.stop()
        udp.stop()

    raw = {"file": written, "stdout": r.stdout, "stderr": r.stderr,
           "syslog-tcp": tcp.raw(), "syslog-udp": udp.raw()}
    records = {"file": written.split(b"\n")[:-1], "stdout": r.stdout.split(b"\n")[:-1]}
    for name, rx in (("syslog-tcp", tcp), ("syslog-udp", udp)):
        try:
            records[name] = [syslog_record(m) for m in rx.frames()]
        except ValueError as e:
            problems.append(str(e))
            records[name] = []
    if redis:
        values = redis.command("LRANGE", LIST_KEY, 0, -1)
        entries = redis.command("XRANGE", STREAM_KEY, "-", "+")
        raw["redis-list"] = b"\n".join(flatten(values))
        raw["redis-stream"] = b"\n".join(flatten(entries))
        records["redis-list"] = values
        records["redis-stream"] = []
        for _, fields in entries:
            if len(fields) != 2 or fields[0] != b"record":
                problems.append(f"redis-stream: unexpected entry fields {fields[:1]!r}")
            records["redis-stream"].append(fields[-1])
    return r.returncode, raw, records, problems


def main(argv):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so that finally kills redis
    binary, caps = argv[0], argv[1:]
    bad, checked = [], 0
    exe = shutil.which("redis-server")
    redis = Redis(exe) if exe else None
    if not redis:
        print("redis-server not installed: no Redis sinks")
    try:
        for cap in caps:
            secrets = secrets_of(cap)
            if not secrets:
                continue
            checked += 1
            forms = secrets | {j for j in map(json_form, secrets) if j}
            status, raw, records, problems = replay(binary, cap, redis)
            if status != 0:
                problems.append(f"misroute exited {status}: "
                                f"{raw['stderr'][-200:].decode(errors='replace')}")
            want = records["file"]
            if not want:
                problems.append("the file sink got no records")
            differ = [sink for sink, got in records.items() if got != want]
            for sink in differ:
                got = records[sink]
                problems.append(f"{sink} got {len(got)} records, not the file's "
                                f"{len(want)}" if len(got) != len(want) else
                                f"{sink} got other records than the file")
            leaks = [(sink, s) for sink, data in raw.items() for s in sorted(forms) if s in data]
            print(f"{cap}: {len(secrets)} secrets, {len(leaks)} found in the output "
                  f"({len(want)} records in the file, "
                  f"{len(records) - 1 - len(differ)} other sinks the same)")
            for sink, s in leaks:
                print(f"{cap}: LEAK {s!r} in {sink}")
            for p in problems:
                print(f"{cap}: FAIL {p}")
            if leaks or problems:
                bad.append(cap)
    finally:
        if redis:
            redis.close()
    print(f"captures with secrets: {checked}, sinks: {5 + 2 * bool(redis)}")
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
