#!/usr/bin/env python3
r"""Writes one small capture per incident kind, and one silent negative twin per kind.

Deterministic (byte-identical on every run), standard library only, prints nothing on
success. Usage: python3 tests/golden/gen_incidents.py [OUTDIR] (default: incidents/ next to
this script). Ethernet, IPv4 (k6 also IPv6); one client per file, 10.1.30.X (MAC
3c:52:82:4a:30:XX); resolver 10.1.0.53. DNS ids are stable hashes of file, name and type.

k1-autodiscover-reserved.pcap  MUST fire k1 (autodiscover for a reserved domain), client .11:
    A autodiscover.example.org NXDOMAIN; SRV _autodiscover._tcp.example.net NXDOMAIN;
    A autodiscover-s.outlook.com -> CNAME autodiscover-s.ha.office365.com -> A 52.96.88.130;
    HTTP POST /autodiscover/autodiscover.xml Host autodiscover-s.outlook.com
    (52.96.88.130:80), XML <EMailAddress>alice@example.com</EMailAddress>, answered 200 with
    a POX error (ErrorCode 500, no servers).
k1-negative.pcap  MUST NOT fire, client .12: A autodiscover.mail-corp.de -> 195.201.17.10,
    TLS SNI autodiscover.mail-corp.de to it:443; A example.com -> 93.184.215.14, TLS SNI
    example.com to it:443.
k2-reserved-resolves.pcap  MUST fire k2 (answer pointing outside the domain), client .21
    (k1 fires too: autodiscover.example.com, X-AnchorMailbox bob@example.com):
    A autodiscover.example.com NOERROR -> A 203.0.113.77; A printer.test -> A 192.168.1.20;
    A www.example.net -> CNAME www.example.net.evil-cdn.com -> A 198.18.5.5;
    A prod.autodetect.outlook.cloud.microsoft -> CNAME autodetect.ha.office365.com ->
    A 52.97.201.226; HTTP GET /autodetect/detect?app=outlookdesktop&protocol=imap Host
    prod.autodetect.outlook.cloud.microsoft (52.97.201.226:80), X-AnchorMailbox
    bob@example.com, answered 200 application/json naming imap imapgms.jnet.sei.co.jp:993.
k2-negative.pcap  MUST NOT fire, client .22: A www.example.com -> 93.184.215.14;
    A localhost -> 127.0.0.1; A nas.home.arpa -> 192.168.1.5; A www.mail-corp.de -> CNAME
    web.mail-corp.de -> A 195.201.17.20; HTTP GET / Host intranet.mail-corp.de (10.1.0.80:80)
    whose HTML mentions user@example.com and https://example.com/.
k3-mail-after-autodiscover.pcap  MUST fire k3 (mail connection after reserved autodiscover),
    client .31 (k1 fires too: autodiscover.example.com): A autodiscover.example.com NXDOMAIN;
    A imapgms.jnet.sei.co.jp -> 202.239.113.20, TLS SNI imapgms.jnet.sei.co.jp to :993 with
    server flight; A smtpgms.jnet.sei.co.jp -> 202.239.113.21, plaintext SMTP :587 (banner
    "220 smtpgms.jnet.sei.co.jp ESMTP", EHLO DESKTOP-K3J7W2P, QUIT; no AUTH).
k3-negative.pcap  MUST NOT fire, client .32: A autodiscover.mail-corp.de -> 195.201.17.10;
    A imap.mail-corp.de -> 195.201.17.11, TLS SNI imap.mail-corp.de to :993;
    A smtp.mail-corp.de -> 195.201.17.12, SMTP :587 (banner smtp.mail-corp.de, STARTTLS, TLS
    SNI smtp.mail-corp.de); A imap.gmail.com -> CNAME gmail-imap.l.google.com ->
    A 142.250.102.108, TLS SNI imap.gmail.com to :993.
k4-credentials.pcap  MUST fire k4 (credentials of a reserved account sent outward), user
    carol@example.com, client .41: A imapgms.jnet.sei.co.jp -> 202.239.113.20, IMAP :143
    (banner "* OK imapgms.jnet.sei.co.jp IMAP4rev1 ready", a1 LOGIN carol@example.com
    "Secr3t-k4-imap"); A smtpgms.jnet.sei.co.jp -> 202.239.113.21, SMTP :587 AUTH PLAIN
    carol@example.com / Secr3t-k4-smtp; A mail.sei.co.jp -> 202.239.113.22, HTTP GET /owa/
    :80 with Authorization: Basic carol@example.com:Secr3t-k4-http.
k4-negative.pcap  MUST NOT fire, client .42: A imap.mail-corp.de -> 195.201.17.11, IMAP :143
    LOGIN dave@mail-corp.de "Secr3t-k4neg-imap"; A pop.mail-corp.de -> 195.201.17.13, POP3
    :110 USER erin / PASS Secr3t-k4neg-pop.
k5-backoff.pcap  MUST fire k5 (autodiscover back-off to a public suffix), client .51:
    A autodiscover.com.br -> 200.147.3.157; A autodiscover.co.uk NXDOMAIN; HTTP GET
    /autodiscover/autodiscover.xml Host autodiscover.com.br (200.147.3.157:80) with
    Authorization: Basic CORP\frank:Secr3t-k5 (answered 404).
k5-negative.pcap  MUST NOT fire, client .52: A autodiscover.mail-corp.de -> 195.201.17.10;
    A autodiscover.example-company.com.br -> 189.38.95.40.
k6-doc-range.pcap  MUST fire k6 (traffic to documentation space) twice, client .61 and its
    IPv6 address fd12:3456:789a:1e::61: TCP to 192.0.2.10:443 (handshake, TLS hello without
    SNI and server flight, FIN); UDP DNS fd12:3456:789a:1e::61 -> [2001:db8::53]:53
    (AAAA www.mail-corp.de -> 2a01:4f8:c17:b8f::2) and its answer.
k6-negative.pcap  MUST NOT fire, client .62: A www.mail-corp.de -> 195.201.17.20, TLS SNI
    www.mail-corp.de to :443; one unanswered SYN to 198.51.100.7:80.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

from pcapgen import (A, AAAA, CNAME, GATEWAY_MAC, NXDOMAIN, SOA, TCP_SYN, Host,  # noqa: E402
                     Network, PcapWriter, TcpSession, b64, dns_lookup, dns_query, http_date,
                     http_request, http_response, imap_dialogue, pop3_dialogue, smtp_dialogue,
                     stable_int, tcp_syn_options, tls_session, utc_us)

OUTLOOK_UA = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)"
CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
WINDOWS_UA = "Microsoft-WNet/10.0"


def icann_soa(zone):
    """The SOA IANA's reserved zones return with NXDOMAIN."""
    return SOA(zone, "ns.icann.org", "noc.dns.icann.org", 2025011636, 7200, 3600, 1209600,
               3600, ttl=3600)


