/* test_autodiscover.c: autodiscover / autodetect / autoconfig bodies and URLs (MS-OXDSCLI 2.2.3-2.2.4 and 4, MS-OXDISCO, Thunderbird autoconfig) on realistic vectors, every truncation of each, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/autodiscover.h"

/* One result at a time: the struct is ~18 KiB. */
static struct ad_result res;

/* ---- vectors ---- */

/* The January 2026 case: GET /autodetect/detect?app=outlookdesktop&protocol=imap for
 * user@example.com, answered by prod.autodetect.outlook.cloud.microsoft. */
static const char autodetect_json[] =
	"{\"email\":\"user@example.com\",\"services\":[],\"protocols\":["
	"{\"protocol\":\"imap\",\"hostname\":\"imapgms.jnet.sei.co.jp\",\"port\":993,"
	"\"encryption\":\"ssl\",\"username\":\"user@example.com\",\"validated\":false},"
	"{\"protocol\":\"smtp\",\"hostname\":\"smtpgms.jnet.sei.co.jp\",\"port\":465,"
	"\"encryption\":\"ssl\",\"username\":\"user@example.com\",\"validated\":false}]}";

/* autodiscover.json v2 (GET /autodiscover/autodiscover.json/v1.0/user@contoso.com?Protocol=AutodiscoverV1). */
static const char v2_json[] =
	"{\"Protocol\":\"AutodiscoverV1\","
	"\"Url\":\"https://outlook.office365.com/autodiscover/autodiscover.xml\"}";

/* An autodetect answer for a Microsoft-hosted mailbox: a REST service and an IMAP protocol. */
static const char autodetect_services_json[] =
	"{\"email\":\"Someone@Contoso.COM\",\"services\":[{\"service\":\"exchange\","
	"\"protocol\":\"rest\",\"url\":\"https://outlook.office.com/api\",\"aad\":"
	"\"https://outlook.office.com\"}],\"protocols\":[{\"protocol\":\"imap\","
	"\"hostname\":\"outlook.office365.com\",\"port\":993,\"encryption\":\"ssl\","
	"\"username\":\"someone@contoso.com\",\"validated\":false}]}";

