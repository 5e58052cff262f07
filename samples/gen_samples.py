#!/usr/bin/env python3
"""Writes misroute's sample captures into the folder this script lives in.

* example-com-autodetect.pcap           the January 2026 case as a SPAN port sees it (TLS)
* example-com-autodetect-decrypted.pcap  the same, as a decrypted (TLS-terminating) mirror
                                         sees it: plaintext HTTP, IMAP and SMTP with a login
* benign.pcap                            ordinary traffic that must raise no incident

Deterministic: every run writes byte-identical files. Prints nothing on success.
Usage: python3 samples/gen_samples.py [OUTDIR]
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from pcapgen import (A, AAAA, CNAME, GATEWAY_MAC, NXDOMAIN, SOA, Host,  # noqa: E402
                     Network, PcapWriter, TcpSession, dns_lookup, dns_query, http_date, http_request,
                     http_response, imap_dialogue, smtp_dialogue, stable_int, tls_session,
                     utc_us)

# --- The people and machines of the January 2026 case ---------------------------------------

USER = "user@example.com"
PASSWORD = "s3cr3t-Passw0rd"          # must never appear in misroute's output
PC_NAME = "DESKTOP-7Q2M4KD"
START = utc_us(2026, 1, 14, 9, 12, 3, 250000)

AUTODETECT = "prod.autodetect.outlook.cloud.microsoft"
POX_HOST = "autodiscover-s.outlook.com"
IMAP_HOST = "imapgms.jnet.sei.co.jp"
SMTP_HOST = "smtpgms.jnet.sei.co.jp"
MS_AUTODETECT_IP = "52.97.201.226"     # Microsoft, 52.96.0.0/14
MS_AUTODETECT_IP2 = "52.98.151.66"
MS_POX_IP = "52.96.88.130"
IMAP_IP = "202.239.113.20"             # Japan
SMTP_IP = "202.239.113.21"

OUTLOOK_UA = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)"

EXAMPLE_COM_SOA = SOA("example.com", "ns.icann.org", "noc.dns.icann.org", 2025011636,
                      7200, 3600, 1209600, 3600, ttl=3600)


def dns_id(name, qtype):
    """A DNS transaction id that looks random but is always the same for a question."""
    return stable_int("dnsid/%s/%s" % (name, qtype))


def query(name, qtype):
    """A Windows-style query (no EDNS, RD set) with a stable id."""
    return dns_query(dns_id(name, qtype), name, qtype)


def office_hosts():
    """The client, its resolver and the remote servers of the case. Off-subnet hosts are seen
    behind the router's MAC; TTLs are as they reach the SPAN port."""
    pc = Host("10.1.20.33", ttl=128, mac="3c:52:82:4a:19:7e", first_port=53211)
    resolver = Host("10.1.0.53", ttl=63, mac=GATEWAY_MAC)
    ms = Host(MS_AUTODETECT_IP, ttl=113, mac=GATEWAY_MAC)
    pox = Host(MS_POX_IP, ttl=113, mac=GATEWAY_MAC)
    imap = Host(IMAP_IP, ttl=47, mac=GATEWAY_MAC)
    smtp = Host(SMTP_IP, ttl=47, mac=GATEWAY_MAC)
    return pc, resolver, ms, pox, imap, smtp


def autodiscover_lookups(net, pc, resolver):
    """Outlook's first tries for example.com: A and AAAA for autodiscover.example.com and SRV
    _autodiscover._tcp.example.com, all NXDOMAIN with the example.com SOA."""
    for qtype in ("A", "AAAA"):
        q = query("autodiscover.example.com", qtype)
        dns_lookup(net, pc, resolver, q, q.reply(rcode=NXDOMAIN, authority=[EXAMPLE_COM_SOA]),
                   rtt_ms=18.4)
        net.wait(0.6)
    net.wait(310)
    q = query("_autodiscover._tcp.example.com", "SRV")
    dns_lookup(net, pc, resolver, q, q.reply(rcode=NXDOMAIN, authority=[EXAMPLE_COM_SOA]),
               rtt_ms=16.9)


def microsoft_lookups(net, pc, resolver, with_pox):
    """A for the autodetect service (and, with_pox, the POX autodiscover host), answered with
    CNAME chains into Microsoft's 52.96.0.0/14."""
    q = query(AUTODETECT, "A")
    dns_lookup(net, pc, resolver, q, q.reply(answers=[
        CNAME(AUTODETECT, "autodetect.ha.office365.com", ttl=300),
        CNAME("autodetect.ha.office365.com", "outlook.ms-acdc.office.com", ttl=30),
        CNAME("outlook.ms-acdc.office.com", "FRA-efz.ms-acdc.office.com", ttl=30),
        A("FRA-efz.ms-acdc.office.com", MS_AUTODETECT_IP, ttl=5),
        A("FRA-efz.ms-acdc.office.com", MS_AUTODETECT_IP2, ttl=5)]), rtt_ms=24.7)
    if with_pox:
        net.wait(2.2)
        q = query(POX_HOST, "A")
        dns_lookup(net, pc, resolver, q, q.reply(answers=[
            CNAME(POX_HOST, "autodiscover-s.ha.office365.com", ttl=300),
            A("autodiscover-s.ha.office365.com", MS_POX_IP, ttl=10)]), rtt_ms=21.3)