MAIL_CORP_SOA = SOA("mail-corp.de", "ns1.mail-corp.de", "hostmaster.mail-corp.de",
                    2026011401, 10800, 3600, 604800, 3600, ttl=3600)


class Scene:
    """One capture: a client 10.1.30.X, the resolver and a clock."""

    def __init__(self, pcap, tag, x, start):
        self.tag = tag
        self.net = Network(pcap, start)
        self.mac = "3c:52:82:4a:30:%02x" % x
        self.pc = Host("10.1.30.%d" % x, ttl=128, mac=self.mac, first_port=50000 + 100 * x)
        self.resolver = Host("10.1.0.53", ttl=63, mac=GATEWAY_MAC)

    def remote(self, ip, ttl):
        """A server off the client's subnet, seen behind the router."""
        return Host(ip, ttl=ttl, mac=GATEWAY_MAC)

    def lookup(self, name, qtype="A", answers=(), rcode=0, authority=(), rtt_ms=14.0):
        """One query and its answer, with a stable transaction id."""
        q = dns_query(stable_int("%s/dnsid/%s/%s" % (self.tag, name, qtype)), name, qtype)
        dns_lookup(self.net, self.pc, self.resolver, q,
                   q.reply(answers=list(answers), rcode=rcode, authority=list(authority)),
                   rtt_ms=rtt_ms)
        self.net.wait(2.5)

    def tls(self, server, port, sni, rtt_ms, *, mail=False, exchanges=((420, 900),)):
        """A TLS connection with SNI (a mail one: no ALPN, server banner first), closed."""
        s = TcpSession(self.net, self.pc, server, port, rtt_ms=rtt_ms).open()
        tls_session(s, sni, alpn=() if mail else ("h2", "http/1.1"),
                    greeting=120 if mail else 0, exchanges=exchanges, cert_len=1000)
        self.net.wait(300)
        s.close()
        return s

    def http(self, server, request, response, rtt_ms):
        """One HTTP/1.1 request and response on port 80, then FIN."""
        s = TcpSession(self.net, self.pc, server, 80, rtt_ms=rtt_ms).open()
        s.client_send(request, ack=False)
        s.server_send(response)
        self.net.wait(120)
        s.close()

    def dialogue(self, server, port, turns, rtt_ms, *, close_by="client"):
        """A plaintext mail dialogue, then FIN."""
        s = TcpSession(self.net, self.pc, server, port, rtt_ms=rtt_ms).open()
        s.play(turns)
        self.net.wait(50)
        s.close(by=close_by)
        return s