static const char pox_request[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">"
	"<Request><EMailAddress>user@example.com</EMailAddress>"
	"<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>"
	"</Request></Autodiscover>\r\n";

static const char pox_response[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
	"  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
	"    <User>\n"
	"      <DisplayName>Test User</DisplayName>\n"
	"      <LegacyDN>/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=user</LegacyDN>\n"
	"      <AutoDiscoverSMTPAddress>user@example.com</AutoDiscoverSMTPAddress>\n"
	"      <DeploymentId>644560b8-a1ce-429c-8ace-23395843f701</DeploymentId>\n"
	"    </User>\n"
	"    <Account>\n"
	"      <AccountType>email</AccountType>\n"
	"      <Action>settings</Action>\n"
	"      <Protocol>\n"
	"        <Type>EXCH</Type>\n"
	"        <Server>MBX01.Mail.Internal.Contoso.com</Server>\n"
	"        <ServerDN>/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=MBX01</ServerDN>\n"
	"        <ServerVersion>738180DA</ServerVersion>\n"
	"        <ASUrl>https://mail.contoso.com/EWS/Exchange.asmx</ASUrl>\n"
	"        <OOFUrl>https://mail.contoso.com/EWS/Exchange.asmx</OOFUrl>\n"
	"        <OABUrl>https://mail.contoso.com/OAB/d29844a9-724e-468c-8820-0f7b345b767b/</OABUrl>\n"
	"      </Protocol>\n"
	"      <Protocol>\n"
	"        <Type>EXPR</Type>\n"
	"        <Server>mail.contoso.com</Server>\n"
	"        <SSL>On</SSL>\n"
	"        <AuthPackage>Ntlm</AuthPackage>\n"
	"        <EwsUrl>https://mail.contoso.com/EWS/Exchange.asmx</EwsUrl>\n"
	"      </Protocol>\n"
	"      <Protocol>\n"
	"        <Type>WEB</Type>\n"
	"        <Internal>\n"
	"          <OWAUrl AuthenticationMethod=\"Basic, Fba\">https://mail.contoso.com/owa/</OWAUrl>\n"
	"          <Protocol>\n"
	"            <Type>EXCH</Type>\n"
	"            <ASUrl>https://mail.contoso.com/EWS/Exchange.asmx</ASUrl>\n"
	"          </Protocol>\n"
	"        </Internal>\n"
	"      </Protocol>\n"
	"      <Protocol>\n"
	"        <Type>IMAP</Type>\n"
	"        <Server>imap.contoso.com</Server>\n"
	"        <Port>993</Port>\n"
	"        <LoginName>user@Example.COM</LoginName>\n"
	"        <SSL>on</SSL>\n"
	"        <SPA>off</SPA>\n"
	"        <AuthRequired>on</AuthRequired>\n"
	"      </Protocol>\n"
	"      <Protocol>\n"
	"        <Type>SMTP</Type>\n"
	"        <Server>smtp.contoso.com.</Server>\n"
	"        <Port>587</Port>\n"
	"        <Encryption>TLS</Encryption>\n"
	"        <LoginName>CONTOSO\\user</LoginName>\n"
	"      </Protocol>\n"
	"    </Account>\n"
	"  </Response>\n"
	"</Autodiscover>\n";

/* MS-OXDSCLI 4.2: redirect to a new address, and to a new URL. */
static const char pox_redirect_addr[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
	"  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
	"    <Account>\n"
	"      <Action>redirectAddr</Action>\n"
	"      <RedirectAddr>user@Subdomain.Contoso.com</RedirectAddr>\n"
	"    </Account>\n"
	"  </Response>\n"
	"</Autodiscover>\n";

static const char pox_redirect_url[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
	"  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
	"    <Account>\n"
	"      <Action>redirectUrl</Action>\n"
	"      <RedirectUrl>https://autodiscover.contoso.net/autodiscover/autodiscover.xml</RedirectUrl>\n"
	"    </Account>\n"
	"  </Response>\n"
	"</Autodiscover>\n";

static const char pox_error[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
	"  <Response>\n"
	"    <Error Time=\"16:48:40.9226048\" Id=\"1587962347\">\n"
	"      <ErrorCode>500</ErrorCode>\n"
	"      <Message>The email address can't be found.</Message>\n"
	"      <DebugData />\n"
	"    </Error>\n"
	"  </Response>\n"
	"</Autodiscover>\n";

/* Exchange ActiveSync (mobilesync) response: Action/Settings/Server holds Type and Url. */
static const char mobilesync_response[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Autodiscover xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	"xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
	"  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006\">\n"
	"    <Culture>en:us</Culture>\n"
	"    <User>\n"
	"      <DisplayName>Test User</DisplayName>\n"
	"      <EMailAddress>user@example.org</EMailAddress>\n"
	"    </User>\n"
	"    <Action>\n"
	"      <Settings>\n"
	"        <Server>\n"
	"          <Type>MobileSync</Type>\n"
	"          <Url>https://eas.contoso.com/Microsoft-Server-ActiveSync</Url>\n"
	"          <Name>https://eas.contoso.com/Microsoft-Server-ActiveSync</Name>\n"
	"        </Server>\n"
	"      </Settings>\n"
	"    </Action>\n"
	"  </Response>\n"
	"</Autodiscover>\n";

/* Thunderbird autoconfig (config-v1.1.xml) as an ISP publishes it. */
static const char autoconfig_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!-- served from https://autoconfig.example.com/mail/config-v1.1.xml -->\n"
	"<clientConfig version=\"1.1\">\n"
	"  <emailProvider id=\"example.com\">\n"
	"    <domain>example.com</domain>\n"
	"    <displayName>Example Mail</displayName>\n"
	"    <displayShortName>Example</displayShortName>\n"
	"    <incomingServer type=\"imap\">\n"
	"      <hostname>imap.example.net</hostname>\n"
	"      <port>993</port>\n"
	"      <socketType>SSL</socketType>\n"
	"      <authentication>password-cleartext</authentication>\n"
	"      <username>%EMAILADDRESS%</username>\n"
	"    </incomingServer>\n"
	"    <incomingServer type='pop3'>\n"
	"      <hostname>pop.example.net</hostname>\n"
	"      <port>995</port>\n"
	"      <socketType>SSL</socketType>\n"
	"      <authentication>password-cleartext</authentication>\n"
	"      <username>%EMAILLOCALPART%</username>\n"
	"    </incomingServer>\n"
	"    <outgoingServer type=\"smtp\">\n"
	"      <hostname>smtp.example.net</hostname>\n"
	"      <port>587</port>\n"
	"      <socketType>STARTTLS</socketType>\n"
	"      <authentication>password-cleartext</authentication>\n"
	"      <username>alice@Example.com</username>\n"
	"    </outgoingServer>\n"
	"    <documentation url=\"https://example.com/help/mail\">\n"
	"      <descr lang=\"en\">Generic settings page</descr>\n"
	"    </documentation>\n"
	"  </emailProvider>\n"
	"</clientConfig>\n";

struct vector {
	const char *name;
	const char *body;
	enum ad_format fmt;
};

static const struct vector vectors[] = {
	{ "autodetect", autodetect_json, AD_JSON },
	{ "v2", v2_json, AD_JSON },
	{ "autodetect services", autodetect_services_json, AD_JSON },
	{ "pox request", pox_request, AD_XML },
	{ "pox response", pox_response, AD_XML },
	{ "pox redirectAddr", pox_redirect_addr, AD_XML },
	{ "pox redirectUrl", pox_redirect_url, AD_XML },
	{ "pox error", pox_error, AD_XML },
	{ "mobilesync", mobilesync_response, AD_XML },
	{ "autoconfig", autoconfig_xml, AD_XML },
};

/* ---- helpers ---- */

static enum dis_status parse_n(const void *body, size_t len, enum ad_format fmt)
{
	return autodiscover_parse(body, len, fmt, &res);
}

static enum dis_status parse(const char *body, enum ad_format fmt)
{
	return parse_n(body, strlen(body), fmt);
}

/* Every kept string lies in the arena, is NUL-terminated there, valid UTF-8, and has no
 * control bytes: the record writer can take it as it is. */
static void check_string(const char *s)
{
	if (!s)
		return;
	assert_true(s >= res.arena && s < res.arena + sizeof res.arena);
	size_t n = strnlen(s, (size_t)(res.arena + sizeof res.arena - s));
	assert_true(s + n < res.arena + sizeof res.arena);
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		uint8_t b = p[i];
		assert_true(b >= 0x20 && b != 0x7f);
		size_t k = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
		assert_true(b < 0x80 || (b >= 0xc2 && b <= 0xf4));
		assert_true(i + k <= n);
		for (size_t j = 1; j < k; j++)
			assert_true(p[i + j] >= 0x80 && p[i + j] <= 0xbf);
		i += k;
	}
}

static void check_result(void)
{
	assert_true(res.n_mailbox <= AD_MAX_MAILBOXES);
	assert_true(res.n_server <= AD_MAX_SERVERS);
	assert_true(res.arena_used <= sizeof res.arena);
	check_string(res.action);
	check_string(res.error);
	for (unsigned i = 0; i < res.n_mailbox; i++) {
		assert_non_null(res.mailbox[i].addr);
		assert_non_null(strchr(res.mailbox[i].addr, '@'));
		check_string(res.mailbox[i].addr);
	}
	for (unsigned i = 0; i < res.n_server; i++) {
		const struct ad_server *v = &res.server[i];
		assert_non_null(v->source);
		check_string(v->protocol);
		check_string(v->host);
		check_string(v->url);
		check_string(v->username);
		check_string(v->encryption);
	}
}

static void assert_server(unsigned i, const char *protocol, const char *host, unsigned port,
			  const char *source)
{
	assert_true(i < res.n_server);
	const struct ad_server *v = &res.server[i];
	if (protocol)
		assert_string_equal(v->protocol, protocol);
	else
		assert_null(v->protocol);
	if (host)
		assert_string_equal(v->host, host);
	else
		assert_null(v->host);
	assert_int_equal(v->port, port);
	assert_string_equal(v->source, source);
}

static void assert_mailbox(unsigned i, const char *addr, const char *source, bool redirect)
{
	assert_true(i < res.n_mailbox);
	assert_string_equal(res.mailbox[i].addr, addr);
	assert_string_equal(res.mailbox[i].source, source);
	assert_int_equal(res.mailbox[i].redirect, redirect);
}

/* A server container around fields, as a POX response carries it. */
static enum dis_status parse_protocol(const char *inner)
{
	static char buf[8192];
	snprintf(buf, sizeof buf,
		 "<Autodiscover><Response><Account><Protocol>%s</Protocol></Account></Response>"
		 "</Autodiscover>", inner);
	return parse(buf, AD_XML);
}

/* ---- formats and fields ---- */

static void test_autodetect_case(void **state)
{
	(void)state;
	assert_int_equal(parse(autodetect_json, AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.fmt, AD_JSON);
	assert_int_equal(res.n_mailbox, 1); /* email and both usernames are one address */
	assert_mailbox(0, "user@example.com", "email", false);
	assert_int_equal(res.n_server, 2);
	assert_server(0, "imap", "imapgms.jnet.sei.co.jp", 993, "hostname");
	assert_server(1, "smtp", "smtpgms.jnet.sei.co.jp", 465, "hostname");
	assert_string_equal(res.server[0].encryption, "ssl");
	assert_string_equal(res.server[0].username, "user@example.com");
	assert_null(res.server[0].url);
	assert_false(res.server[0].redirect);
	assert_false(res.truncated);
	assert_int_equal(res.ignored, 0);
	assert_null(res.reason);
}

static void test_v2_json(void **state)
{
	(void)state;
	assert_int_equal(parse(v2_json, AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 1);
	assert_server(0, "autodiscoverv1", "outlook.office365.com", 443, "url");
	assert_string_equal(res.server[0].url,
			    "https://outlook.office365.com/autodiscover/autodiscover.xml");
	assert_int_equal(res.n_mailbox, 0);
}

static void test_autodetect_services(void **state)
{
	(void)state;
	assert_int_equal(parse(autodetect_services_json, AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.n_mailbox, 2); /* a local part keeps its case (RFC 5321 2.4) */
	assert_mailbox(0, "Someone@contoso.com", "email", false);
	assert_mailbox(1, "someone@contoso.com", "username", false);
	assert_int_equal(res.n_server, 2);
	assert_server(0, "rest", "outlook.office.com", 443, "url");
	assert_server(1, "imap", "outlook.office365.com", 993, "hostname");
	assert_string_equal(res.server[1].username, "someone@contoso.com");
}

static void test_json_errors_and_redirects(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"ErrorCode\":\"InternalServerError\",\"ErrorMessage\":\"x\"}",
			       AD_JSON), DIS_OK);
	assert_string_equal(res.error, "InternalServerError");
	assert_int_equal(parse("{\"RedirectUrl\":\"https://AutoDiscover.Contoso.NET./a\","
			       "\"redirectAddr\":\"u@Contoso.NET\",\"redirect\":\"v@contoso.org\"}",
			       AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 1);
	assert_server(0, NULL, "autodiscover.contoso.net", 443, "redirectUrl");
	assert_true(res.server[0].redirect);
	assert_int_equal(res.n_mailbox, 2);
	assert_mailbox(0, "u@contoso.net", "redirectAddr", true);
	assert_mailbox(1, "v@contoso.org", "redirect", true);
	assert_int_equal(parse("{\"redirect\":\"http://a.example:8080/x\"}", AD_JSON), DIS_OK);
	assert_server(0, NULL, "a.example", 8080, "redirect");
	assert_true(res.server[0].redirect);
}

static void test_pox_request(void **state)
{
	(void)state;
	assert_int_equal(parse(pox_request, AD_XML), DIS_OK);
	check_result();
	assert_int_equal(res.fmt, AD_XML);
	assert_true(res.request);
	assert_int_equal(res.n_mailbox, 1);
	assert_mailbox(0, "user@example.com", "EMailAddress", false);
	assert_int_equal(res.n_server, 0);
	assert_null(res.reason);
}

static void test_pox_response(void **state)
{
	(void)state;
	assert_int_equal(parse(pox_response, AD_XML), DIS_OK);
	check_result();
	assert_false(res.request);
	assert_string_equal(res.action, "settings");
	assert_int_equal(res.n_mailbox, 1); /* AutoDiscoverSMTPAddress and the IMAP LoginName */
	assert_mailbox(0, "user@example.com", "AutoDiscoverSMTPAddress", false);
	assert_int_equal(res.n_server, 10);
	assert_server(0, "exch", "mbx01.mail.internal.contoso.com", 0, "Server");
	assert_server(1, "exch", "mail.contoso.com", 443, "ASUrl");
	assert_string_equal(res.server[1].url, "https://mail.contoso.com/EWS/Exchange.asmx");
	assert_server(2, "exch", "mail.contoso.com", 443, "OOFUrl");
	assert_server(3, "exch", "mail.contoso.com", 443, "OABUrl");
	assert_server(4, "expr", "mail.contoso.com", 0, "Server");
	assert_string_equal(res.server[4].encryption, "on");
	assert_server(5, "expr", "mail.contoso.com", 443, "EwsUrl");
	assert_server(6, "web", "mail.contoso.com", 443, "OWAUrl");
	assert_server(7, "exch", "mail.contoso.com", 443, "ASUrl"); /* WEB/Internal/Protocol */
	assert_server(8, "imap", "imap.contoso.com", 993, "Server");
	assert_string_equal(res.server[8].username, "user@example.com");
	assert_string_equal(res.server[8].encryption, "on");
	assert_server(9, "smtp", "smtp.contoso.com", 587, "Server");
	assert_string_equal(res.server[9].encryption, "tls");
	assert_string_equal(res.server[9].username, "CONTOSO\\user");
	assert_null(res.server[9].url);
	assert_int_equal(res.ignored, 0);
}

static void test_pox_redirects(void **state)
{
	(void)state;
	assert_int_equal(parse(pox_redirect_addr, AD_XML), DIS_OK);
	check_result();
	assert_string_equal(res.action, "redirectAddr");
	assert_int_equal(res.n_mailbox, 1);
	assert_mailbox(0, "user@subdomain.contoso.com", "RedirectAddr", true);
	assert_int_equal(res.n_server, 0);

	assert_int_equal(parse(pox_redirect_url, AD_XML), DIS_OK);
	check_result();
	assert_string_equal(res.action, "redirectUrl");
	assert_int_equal(res.n_server, 1);
	assert_server(0, NULL, "autodiscover.contoso.net", 443, "RedirectUrl");
	assert_true(res.server[0].redirect);
	assert_string_equal(res.server[0].url,
			    "https://autodiscover.contoso.net/autodiscover/autodiscover.xml");
}

static void test_pox_error(void **state)
{
	(void)state;
	assert_int_equal(parse(pox_error, AD_XML), DIS_OK);
	check_result();
	assert_string_equal(res.error, "500");
	assert_int_equal(res.n_server, 0);
}

static void test_mobilesync(void **state)
{
	(void)state;
	assert_int_equal(parse(mobilesync_response, AD_XML), DIS_OK);
	check_result();
	assert_null(res.action); /* mobilesync's Action is a container, not a value */
	assert_int_equal(res.n_mailbox, 1);
	assert_mailbox(0, "user@example.org", "EMailAddress", false);
	assert_int_equal(res.n_server, 1);
	assert_server(0, "mobilesync", "eas.contoso.com", 443, "Url");
}

static void test_autoconfig(void **state)
{
	(void)state;
	assert_int_equal(parse(autoconfig_xml, AD_XML), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 3);
	assert_server(0, "imap", "imap.example.net", 993, "hostname");
	assert_string_equal(res.server[0].encryption, "ssl");
	assert_string_equal(res.server[0].username, "%EMAILADDRESS%");
	assert_server(1, "pop3", "pop.example.net", 995, "hostname");
	assert_server(2, "smtp", "smtp.example.net", 587, "hostname");
	assert_string_equal(res.server[2].encryption, "starttls");
	assert_string_equal(res.server[2].username, "alice@example.com");
	assert_int_equal(res.n_mailbox, 1); /* placeholders are not addresses */
	assert_mailbox(0, "alice@example.com", "username", false);
}

/* ---- XML details ---- */

static void test_entities(void **state)
{
	(void)state;
	assert_int_equal(parse_protocol("<Type>IMAP</Type>"
					"<Server>imap&#46;example&#x2E;NET</Server>"
					"<LoginName>a&amp;b&lt;c&gt;d&quot;e&apos;f</LoginName>"
					"<ASUrl>https://h.example/?a=1&amp;b=2&#x20AC;</ASUrl>"),
			 DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 2);
	assert_server(0, "imap", "imap.example.net", 0, "Server");
	assert_string_equal(res.server[0].username, "a&b<c>d\"e'f");
	assert_string_equal(res.server[1].url, "https://h.example/?a=1&b=2\xe2\x82\xac");
	/* Entities are case-sensitive and only these five exist. */
	assert_int_equal(parse_protocol("<Server>a&AMP;b</Server>"), DIS_MALFORMED);
	assert_string_equal(res.reason, "unknown entity reference");
	assert_int_equal(parse_protocol("<Server>a&nbsp;b</Server>"), DIS_MALFORMED);
	assert_int_equal(parse_protocol("<Server>a&b</Server>"), DIS_MALFORMED);
	assert_int_equal(parse_protocol("<Server>a&#1114111;b</Server>"), DIS_OK);
	assert_int_equal(parse_protocol("<Server>&#x1F600;</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "\\240\\159\\152\\128"); /* a host is ASCII */
}

static void test_bad_charrefs(void **state)
{
	static const char *const bad[] = {
		"&#x110000;", "&#1114112;", "&#0;", "&#x0;", "&#xD800;", "&#xdfff;", "&#xFFFE;",
		"&#1;", "&#;", "&#x;", "&#12a;", "&#xG;", "&#99999999999999999999;",
		"&#x00000000000041;",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char buf[128];
		snprintf(buf, sizeof buf, "<Type>IMAP</Type><Server>a%sb</Server>", bad[i]);
		assert_int_equal(parse_protocol(buf), DIS_MALFORMED);
		check_result();
		assert_non_null(res.reason);
	}
	assert_int_equal(parse_protocol("<Server>&#9;&#xA;&#13;x</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "x");
}

static void test_prefixes_and_case(void **state)
{
	(void)state;
	assert_int_equal(parse("<a:Autodiscover xmlns:a=\"urn:x\"><a:Response><a:Account>"
			       "<a:Protocol><a:Type>IMAP</a:Type><a:Server>IMAP.Example.Net</a:Server>"
			       "<b:PORT xmlns:b=\"urn:y\">143</b:PORT></a:Protocol>"
			       "</a:Account></a:Response></a:Autodiscover>", AD_XML), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 1);
	assert_server(0, "imap", "imap.example.net", 143, "Server");
	/* Mismatched end tags are an error, whatever the case. */
	assert_int_equal(parse("<a><SERVER></server></A>", AD_XML), DIS_OK);
	assert_int_equal(parse("<a><b></c></a>", AD_XML), DIS_MALFORMED);
	assert_string_equal(res.reason, "end tag does not match its start tag");
}

static void test_cdata_comments_pi(void **state)
{
	(void)state;
	assert_int_equal(parse("<?xml version=\"1.0\"?>\n<!DOCTYPE Autodiscover [\n"
			       "<!ENTITY x \"<Server>evil.example</Server>\">\n]>\n"
			       "<!-- a comment with <Server>x</Server> -->"
			       "<Autodiscover><Response><Account><Protocol><Type>IMAP</Type>"
			       "<Server><![CDATA[ mail.example.net ]]></Server>"
			       "<?pi <Server>y</Server> ?><!-- <Port>1</Port> -->"
			       "<Port> 9<![CDATA[93]]> </Port>"
			       "<LoginName><![CDATA[a&amp;b]]></LoginName>"
			       "</Protocol></Account></Response></Autodiscover>\n<!-- after -->\n",
			       AD_XML), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 1);
	assert_server(0, "imap", "mail.example.net", 993, "Server");
	assert_string_equal(res.server[0].username, "a&amp;b");
}

static void test_type_attribute(void **state)
{
	(void)state;
	assert_int_equal(parse("<Autodiscover><Response><Account>"
			       "<Protocol Type=\"mapiHttp\" Version=\"1\"><MailStore>"
			       "<InternalUrl>https://mapi.contoso.com/mapi/emsmdb/?MailboxId=x@contoso.com</InternalUrl>"
			       "<ExternalUrl>https://user:secret@Mapi.Contoso.com:8443/mapi/</ExternalUrl>"
			       "</MailStore></Protocol></Account></Response></Autodiscover>", AD_XML),
			 DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 2);
	assert_server(0, "mapihttp", "mapi.contoso.com", 443, "InternalUrl");
	assert_server(1, "mapihttp", "mapi.contoso.com", 8443, "ExternalUrl");
	/* the password never reaches the result */
	assert_string_equal(res.server[1].url, "https://Mapi.Contoso.com:8443/mapi/");
	assert_null(strstr(res.arena, "secret"));
	/* xmlns:type declares a prefix; it is not a Type */
	assert_int_equal(parse("<r><incomingServer xmlns:type=\"urn:x\"><hostname>h.example</hostname>"
			       "</incomingServer></r>", AD_XML), DIS_OK);
	assert_server(0, NULL, "h.example", 0, "hostname");
}

static void test_hosts(void **state)
{
	(void)state;
	assert_int_equal(parse_protocol("<Server> MAIL.Example.COM. </Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "mail.example.com");
	assert_int_equal(parse_protocol("<Server>mail.example.com:993</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "mail.example.com");
	/* Exchange Online names the EXCH server mailbox-guid@tenant-domain. */
	assert_int_equal(parse_protocol("<Type>EXCH</Type><Server>"
					"bb06e9c4-6bd0-4ec4-a04f-bcd5a8b1b4a9@Contoso.com</Server>"),
			 DIS_OK);
	assert_string_equal(res.server[0].host, "contoso.com");
	assert_int_equal(parse_protocol("<Server>https://Mail.Example.com:443/owa</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "mail.example.com");
	assert_null(res.server[0].url);
	assert_int_equal(parse("{\"hostname\":\"imaps://IMAP.example.com\"}", AD_JSON), DIS_OK);
	assert_string_equal(res.server[0].host, "imap.example.com");
	assert_int_equal(parse_protocol("<Server>2001:db8::1</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "2001:db8::1");
	assert_int_equal(parse_protocol("<Server>[2001:DB8::1]:993</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "2001:db8::1");
	assert_int_equal(parse_protocol("<Server>a b\\c\x01</Server>"), DIS_OK);
	assert_string_equal(res.server[0].host, "a\\032b\\\\c\\001");
	/* URL forms */
	assert_int_equal(parse_protocol("<Url>https://[2001:db8::2]:8443/x</Url>"
					"<Url>HTTP://Host.Example/x</Url>"
					"<Url>host.example:8080/ews</Url>"
					"<Url>/relative/path</Url>"
					"<Url>mailto:user@example.com</Url>"
					"<Url>https://h.example\\@evil.example/</Url>"
					"<Url>ftp://h.example/</Url>"
					"<Url>https://h.example:99999/</Url>"),
			 DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 8);
	assert_server(0, NULL, "2001:db8::2", 8443, "Url");
	assert_server(1, NULL, "host.example", 80, "Url");
	assert_server(2, NULL, "host.example", 8080, "Url");
	assert_server(3, NULL, NULL, 0, "Url");
	assert_server(4, NULL, NULL, 0, "Url");
	assert_server(5, NULL, "h.example", 443, "Url"); /* backslash ends the authority */
	assert_server(6, NULL, "h.example", 0, "Url");
	assert_server(7, NULL, "h.example", 443, "Url");
}

static void test_addresses(void **state)
{
	(void)state;
	assert_int_equal(parse("<Autodiscover><Request><EMailAddress> User.Name@EXAMPLE.COM. "
			       "</EMailAddress></Request></Autodiscover>", AD_XML), DIS_OK);
	assert_mailbox(0, "User.Name@example.com", "EMailAddress", false);
	static const char *const not_addresses[] = {
		"user", "@example.com", "user@", "user@.example.com", "us er@example.com",
		"user@exa/mple.com", "user@example.com\x01", "user@\xff.com",
	};
	for (size_t i = 0; i < sizeof not_addresses / sizeof not_addresses[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "<a><EMailAddress>%s</EMailAddress></a>", not_addresses[i]);
		assert_int_equal(parse(buf, AD_XML), DIS_OK);
		assert_int_equal(res.n_mailbox, 0);
		assert_int_equal(res.ignored, 1);
	}
	/* UTF-8 local parts and IDN domains are kept as they are. */
	assert_int_equal(parse("<a><EMailAddress>j\xc3\xb6rg@B\xc3\xbc" "cher.example</EMailAddress></a>",
			       AD_XML), DIS_OK);
	assert_mailbox(0, "j\xc3\xb6rg@b\xc3\xbc" "cher.example", "EMailAddress", false);
}

static void test_limits_counted(void **state)
{
	static char buf[32768];
	size_t n = 0;
	(void)state;
	n += (size_t)snprintf(buf + n, sizeof buf - n, "<a>");
	for (int i = 0; i < AD_MAX_MAILBOXES + 3; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n,
				      "<EMailAddress>u%d@example.com</EMailAddress>", i);
	for (int i = 0; i < AD_MAX_SERVERS + 5; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n,
				      "<Protocol><Type>IMAP</Type><Server>h%d.example</Server></Protocol>", i);
	snprintf(buf + n, sizeof buf - n, "</a>");
	assert_int_equal(parse(buf, AD_XML), DIS_OK);
	check_result();
	assert_int_equal(res.n_mailbox, AD_MAX_MAILBOXES);
	assert_int_equal(res.mailboxes_dropped, 3);
	assert_int_equal(res.n_server, AD_MAX_SERVERS);
	assert_int_equal(res.servers_dropped, 5);
	assert_string_equal(res.server[AD_MAX_SERVERS - 1].host, "h31.example");
}

static void test_hostless_protocol(void **state)
{
	(void)state;
	/* SSL and LoginName without a Server name no server: no entry. */
	assert_int_equal(parse_protocol("<Type>POP3</Type><SSL>on</SSL><Port>995</Port>"
					"<ASUrl>https://x.example/</ASUrl>"), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 1);
	assert_server(0, "pop3", "x.example", 443, "ASUrl");
	/* Fields outside any container are not servers. */
	assert_int_equal(parse("<a><Server>x.example</Server><Port>1</Port></a>", AD_XML), DIS_OK);
	assert_int_equal(res.n_server, 0);
	/* A bad port is counted. */
	assert_int_equal(parse_protocol("<Server>x.example</Server><Port>0</Port>"), DIS_OK);
	assert_int_equal(res.ignored, 1);
	assert_int_equal(res.server[0].port, 0);
	assert_int_equal(parse_protocol("<Server>x.example</Server><Port>65536</Port>"), DIS_OK);
	assert_int_equal(res.ignored, 1);
	/* Mixed content is not a value. */
	assert_int_equal(parse_protocol("<Server>x<b/>.example</Server>"), DIS_OK);
	assert_int_equal(res.n_server, 0);
}

static void test_bom_and_whitespace(void **state)
{
	static const char body[] = "\xef\xbb\xbf  \r\n<a><EMailAddress>u@example.com</EMailAddress></a>";
	(void)state;
	assert_int_equal(parse(body, AD_XML), DIS_OK);
	assert_int_equal(res.n_mailbox, 1);
	static const char jbody[] = "\xef\xbb\xbf {\"email\":\"u@example.com\"} \n";
	assert_int_equal(parse(jbody, AD_JSON), DIS_OK);
	assert_int_equal(res.n_mailbox, 1);
}

static void test_malformed_xml(void **state)
{
	static const struct {
		const char *body;
		enum dis_status st;
	} cases[] = {
		{ "", DIS_SHORT },
		{ "   \n", DIS_SHORT },
		{ "<?xml version=\"1.0\"?>", DIS_SHORT },
		{ "hello", DIS_MALFORMED },
		{ "<a>x</a>trailing", DIS_MALFORMED },
		{ "<a></a><b></b>", DIS_MALFORMED },
		{ "</a>", DIS_MALFORMED },
		{ "<>", DIS_MALFORMED },
		{ "< a>", DIS_MALFORMED },
		{ "<a b>", DIS_MALFORMED },
		{ "<a b=c>", DIS_MALFORMED },
		{ "<a =\"c\">", DIS_MALFORMED },
		{ "<a/ >", DIS_MALFORMED },
		{ "<a></a b>", DIS_MALFORMED },
		{ "<a><!DOCTYPE x></a>", DIS_MALFORMED },
		{ "<![CDATA[x]]><a/>", DIS_MALFORMED },
		{ "<a><b<c></a>", DIS_MALFORMED },
		{ "<a>&#x110000;</a>", DIS_MALFORMED },
		{ "<a>&verylongentityname;</a>", DIS_MALFORMED },
		{ "<a><!-- never ends", DIS_SHORT },
		{ "<a><![CDATA[ never ends", DIS_SHORT },
		{ "<a><?pi never ends", DIS_SHORT },
		{ "<!DOCTYPE a [ <!ENTITY x \"]>\"> ", DIS_SHORT },
		{ "<a b=\"never ends", DIS_SHORT },
		{ "<a>", DIS_SHORT },
		{ "<a/>", DIS_OK },
		{ "<a b='1' c = \"2\" />", DIS_OK },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum dis_status st = parse(cases[i].body, AD_XML);
		if (st != cases[i].st)
			fail_msg("case %zu (%s): got %d, want %d (%s)", i, cases[i].body, st,
				 cases[i].st, res.reason ? res.reason : "-");
		if (st != DIS_OK)
			assert_non_null(res.reason);
		check_result();
	}
	/* What came before an error is kept. */
	assert_int_equal(parse("<a><EMailAddress>u@example.com</EMailAddress><b>&bogus;</b></a>",
			       AD_XML), DIS_MALFORMED);
	assert_int_equal(res.n_mailbox, 1);
	assert_int_equal(parse_n(NULL, 0, AD_XML), DIS_SHORT);
	assert_int_equal(parse_n("<a/>", 4, AD_NONE), DIS_MALFORMED);
}

/* ---- hostile input ---- */

static void test_deep_nesting(void **state)
{
	static char buf[60000];
	size_t n = 0;
	(void)state;
	n += (size_t)snprintf(buf, sizeof buf, "<a><EMailAddress>u@example.com</EMailAddress>");
	for (int i = 0; i < 10000; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "<b>");
	assert_int_equal(parse_n(buf, n, AD_XML), DIS_MALFORMED);
	assert_string_equal(res.reason, "elements nested deeper than AD_MAX_DEPTH");
	assert_int_equal(res.n_mailbox, 1);

	/* JSON: deeper than jansson allows, and deeper than we walk. */
	memset(buf, '[', 10000);
	assert_int_equal(parse_n(buf, 10000, AD_JSON), DIS_MALFORMED); /* jansson stops at 2048 */
	assert_string_equal(res.reason, "JSON nested deeper than the parser allows");
	memset(buf + 10000, ']', 10000);
	assert_int_equal(parse_n(buf, 20000, AD_JSON), DIS_MALFORMED);
	assert_non_null(res.reason);
	n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"x\":");
	n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"hostname\":\"h.example\"}");
	for (int i = 0; i < 100; i++)
		buf[n++] = '}';
	assert_int_equal(parse_n(buf, n, AD_JSON), DIS_MALFORMED);
	assert_string_equal(res.reason, "JSON nested deeper than AD_MAX_DEPTH");
	assert_int_equal(res.n_server, 0);
}

static void test_huge_text(void **state)
{
	size_t big = 1u << 20;
	char *buf = malloc(big + 256);
	(void)state;
	assert_non_null(buf);
	/* A 1 MB text node: the body is read to AD_MAX_BODY and reported cut. */
	size_t n = (size_t)sprintf(buf, "<a><Protocol><Type>IMAP</Type><Server>");
	memset(buf + n, 'a', big);
	n += big;
	n += (size_t)sprintf(buf + n, "</Server></Protocol></a>");
	assert_int_equal(parse_n(buf, n, AD_XML), DIS_SHORT);
	assert_string_equal(res.reason, "body longer than AD_MAX_BODY");
	assert_true(res.truncated);
	check_result();
	/* A 50 KB one inside the cap: parsed, the value dropped (a cut name is another name). */
	n = (size_t)sprintf(buf, "<a><Protocol><Type>IMAP</Type><Server>");
	memset(buf + n, 'a', 50000);
	n += 50000;
	n += (size_t)sprintf(buf + n, "</Server><Url>https://u.example/");
	memset(buf + n, 'p', 3000);
	n += 3000;
	n += (size_t)sprintf(buf + n, "</Url><Url>https://");
	memset(buf + n, 'h', 3000);
	n += 3000;
	n += (size_t)sprintf(buf + n, "</Url></Protocol><EMailAddress>");
	memset(buf + n, 'e', 3000);
	n += 3000;
	n += (size_t)sprintf(buf + n, "@example.com</EMailAddress></a>");
	assert_int_equal(parse_n(buf, n, AD_XML), DIS_OK);
	check_result();
	assert_true(res.truncated);
	assert_int_equal(res.n_server, 2);
	assert_server(0, "imap", "u.example", 443, "Url"); /* the host came before the cut */
	assert_int_equal(strlen(res.server[0].url), AD_MAX_TEXT);
	assert_server(1, "imap", NULL, 0, "Url");
	assert_int_equal(res.n_mailbox, 0);
	assert_int_equal(res.ignored, 2);
	/* Leading whitespace does not push a value out. */
	n = (size_t)sprintf(buf, "<a><EMailAddress>");
	memset(buf + n, ' ', 50000);
	n += 50000;
	n += (size_t)sprintf(buf + n, "u@example.com</EMailAddress></a>");
	assert_int_equal(parse_n(buf, n, AD_XML), DIS_OK);
	assert_int_equal(res.n_mailbox, 1);
	/* JSON strings are held to AD_MAX_TEXT too. */
	n = (size_t)sprintf(buf, "{\"hostname\":\"");
	memset(buf + n, 'a', 50000);
	n += 50000;
	n += (size_t)sprintf(buf + n, "\",\"url\":\"https://u.example/");
	memset(buf + n, 'a', 5000);
	n += 5000;
	n += (size_t)sprintf(buf + n, "\"}");
	assert_int_equal(parse_n(buf, n, AD_JSON), DIS_OK);
	check_result();
	assert_true(res.truncated);
	assert_int_equal(res.n_server, 1);
	assert_server(0, NULL, "u.example", 443, "url");
	free(buf);
}

static void test_arena_full(void **state)
{
	static char buf[65536];
	size_t n = 0;
	(void)state;
	/* URLs near AD_MAX_TEXT fill the arena; later strings are lost and marked, never cut. */
	n += (size_t)snprintf(buf, sizeof buf, "<a>");
	for (int i = 0; i < 20; i++) {
		n += (size_t)snprintf(buf + n, sizeof buf - n, "<Url>https://h%d.example/", i);
		memset(buf + n, 'p', 1900);
		n += 1900;
		n += (size_t)snprintf(buf + n, sizeof buf - n, "</Url>");
	}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "</a>");
	assert_int_equal(parse_n(buf, n, AD_XML), DIS_OK);
	check_result();
	assert_true(res.truncated);
	assert_int_equal(res.n_server, 20);
	assert_non_null(res.server[0].url);
	assert_null(res.server[19].url);
}

static void test_invalid_utf8_and_nul(void **state)
{
	static const char xml[] = "<a><Protocol><Server>ma\xffil.example</Server>"
				  "<LoginName>\xc3\x28us\xe2\x82r</LoginName></Protocol>"
				  "<EMailAddress>a\0b@example.com</EMailAddress>"
				  "<Action>x\0y\xed\xa0\x80</Action></a>";
	(void)state;
	assert_int_equal(parse_n(xml, sizeof xml - 1, AD_XML), DIS_OK);
	check_result();
	assert_string_equal(res.server[0].host, "ma\\255il.example");
	assert_string_equal(res.server[0].username, "\\195(us\\226\\130r");
	assert_int_equal(res.n_mailbox, 0);
	assert_string_equal(res.action, "x\\000y\\237\\160\\128");

	/* JSON: a stray byte does not hide the document; \u0000 is kept escaped. */
	static const char json[] = "{\"displayName\":\"J\xf6rg\",\"hostname\":\"h\xff.example\","
				   "\"protocols\":[{\"hostname\":\"a\\u0000b.example\"}]}";
	assert_int_equal(parse_n(json, sizeof json - 1, AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 2);
	assert_string_equal(res.server[0].host, "h?.example");
	assert_string_equal(res.server[1].host, "a\\000b.example");
	/* A raw NUL in JSON is not JSON; a NUL in a key is refused by jansson. */
	static const char raw[] = "{\"hostname\":\"a\0b\"}";
	assert_int_equal(parse_n(raw, sizeof raw - 1, AD_JSON), DIS_MALFORMED);
	assert_int_equal(parse("{\"a\\u0000\":1}", AD_JSON), DIS_MALFORMED);
	assert_string_equal(res.reason, "NUL byte in a JSON key");
}

static void test_json_wrong_types(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"protocols\":[{\"protocol\":\"imap\",\"hostname\":\"h.example\","
			       "\"port\":\"993\"},{\"protocol\":7,\"hostname\":42,\"port\":true},"
			       "{\"protocol\":\"smtp\",\"hostname\":\"s.example\",\"port\":-1,"
			       "\"encryption\":{\"x\":1},\"username\":[\"a\"]},"
			       "{\"hostname\":\"p.example\",\"port\":1.5e3},"
			       "{\"hostname\":null,\"url\":17,\"email\":false}]}", AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 3);
	assert_server(0, "imap", "h.example", 993, "hostname"); /* a digit string is a port */
	assert_server(1, "smtp", "s.example", 0, "hostname");
	assert_null(res.server[1].encryption);
	assert_null(res.server[1].username);
	assert_server(2, NULL, "p.example", 0, "hostname");
	/* port true, hostname 42, port -1, port 1.5e3, hostname null, url 17, email false */
	assert_int_equal(res.ignored, 7);
	/* top-level scalars and arrays */
	assert_int_equal(parse("[1,2,{\"email\":\"u@example.com\"}]", AD_JSON), DIS_OK);
	assert_int_equal(res.n_mailbox, 1);
	assert_int_equal(parse("\"x\"", AD_JSON), DIS_MALFORMED);
	assert_int_equal(parse("{}", AD_JSON), DIS_OK);
	assert_int_equal(parse("{} {}", AD_JSON), DIS_MALFORMED);
	assert_int_equal(parse("", AD_JSON), DIS_SHORT);
}

static void test_json_duplicates_and_arrays(void **state)
{
	static char buf[65536];
	size_t n;
	(void)state;
	/* Duplicate keys are accepted; the last value wins, as in most clients' parsers. */
	assert_int_equal(parse("{\"hostname\":\"a.example\",\"hostname\":\"b.example\","
			       "\"protocol\":\"imap\",\"Protocol\":\"pop3\"}", AD_JSON), DIS_OK);
	check_result();
	assert_int_equal(res.n_server, 1);
	assert_string_equal(res.server[0].host, "b.example");
	/* A huge array: the walk stops at AD_MAX_ELEMENTS values. */
	n = (size_t)snprintf(buf, sizeof buf, "{\"email\":\"u@example.com\",\"a\":[");
	while (n < sizeof buf - 16)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "0,");
	n += (size_t)snprintf(buf + n, sizeof buf - n, "0]}");
	assert_int_equal(parse_n(buf, n, AD_JSON), DIS_MALFORMED);
	assert_string_equal(res.reason, "more than AD_MAX_ELEMENTS JSON values");
	assert_int_equal(res.n_mailbox, 1);
	/* Many protocols: kept up to AD_MAX_SERVERS, the rest counted. */
	n = (size_t)snprintf(buf, sizeof buf, "{\"protocols\":[");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s{\"protocol\":\"imap\","
				      "\"hostname\":\"h%d.example\",\"port\":993}", i ? "," : "", i);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "]}");
	assert_int_equal(parse_n(buf, n, AD_JSON), DIS_OK);
	assert_int_equal(res.n_server, AD_MAX_SERVERS);
	assert_int_equal(res.servers_dropped, 100 - AD_MAX_SERVERS);
	/* Many objects that name no server cannot fill the arena. */
	n = (size_t)snprintf(buf, sizeof buf, "[");
	for (int i = 0; i < 600; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"type\":\"%060d\"},", i);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"protocol\":\"imap\",\"hostname\":\"h.example\"}]");
	assert_int_equal(parse_n(buf, n, AD_JSON), DIS_OK);
	assert_false(res.truncated);
	assert_server(0, "imap", "h.example", 0, "hostname");
}

/* ---- every truncation of every vector ---- */

static void test_truncations(void **state)
{
	static struct ad_result full;
	(void)state;
	for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
		const struct vector *t = &vectors[v];
		size_t len = strlen(t->body), end = len;
		assert_int_equal(parse_n(t->body, len, t->fmt), DIS_OK);
		memcpy(&full, &res, sizeof res);
		while (end > 0 && (t->body[end - 1] == '\n' || t->body[end - 1] == '\r'))
			end--;
		for (size_t p = 0; p < len; p++) {
			enum dis_status st = parse_n(t->body, p, t->fmt);
			check_result();
			if (p >= end) {
				assert_int_equal(st, DIS_OK);
				continue;
			}
			if (st == DIS_OK)
				fail_msg("%s: prefix %zu parsed as complete", t->name, p);
			assert_non_null(res.reason);
			/* A cut XML document is a cut, never an error; JSON cut inside a literal
			 * (fals) is reported by jansson as invalid. */
			if (t->fmt == AD_XML && st != DIS_SHORT)
				fail_msg("%s: prefix %zu: %s", t->name, p, res.reason);
			/* Whatever a prefix found, the whole document found too. */
			assert_true(res.n_server <= full.n_server);
			assert_true(res.n_mailbox <= full.n_mailbox);
			for (unsigned i = 0; i < res.n_server; i++)
				if (res.server[i].host)
					assert_string_equal(res.server[i].host, full.server[i].host);
			for (unsigned i = 0; i < res.n_mailbox; i++)
				assert_string_equal(res.mailbox[i].addr, full.mailbox[i].addr);
		}
	}
}

/* ---- request URLs ---- */

static bool path(const char *p)
{
	return autodiscover_path(p, strlen(p));
}

static void test_paths(void **state)
{
	static const char *const yes[] = {
		"/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml",
		"/AUTODISCOVER/AUTODISCOVER.XML?x=1",
		"/autodiscover/autodiscover.json?Email=user%40example.com&Protocol=AutodiscoverV1",
		"/autodiscover/autodiscover.json/v1.0/user@example.com?Protocol=ActiveSync",
		"/autodiscover/autodiscover.svc", "/autodiscover/autodiscover.svc/wssecurity",
		"/autodiscover/", "/autodiscover", "/autodetect/detect",
		"/autodetect/detect?app=outlookdesktop&protocol=imap", "/autodetect/detect/v2",
		"/.well-known/autoconfig/mail/config-v1.1.xml",
		"/mail/config-v1.1.xml?emailaddress=user%40example.com", "/Mail/Config-v1.1.XML#frag",
		"http://autodiscover.example.com/autodiscover/autodiscover.xml",
		"HTTPS://autodiscover.example.com:443/autodetect/detect?x",
	};
	static const char *const no[] = {
		"", "/", "/autodiscoverx", "/autodiscover.xml", "/x/autodiscover/autodiscover.xml",
		"/autodetect/detector", "/autodetect/", "/autodetect", "/owa/",
		"/mail/config-v1.1.xml.bak", "/.well-known/autoconfig/mail/", "autodiscover/",
		"http://host", "http://host?/autodiscover/",
	};
	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!path(yes[i]))
			fail_msg("not an autodiscover path: %s", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (path(no[i]))
			fail_msg("an autodiscover path: %s", no[i]);
	assert_false(autodiscover_path(NULL, 5));
	/* the length bounds the read: no NUL needed */
	assert_true(autodiscover_path("/autodetect/detectXYZ", 18));
}

static enum ad_format fmt(const char *p, const char *ct)
{
	return autodiscover_format(p, strlen(p), ct, ct ? strlen(ct) : 0);
}

static void test_format(void **state)
{
	(void)state;
	assert_int_equal(fmt("/autodiscover/autodiscover.xml", "text/xml; charset=utf-8"), AD_XML);
	assert_int_equal(fmt("/autodiscover/autodiscover.xml", "Application/XML"), AD_XML);
	assert_int_equal(fmt("/autodiscover/autodiscover.svc", "application/soap+xml; charset=utf-8"),
			 AD_XML);
	assert_int_equal(fmt("/autodiscover/autodiscover.json/v1.0/u@example.com", "application/json"),
			 AD_JSON);
	assert_int_equal(fmt("/autodetect/detect?app=outlookdesktop", " application/json;charset=utf-8"),
			 AD_JSON);
	assert_int_equal(fmt("/autodetect/detect", "application/problem+json"), AD_JSON);
	assert_int_equal(fmt("/autodetect/detect", "text/json"), AD_JSON);
	assert_int_equal(fmt("/autodiscover/autodiscover.xml", "text/html; charset=utf-8"), AD_NONE);
	assert_int_equal(fmt("/owa/", "application/json"), AD_NONE);
	assert_int_equal(fmt("/index.xml", "text/xml"), AD_NONE);
	/* No useful Content-Type: the path decides. */
	assert_int_equal(fmt("/autodiscover/autodiscover.xml", NULL), AD_XML);
	assert_int_equal(fmt("/mail/config-v1.1.xml", "text/plain"), AD_XML);
	assert_int_equal(fmt("/autodetect/detect?x=1", ""), AD_JSON);
	assert_int_equal(fmt("/autodiscover/autodiscover.json?Email=a@b.c", "application/octet-stream"),
			 AD_JSON);
	assert_int_equal(fmt("/autodiscover/", NULL), AD_NONE);
	/* Content-Type wins over the path. */
	assert_int_equal(fmt("/autodiscover/autodiscover.xml", "application/json"), AD_JSON);
}

static void test_url_mailbox(void **state)
{
	static const struct {
		const char *url;
		const char *want;
	} cases[] = {
		{ "/autodiscover/autodiscover.json?Email=user%40Example.COM&Protocol=AutodiscoverV1",
		  "user@example.com" },
		{ "/autodiscover/autodiscover.json/v1.0/User@Example.com?Protocol=AutodiscoverV1&RedirectCount=1",
		  "User@example.com" },
		{ "/autodiscover/autodiscover.json/v1.0/user%40example.com", "user@example.com" },
		{ "/autodetect/detect?app=outlookdesktop&protocol=imap&email=user@example.com",
		  "user@example.com" },
		{ "/mail/config-v1.1.xml?emailaddress=user%40example.com", "user@example.com" },
		{ "http://autodiscover.example.com/autodiscover/autodiscover.json?EMAIL=a+b@example.com#x",
		  "a+b@example.com" },
		{ "/autodiscover/autodiscover.json?x=1;email=u@example.net", "u@example.net" },
		{ "/autodiscover/autodiscover.json?Email=bad&email=good@example.com", "good@example.com" },
		{ "/autodiscover/autodiscover.json?Email=u%4", NULL },
		{ "/autodiscover/autodiscover.json?Email=u%00@example.com", NULL },
		{ "/autodiscover/autodiscover.json?Email=", NULL },
		{ "/autodiscover/autodiscover.json?Email", NULL },
		{ "/autodiscover/autodiscover.xml", NULL },
		{ "/autodetect/detect?app=outlookdesktop&protocol=imap", NULL },
		{ "/x/user@example.com", NULL },
		{ "/autodiscover/autodiscover.json/v1.0/", NULL },
		{ "", NULL },
	};
	char out[256];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool ok = autodiscover_url_mailbox(cases[i].url, strlen(cases[i].url), out, sizeof out);
		if (cases[i].want) {
			if (!ok)
				fail_msg("no mailbox in %s", cases[i].url);
			assert_string_equal(out, cases[i].want);
		} else {
			if (ok)
				fail_msg("a mailbox in %s: %s", cases[i].url, out);
			assert_string_equal(out, "");
		}
	}
	/* A buffer too small, or none. */
	static const char u[] = "/autodetect/detect?email=user@example.com";
	assert_false(autodiscover_url_mailbox(u, sizeof u - 1, out, 16));
	assert_string_equal(out, "");
	assert_true(autodiscover_url_mailbox(u, sizeof u - 1, out, 17));
	assert_string_equal(out, "user@example.com");
	assert_false(autodiscover_url_mailbox(u, sizeof u - 1, out, 0));
	assert_false(autodiscover_url_mailbox(NULL, 3, out, sizeof out));
	/* A value longer than any address. */
	static char lng[2048];
	int n = snprintf(lng, sizeof lng, "/autodetect/detect?email=");
	memset(lng + n, 'a', 1500);
	memcpy(lng + n + 1500, "@example.com", 12);
	assert_false(autodiscover_url_mailbox(lng, (size_t)n + 1512, out, sizeof out));
	/* The length bounds the read. */
	assert_true(autodiscover_url_mailbox(u, sizeof u - 5, out, sizeof out));
	assert_string_equal(out, "user@example");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_autodetect_case),
		cmocka_unit_test(test_v2_json),
		cmocka_unit_test(test_autodetect_services),
		cmocka_unit_test(test_json_errors_and_redirects),
		cmocka_unit_test(test_pox_request),
		cmocka_unit_test(test_pox_response),
		cmocka_unit_test(test_pox_redirects),
		cmocka_unit_test(test_pox_error),
		cmocka_unit_test(test_mobilesync),
		cmocka_unit_test(test_autoconfig),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_bad_charrefs),
		cmocka_unit_test(test_prefixes_and_case),
		cmocka_unit_test(test_cdata_comments_pi),
		cmocka_unit_test(test_type_attribute),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_limits_counted),
		cmocka_unit_test(test_hostless_protocol),
		cmocka_unit_test(test_bom_and_whitespace),
		cmocka_unit_test(test_malformed_xml),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_text),
		cmocka_unit_test(test_arena_full),
		cmocka_unit_test(test_invalid_utf8_and_nul),
		cmocka_unit_test(test_json_wrong_types),
		cmocka_unit_test(test_json_duplicates_and_arrays),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_url_mailbox),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