def mail_lookups(net, pc, resolver):
    """A for the Japanese mail servers the autodetect answer named."""
    for name, addr in ((IMAP_HOST, IMAP_IP), (SMTP_HOST, SMTP_IP)):
        q = query(name, "A")
        dns_lookup(net, pc, resolver, q, q.reply(answers=[A(name, addr, ttl=3600)]),
                   rtt_ms=182.5)
        net.wait(1.3)


def write_autodetect(path):
    """The case on a SPAN port: DNS in clear, everything else TLS."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, START)
        pc, resolver, ms, pox, imap, smtp = office_hosts()

        autodiscover_lookups(net, pc, resolver)
        net.wait(740)
        microsoft_lookups(net, pc, resolver, with_pox=True)
        net.wait(1.4)
        s = TcpSession(net, pc, ms, 443, rtt_ms=9.8).open()
        tls_session(s, AUTODETECT, exchanges=((620, 1150),), cert_len=1800)
        net.wait(40)
        s2 = TcpSession(net, pc, pox, 443, rtt_ms=10.4).open()
        tls_session(s2, POX_HOST, exchanges=((1100, 1420),), cert_len=1800)
        net.wait(1900)
        s.close()
        s2.close()

        net.wait(2300)
        mail_lookups(net, pc, resolver)
        s = TcpSession(net, pc, imap, 993, rtt_ms=243.0).open()
        tls_session(s, IMAP_HOST, server_tls13=False, alpn=(), greeting=150,
                    exchanges=((90, 180), (40, 420), (30, 60)), cert_len=1300)
        net.wait(2500)
        s3 = TcpSession(net, pc, smtp, 465, rtt_ms=241.0).open()
        tls_session(s3, SMTP_HOST, server_tls13=False, alpn=(), greeting=60,
                    exchanges=((40, 260), (80, 50), (70, 120), (560, 80), (30, 40)),
                    cert_len=1300)
        net.wait(6200)
        s.close()
        net.wait(1200)
        s3.close()


AUTODETECT_JSON = (
    '{"email":"user@example.com","services":[],"protocols":['
    '{"protocol":"imap","hostname":"imapgms.jnet.sei.co.jp","port":993,"encryption":"ssl",'
    '"username":"user@example.com","validated":false},'
    '{"protocol":"smtp","hostname":"smtpgms.jnet.sei.co.jp","port":465,"encryption":"ssl",'
    '"username":"user@example.com","validated":false}]}')

POX_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>user@example.com</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
""".replace("\n", "\r\n")

POX_RESPONSE = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>user@example.com</DisplayName>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>IMAP</Type>
        <Server>imapgms.jnet.sei.co.jp</Server>
        <Port>993</Port>
        <LoginName>user@example.com</LoginName>
        <SSL>on</SSL>
        <SPA>off</SPA>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>smtpgms.jnet.sei.co.jp</Server>
        <Port>465</Port>
        <LoginName>user@example.com</LoginName>
        <SSL>on</SSL>
        <SPA>off</SPA>
        <AuthRequired>on</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