def crlf(text):
    return text.replace("\n", "\r\n")


# --- k1 -------------------------------------------------------------------------------------

POX_REQUEST = crlf("""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>alice@example.com</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
""")

POX_ERROR = crlf("""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response>
    <Error Time="09:05:12.4417291" Id="2712413281">
      <ErrorCode>500</ErrorCode>
      <Message>The email address can't be found.</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
""")


def write_k1(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k1", 11, utc_us(2026, 1, 14, 9, 5, 10, 125000))
        sc.lookup("autodiscover.example.org", rcode=NXDOMAIN,
                  authority=[icann_soa("example.org")], rtt_ms=18.2)
        sc.net.wait(300)
        sc.lookup("_autodiscover._tcp.example.net", "SRV", rcode=NXDOMAIN,
                  authority=[icann_soa("example.net")], rtt_ms=17.6)
        sc.net.wait(700)
        host = "autodiscover-s.outlook.com"
        sc.lookup(host, answers=[CNAME(host, "autodiscover-s.ha.office365.com", ttl=300),
                                 A("autodiscover-s.ha.office365.com", "52.96.88.130", ttl=10)],
                  rtt_ms=21.3)
        req = http_request("POST", "/autodiscover/autodiscover.xml", host,
                           [("User-Agent", OUTLOOK_UA), ("Content-Type", "text/xml"),
                            ("Connection", "keep-alive")], POX_REQUEST)
        resp = http_response(200, [("Cache-Control", "private"),
                                   ("Content-Type", "text/xml; charset=utf-8"),
                                   ("Date", http_date(sc.net.now))], POX_ERROR)
        sc.http(sc.remote("52.96.88.130", 113), req, resp, rtt_ms=10.4)


def write_k1_negative(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k1n", 12, utc_us(2026, 1, 14, 9, 7, 41, 500000))
        sc.lookup("autodiscover.mail-corp.de",
                  answers=[A("autodiscover.mail-corp.de", "195.201.17.10", ttl=3600)])
        sc.tls(sc.remote("195.201.17.10", 52), 443, "autodiscover.mail-corp.de", 14.0,
               exchanges=((900, 1300),))
        sc.net.wait(1200)
        sc.lookup("example.com", answers=[A("example.com", "93.184.215.14", ttl=3600)],
                  rtt_ms=9.9)
        sc.tls(sc.remote("93.184.215.14", 54), 443, "example.com", 88.0,
               exchanges=((480, 900),))


# --- k2 -------------------------------------------------------------------------------------

AUTODETECT = "prod.autodetect.outlook.cloud.microsoft"
AUTODETECT_JSON = (
    '{"email":"bob@example.com","services":[],"protocols":[{"protocol":"imap",'
    '"hostname":"imapgms.jnet.sei.co.jp","port":993,"encryption":"ssl",'
    '"username":"bob@example.com","validated":false}]}')

INTRANET_PAGE = crlf("""<!DOCTYPE html>
<html><head><title>Mail-Corp intranet</title></head>
<body><h1>Welcome</h1>
<p>Manuals write addresses such as user@example.com and links such as
https://example.com/ as placeholders (RFC 2606). Use your own mail-corp.de address.</p>
</body></html>
""")


def write_k2(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k2", 21, utc_us(2026, 1, 14, 9, 12, 3, 250000))
        sc.lookup("autodiscover.example.com",
                  answers=[A("autodiscover.example.com", "203.0.113.77", ttl=300)], rtt_ms=18.4)
        sc.net.wait(400)
        sc.lookup("printer.test", answers=[A("printer.test", "192.168.1.20", ttl=600)],
                  rtt_ms=0.9)
        sc.net.wait(400)
        sc.lookup("www.example.net",
                  answers=[CNAME("www.example.net", "www.example.net.evil-cdn.com", ttl=300),
                           A("www.example.net.evil-cdn.com", "198.18.5.5", ttl=60)],
                  rtt_ms=22.0)
        sc.net.wait(600)
        sc.lookup(AUTODETECT, answers=[CNAME(AUTODETECT, "autodetect.ha.office365.com", ttl=300),
                                       A("autodetect.ha.office365.com", "52.97.201.226", ttl=5)],
                  rtt_ms=24.7)
        req = http_request("GET", "/autodetect/detect?app=outlookdesktop&protocol=imap",
                           AUTODETECT, [("User-Agent", OUTLOOK_UA),
                                        ("Accept", "application/json"),
                                        ("X-AnchorMailbox", "bob@example.com"),
                                        ("client-request-id",
                                         "3a7c9e10-52d4-4b8f-a1e6-7d0c2b9f4e83"),
                                        ("Connection", "keep-alive")])
        resp = http_response(200, [("Cache-Control", "private"),
                                   ("Content-Type", "application/json"),
                                   ("request-id", "c41f8a27-0e9b-4d63-8f15-62a9d7b0e3c4"),
                                   ("Date", http_date(sc.net.now))], AUTODETECT_JSON)
        sc.http(sc.remote("52.97.201.226", 113), req, resp, rtt_ms=9.8)


def write_k2_negative(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k2n", 22, utc_us(2026, 1, 14, 9, 20, 17, 750000))
        sc.lookup("www.example.com", answers=[A("www.example.com", "93.184.215.14", ttl=3600)],
                  rtt_ms=9.7)
        sc.lookup("localhost", answers=[A("localhost", "127.0.0.1", ttl=86400)], rtt_ms=0.8)
        sc.lookup("nas.home.arpa", answers=[A("nas.home.arpa", "192.168.1.5", ttl=600)],
                  rtt_ms=0.9)
        sc.lookup("www.mail-corp.de",
                  answers=[CNAME("www.mail-corp.de", "web.mail-corp.de", ttl=3600),
                           A("web.mail-corp.de", "195.201.17.20", ttl=3600)], rtt_ms=10.8)
        sc.net.wait(500)
        req = http_request("GET", "/", "intranet.mail-corp.de",
                           [("User-Agent", CHROME_UA), ("Accept", "text/html"),
                            ("Connection", "keep-alive")])
        resp = http_response(200, [("Content-Type", "text/html; charset=utf-8"),
                                   ("Date", http_date(sc.net.now))], INTRANET_PAGE)
        sc.http(Host("10.1.0.80", ttl=63, mac=GATEWAY_MAC), req, resp, rtt_ms=0.4)


# --- k3 -------------------------------------------------------------------------------------

def banner(turns, line):
    """A dialogue with its first (server) line replaced."""
    return [("S", (line + "\r\n").encode())] + turns[1:]


def write_k3(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k3", 31, utc_us(2026, 1, 14, 9, 31, 2, 0))
        sc.lookup("autodiscover.example.com", rcode=NXDOMAIN,
                  authority=[icann_soa("example.com")], rtt_ms=18.4)
        sc.net.wait(2300)
        sc.lookup("imapgms.jnet.sei.co.jp",
                  answers=[A("imapgms.jnet.sei.co.jp", "202.239.113.20", ttl=3600)],
                  rtt_ms=182.5)
        imap = sc.remote("202.239.113.20", 47)
        s = TcpSession(sc.net, sc.pc, imap, 993, rtt_ms=243.0).open()
        tls_session(s, "imapgms.jnet.sei.co.jp", server_tls13=False, alpn=(), greeting=150,
                    exchanges=((90, 180),), cert_len=1300)
        sc.net.wait(500)
        s.close()
        sc.net.wait(1500)
        sc.lookup("smtpgms.jnet.sei.co.jp",
                  answers=[A("smtpgms.jnet.sei.co.jp", "202.239.113.21", ttl=3600)],
                  rtt_ms=181.0)
        turns = banner(smtp_dialogue("smtpgms.jnet.sei.co.jp", "DESKTOP-K3J7W2P"),
                       "220 smtpgms.jnet.sei.co.jp ESMTP")
        sc.dialogue(sc.remote("202.239.113.21", 47), 587, turns, rtt_ms=241.0,
                    close_by="server")


def write_k3_negative(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k3n", 32, utc_us(2026, 1, 14, 9, 40, 55, 500000))
        corp = (("autodiscover.mail-corp.de", "195.201.17.10"),
                ("imap.mail-corp.de", "195.201.17.11"), ("smtp.mail-corp.de", "195.201.17.12"))
        for name, addr in corp:
            sc.lookup(name, answers=[A(name, addr, ttl=3600)], rtt_ms=11.2)
        sc.net.wait(400)
        sc.tls(sc.remote("195.201.17.11", 52), 993, "imap.mail-corp.de", 14.0, mail=True,
               exchanges=((80, 160),))
        sc.net.wait(200)
        s = TcpSession(sc.net, sc.pc, sc.remote("195.201.17.12", 52), 587, rtt_ms=14.0).open()
        s.play(smtp_dialogue("smtp.mail-corp.de", "DESKTOP-N3Q8R1T", starttls=True))
        tls_session(s, "smtp.mail-corp.de", alpn=(), exchanges=((60, 260),), cert_len=1000)
        s.close()
        sc.net.wait(2100)
        sc.lookup("imap.gmail.com",
                  answers=[CNAME("imap.gmail.com", "gmail-imap.l.google.com", ttl=21600),
                           A("gmail-imap.l.google.com", "142.250.102.108", ttl=300)],
                  rtt_ms=13.5)
        sc.tls(sc.remote("142.250.102.108", 118), 993, "imap.gmail.com", 6.1, mail=True,
               exchanges=((120, 200),))


# --- k4 -------------------------------------------------------------------------------------

OWA_PAGE = crlf("""<!DOCTYPE html>
<html><head><title>Outlook</title></head><body><p>Loading...</p></body></html>
""")


def write_k4(path):
    user = "carol@example.com"
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k4", 41, utc_us(2026, 1, 14, 10, 2, 11, 0))
        sc.lookup("imapgms.jnet.sei.co.jp",
                  answers=[A("imapgms.jnet.sei.co.jp", "202.239.113.20", ttl=3600)],
                  rtt_ms=182.5)
        turns = banner(imap_dialogue("imapgms.jnet.sei.co.jp", user=user,
                                     password="Secr3t-k4-imap"),
                       "* OK imapgms.jnet.sei.co.jp IMAP4rev1 ready")
        sc.dialogue(sc.remote("202.239.113.20", 47), 143, turns, rtt_ms=243.0)
        sc.net.wait(1600)
        sc.lookup("smtpgms.jnet.sei.co.jp",
                  answers=[A("smtpgms.jnet.sei.co.jp", "202.239.113.21", ttl=3600)],
                  rtt_ms=181.0)
        sc.dialogue(sc.remote("202.239.113.21", 47), 587,
                    smtp_dialogue("smtpgms.jnet.sei.co.jp", "DESKTOP-C4R0L9X", user=user,
                                  password="Secr3t-k4-smtp", auth="PLAIN"),
                    rtt_ms=241.0, close_by="server")
        sc.net.wait(2200)
        sc.lookup("mail.sei.co.jp", answers=[A("mail.sei.co.jp", "202.239.113.22", ttl=3600)],
                  rtt_ms=180.2)
        req = http_request("GET", "/owa/", "mail.sei.co.jp",
                           [("User-Agent", CHROME_UA), ("Accept", "text/html"),
                            ("Authorization", "Basic " + b64(user + ":Secr3t-k4-http")),
                            ("Connection", "keep-alive")])
        resp = http_response(200, [("Content-Type", "text/html; charset=utf-8"),
                                   ("Date", http_date(sc.net.now))], OWA_PAGE)
        sc.http(sc.remote("202.239.113.22", 47), req, resp, rtt_ms=240.0)


def write_k4_negative(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k4n", 42, utc_us(2026, 1, 14, 10, 11, 47, 250000))
        sc.lookup("imap.mail-corp.de", answers=[A("imap.mail-corp.de", "195.201.17.11",
                                                  ttl=3600)], rtt_ms=11.2)
        sc.dialogue(sc.remote("195.201.17.11", 52), 143,
                    imap_dialogue("imap.mail-corp.de", user="dave@mail-corp.de",
                                  password="Secr3t-k4neg-imap"), rtt_ms=14.0)
        sc.net.wait(900)
        sc.lookup("pop.mail-corp.de", answers=[A("pop.mail-corp.de", "195.201.17.13",
                                                 ttl=3600)], rtt_ms=11.0)
        sc.dialogue(sc.remote("195.201.17.13", 52), 110,
                    pop3_dialogue("pop.mail-corp.de", user="erin", password="Secr3t-k4neg-pop"),
                    rtt_ms=14.0, close_by="server")


# --- k5 -------------------------------------------------------------------------------------

NOT_FOUND = crlf("""<html><head><title>404 Not Found</title></head>
<body><h1>Not Found</h1></body></html>
""")


def write_k5(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k5", 51, utc_us(2026, 1, 14, 10, 30, 8, 500000))
        sc.lookup("autodiscover.com.br",
                  answers=[A("autodiscover.com.br", "200.147.3.157", ttl=300)], rtt_ms=121.0)
        sc.net.wait(150)
        sc.lookup("autodiscover.co.uk", rcode=NXDOMAIN,
                  authority=[SOA("co.uk", "dns1.nic.uk", "hostmaster.nominet.org.uk",
                                 1333571001, 900, 300, 2419200, 10800, ttl=10800)],
                  rtt_ms=28.0)
        sc.net.wait(200)
        req = http_request("GET", "/autodiscover/autodiscover.xml", "autodiscover.com.br",
                           [("User-Agent", WINDOWS_UA),
                            ("Authorization", "Basic " + b64("CORP\\frank:Secr3t-k5")),
                            ("Connection", "Keep-Alive")])
        resp = http_response(404, [("Content-Type", "text/html"),
                                   ("Date", http_date(sc.net.now))], NOT_FOUND)
        sc.http(sc.remote("200.147.3.157", 51), req, resp, rtt_ms=118.0)


def write_k5_negative(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k5n", 52, utc_us(2026, 1, 14, 10, 36, 21, 0))
        sc.lookup("autodiscover.mail-corp.de",
                  answers=[A("autodiscover.mail-corp.de", "195.201.17.10", ttl=3600)],
                  rtt_ms=11.2)
        sc.net.wait(800)
        sc.lookup("autodiscover.example-company.com.br",
                  answers=[A("autodiscover.example-company.com.br", "189.38.95.40", ttl=3600)],
                  rtt_ms=124.0)


# --- k6 -------------------------------------------------------------------------------------

def write_k6(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k6", 61, utc_us(2026, 1, 14, 10, 45, 0, 0))
        s = TcpSession(sc.net, sc.pc, sc.remote("192.0.2.10", 52), 443, rtt_ms=31.0).open()
        tls_session(s, None, seed="k6/192.0.2.10", exchanges=((120, 300),), cert_len=600)
        sc.net.wait(200)
        s.close()
        sc.net.wait(1000)
        pc6 = Host("fd12:3456:789a:1e::61", ttl=128, mac=sc.mac, first_port=56200)
        dns6 = Host("2001:db8::53", ttl=58, mac=GATEWAY_MAC)
        q = dns_query(stable_int("k6/dnsid/www.mail-corp.de/AAAA"), "www.mail-corp.de", "AAAA")
        dns_lookup(sc.net, pc6, dns6, q,
                   q.reply(answers=[AAAA("www.mail-corp.de", "2a01:4f8:c17:b8f::2", ttl=3600)]),
                   rtt_ms=15.3)


def write_k6_negative(path):
    with PcapWriter(path) as pcap:
        sc = Scene(pcap, "k6n", 62, utc_us(2026, 1, 14, 10, 51, 33, 750000))
        sc.lookup("www.mail-corp.de", answers=[A("www.mail-corp.de", "195.201.17.20",
                                                 ttl=3600)], rtt_ms=10.8)
        sc.tls(sc.remote("195.201.17.20", 52), 443, "www.mail-corp.de", 14.0,
               exchanges=((500, 1200),))
        sc.net.wait(1500)
        sport = sc.pc.ephemeral_port()
        dst = Host("198.51.100.7", mac=GATEWAY_MAC)
        sc.net.tcp(sc.pc, sport, dst, 80, stable_int("k6n/syn", 32), 0, TCP_SYN,
                   options=tcp_syn_options())


WRITERS = (("k1-autodiscover-reserved.pcap", write_k1), ("k1-negative.pcap", write_k1_negative),
           ("k2-reserved-resolves.pcap", write_k2), ("k2-negative.pcap", write_k2_negative),
           ("k3-mail-after-autodiscover.pcap", write_k3),
           ("k3-negative.pcap", write_k3_negative),
           ("k4-credentials.pcap", write_k4), ("k4-negative.pcap", write_k4_negative),
           ("k5-backoff.pcap", write_k5), ("k5-negative.pcap", write_k5_negative),
           ("k6-doc-range.pcap", write_k6), ("k6-negative.pcap", write_k6_negative))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "incidents")
    os.makedirs(out, exist_ok=True)
    for name, write in WRITERS:
        write(os.path.join(out, name))


if __name__ == "__main__":
    main()