""".replace("\n", "\r\n")

TEST_MESSAGE = ("Date: Wed, 14 Jan 2026 10:12:19 +0100\r\nFrom: <user@example.com>\r\n"
                "To: <user@example.com>\r\nSubject: Microsoft Outlook Test Message\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\n"
                "This is an email message sent automatically by Microsoft Outlook while "
                "testing the settings for your account.\r\n")


def http_exchange(net, pc, server, host, request, response, rtt_ms):
    """One HTTP/1.1 request and response on a fresh connection to port 80, then FIN."""
    s = TcpSession(net, pc, server, 80, rtt_ms=rtt_ms).open()
    s.client_send(request, ack=False)
    s.server_send(response)
    net.wait(120)
    s.close()


def write_autodetect_decrypted(path):
    """The case on a decrypted mirror: the same DNS; HTTP/1.1 autodetect (JSON) and POX
    autodiscover (XML) on port 80; IMAP LOGIN on 143 and SMTP AUTH PLAIN on 587."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, START)
        pc, resolver, ms, pox, imap, smtp = office_hosts()

        autodiscover_lookups(net, pc, resolver)
        net.wait(740)
        microsoft_lookups(net, pc, resolver, with_pox=True)
        net.wait(1.4)
        req = http_request("GET", "/autodetect/detect?app=outlookdesktop&protocol=imap",
                           AUTODETECT, [("User-Agent", OUTLOOK_UA),
                                        ("Accept", "application/json"),
                                        ("X-AnchorMailbox", USER),
                                        ("client-request-id",
                                         "9d4b1e52-6c1f-4a0e-b7a3-2f5c8e0d6a41"),
                                        ("Connection", "keep-alive")])
        resp = http_response(200, [("Cache-Control", "private"),
                                   ("Content-Type", "application/json"),
                                   ("request-id", "5f0e6c3a-8b7d-4e21-9a6c-0d3b2f1e4c58"),
                                   ("Date", http_date(net.now + 60000))], AUTODETECT_JSON)
        http_exchange(net, pc, ms, AUTODETECT, req, resp, rtt_ms=9.8)
        net.wait(40)
        req = http_request("POST", "/autodiscover/autodiscover.xml", POX_HOST,
                           [("User-Agent", OUTLOOK_UA), ("Content-Type", "text/xml"),
                            ("X-AnchorMailbox", USER), ("Connection", "keep-alive")],
                           POX_REQUEST)
        resp = http_response(200, [("Cache-Control", "private"),
                                   ("Content-Type", "text/xml; charset=utf-8"),
                                   ("Date", http_date(net.now + 70000))], POX_RESPONSE)
        http_exchange(net, pc, pox, POX_HOST, req, resp, rtt_ms=10.4)

        net.wait(4200)
        mail_lookups(net, pc, resolver)
        s = TcpSession(net, pc, imap, 143, rtt_ms=243.0).open()
        s.play(imap_dialogue(IMAP_HOST, user=USER, password=PASSWORD))
        net.wait(900)
        s.close()
        net.wait(1600)
        s = TcpSession(net, pc, smtp, 587, rtt_ms=241.0).open()
        s.play(smtp_dialogue(SMTP_HOST, PC_NAME, user=USER, password=PASSWORD, auth="PLAIN",
                             mail_from=USER, rcpt=USER, message=TEST_MESSAGE))
        net.wait(300)
        s.close(by="server")


# --- Benign traffic -----------------------------------------------------------------------

WIKI_PAGE = """<!DOCTYPE html>
<html><head><title>Mail setup - Mail-Corp intranet</title></head>
<body><h1>Setting up Outlook</h1>
<p>Use your own address, for example jane.doe@mail-corp.de. Addresses such as
user@example.com in the vendor manual are placeholders: example.com is reserved for
documentation (RFC 2606) and must never be typed into a real mail client.</p>
<p>Outlook finds the server by itself through autodiscover.mail-corp.de.</p>
</body></html>
""".replace("\n", "\r\n")

CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")


def benign_v4(net, pc, resolver):
    """IPv4 part: mail-corp.de's own autodiscover and mail, Gmail, example.com, intranet."""
    corp = {"autodiscover.mail-corp.de": "195.201.17.10", "imap.mail-corp.de": "195.201.17.11",
            "smtp.mail-corp.de": "195.201.17.12"}
    for name, addr in corp.items():
        q = query(name, "A")
        dns_lookup(net, pc, resolver, q, q.reply(answers=[A(name, addr, ttl=3600)]),
                   rtt_ms=11.2)
        net.wait(3)
    mail_corp = {name: Host(addr, ttl=52, mac=GATEWAY_MAC) for name, addr in corp.items()}
    s = TcpSession(net, pc, mail_corp["autodiscover.mail-corp.de"], 443, rtt_ms=14.0).open()
    tls_session(s, "autodiscover.mail-corp.de", exchanges=((900, 1300),), cert_len=1100)
    s.close()
    net.wait(300)
    s = TcpSession(net, pc, mail_corp["imap.mail-corp.de"], 993, rtt_ms=14.0).open()
    tls_session(s, "imap.mail-corp.de", alpn=(), greeting=140, exchanges=((80, 160),),
                cert_len=1100)
    s.close()
    net.wait(200)
    s = TcpSession(net, pc, mail_corp["smtp.mail-corp.de"], 587, rtt_ms=14.0).open()
    s.play(smtp_dialogue("smtp.mail-corp.de", PC_NAME, starttls=True))
    tls_session(s, "smtp.mail-corp.de", alpn=(), exchanges=((60, 260),), cert_len=1100)
    s.close()

    # A CNAME that stays inside its domain.
    net.wait(1500)
    q = query("www.mail-corp.de", "A")
    dns_lookup(net, pc, resolver, q, q.reply(answers=[
        CNAME("www.mail-corp.de", "web.mail-corp.de", ttl=3600),
        A("web.mail-corp.de", "195.201.17.20", ttl=3600)]), rtt_ms=10.8)
    web = Host("195.201.17.20", ttl=52, mac=GATEWAY_MAC)
    s = TcpSession(net, pc, web, 443, rtt_ms=14.0).open()
    tls_session(s, "www.mail-corp.de", exchanges=((500, 1200),), cert_len=1100)
    s.close()

    # Mail at a large provider.
    net.wait(2100)
    gmail = (("imap.gmail.com", "gmail-imap.l.google.com", "142.250.102.108", 993),
             ("smtp.gmail.com", "gmail-smtp-msa.l.google.com", "142.251.9.108", 465))
    for name, target, addr, port in gmail:
        q = query(name, "A")
        dns_lookup(net, pc, resolver, q, q.reply(answers=[CNAME(name, target, ttl=21600),
                                                          A(target, addr, ttl=300)]),
                   rtt_ms=13.5)
        s = TcpSession(net, pc, Host(addr, ttl=118, mac=GATEWAY_MAC), port, rtt_ms=6.1).open()
        tls_session(s, name, alpn=(), greeting=110 if port == 993 else 90,
                    exchanges=((120, 200),), cert_len=1000)
        s.close()
        net.wait(400)

    # A browser at https://example.com (IANA hosting: legitimate).
    net.wait(1800)
    q = query("example.com", "A")
    dns_lookup(net, pc, resolver, q, q.reply(answers=[A("example.com", "93.184.215.14",
                                                        ttl=3600)]), rtt_ms=9.9)
    s = TcpSession(net, pc, Host("93.184.215.14", ttl=54, mac=GATEWAY_MAC), 443,
                   rtt_ms=88.0).open()
    tls_session(s, "example.com", exchanges=((480, 900),), cert_len=1000)
    s.close()

    # A plain HTTP intranet page that mentions example.com.
    net.wait(900)
    q = query("intranet.mail-corp.de", "A")
    dns_lookup(net, pc, resolver, q, q.reply(answers=[A("intranet.mail-corp.de", "10.1.0.80",
                                                        ttl=3600)]), rtt_ms=0.7)
    intranet = Host("10.1.0.80", ttl=63, mac=GATEWAY_MAC)
    req = http_request("GET", "/wiki/Mail-Setup", "intranet.mail-corp.de",
                       [("User-Agent", CHROME_UA), ("Accept", "text/html"),
                        ("Connection", "keep-alive")])
    resp = http_response(200, [("Content-Type", "text/html; charset=utf-8"),
                               ("Date", http_date(net.now))], WIKI_PAGE)
    http_exchange(net, pc, intranet, "intranet.mail-corp.de", req, resp, rtt_ms=0.4)


def benign_v6(net, resolver6, pc6):
    """IPv6 background: AAAA lookups and HTTPS to a few well-known sites."""
    sites = (("www.wikipedia.org", "dyna.wikimedia.org", "2a02:ec80:300:ed1a::1"),
             ("www.google.com", None, "2a00:1450:4001:82b::2004"),
             ("deb.debian.org", "debian.map.fastlydns.net", "2a04:4e42:8d::644"))
    for name, target, addr in sites:
        q = query(name, "AAAA")
        answers = ([CNAME(name, target, ttl=600), AAAA(target, addr, ttl=300)] if target
                   else [AAAA(name, addr, ttl=300)])
        dns_lookup(net, pc6, resolver6, q, q.reply(answers=answers), rtt_ms=8.3)
        s = TcpSession(net, pc6, Host(addr, ttl=57, mac=GATEWAY_MAC), 443, rtt_ms=12.0,
                       mss=1440).open()
        tls_session(s, name, exchanges=((420, 800),), cert_len=900)
        s.close()
        net.wait(650)


def write_benign(path):
    """Ordinary traffic of a second PC: no incident may come out of it."""
    with PcapWriter(path) as pcap:
        net = Network(pcap, utc_us(2026, 1, 14, 10, 3, 41, 500000))
        pc = Host("10.1.20.40", ttl=128, mac="3c:52:82:4a:22:c1", first_port=61002)
        resolver = Host("10.1.0.53", ttl=63, mac=GATEWAY_MAC)
        pc6 = Host("fd12:3456:789a:14::40", ttl=128, mac="3c:52:82:4a:22:c1")
        resolver6 = Host("fd12:3456:789a::53", ttl=63, mac=GATEWAY_MAC)
        benign_v4(net, pc, resolver)
        net.wait(700)
        benign_v6(net, resolver6, pc6)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    write_autodetect(os.path.join(out, "example-com-autodetect.pcap"))
    write_autodetect_decrypted(os.path.join(out, "example-com-autodetect-decrypted.pcap"))
    write_benign(os.path.join(out, "benign.pcap"))


if __name__ == "__main__":
    main()
