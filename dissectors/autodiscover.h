/* autodiscover.h: Autodiscover / autodetect / autoconfig bodies and request URLs (MS-OXDISCO, MS-OXDSCLI 2.2.3-2.2.4, Thunderbird autoconfig). */
#ifndef MISROUTE_AUTODISCOVER_H
#define MISROUTE_AUTODISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dissect.h"
#include "core/limits.h"

enum ad_format {
	AD_NONE = 0, /* not an autodiscover body, or not one worth parsing */
	AD_XML = 1,  /* POX request or response (MS-OXDSCLI), mobilesync, Thunderbird autoconfig */
	AD_JSON = 2, /* autodiscover.json v2 responses, autodetect responses */
};

/* A mail server or service endpoint the body names. Strings point into the result's arena;
 * NULL means absent. */
struct ad_server {
	const char *protocol;   /* lower-cased as given: "imap", "smtp", "exch", "expr", "web",
	                         * "mobilesync", "autodiscoverv1", ...; NULL when not named */
	const char *host;       /* normalised: lower-case, no trailing dot, no port, no user part;
	                         * bytes outside 0x21..0x7e and '\' as \DDD / "\\" (as DNS names);
	                         * NULL for a URL without one, or cut at AD_MAX_TEXT inside it */
	const char *url;        /* the URL the host came from (user:password part removed), or NULL
	                         * when the host came from a plain server field */
	const char *username;   /* LoginName / username; an address has its domain lower-cased */
	const char *encryption; /* lower-cased: "ssl", "on", "tls", "starttls", ... */
	const char *source;     /* static text: the element or field it came from ("Server",
	                         * "ASUrl", "RedirectUrl", "hostname", "url", ...) */
	uint16_t port;          /* the Port field, else the URL's port or its scheme's default
	                         * (https 443, http 80); 0 when unknown */
	bool redirect;          /* a redirect target (RedirectUrl, redirectUrl) */
};

/* A mailbox the body names: "local@domain" with the domain lower-cased and without its
 * trailing dot; the local part as given. */
struct ad_mailbox {
	const char *addr;
	const char *source;     /* static text: "EMailAddress", "email", "LoginName", ... */
	bool redirect;          /* RedirectAddr / Redirect: the client is sent to this address */
};

/* One parsed body. The caller owns it (about 18 KiB: keep one per worker, not per flow);
 * every string lives in its arena, is NUL-terminated, valid UTF-8 and free of control bytes
 * (those and invalid UTF-8 are written as \DDD). */
struct ad_result {
	enum ad_format fmt;
	bool request;            /* a POX <Request>: the body came from the client */
	const char *action;      /* POX Account/Action as given: "settings", "redirectAddr", ... */
	const char *error;       /* POX ErrorCode, JSON ErrorCode */
	struct ad_mailbox mailbox[AD_MAX_MAILBOXES];
	uint16_t n_mailbox;      /* distinct addresses kept, in document order */
	uint16_t mailboxes_dropped;
	struct ad_server server[AD_MAX_SERVERS];
	uint16_t n_server;       /* in document order */
	uint16_t servers_dropped;
	uint16_t ignored;        /* known fields skipped for their type or form (a port that is
	                          * not 1..65535, a JSON hostname that is a number, ...) */
	bool truncated;          /* a value was longer than AD_MAX_TEXT, the body longer than
	                          * AD_MAX_BODY, or the arena full: something is incomplete */
	const char *reason;      /* static text: why, when the return is not DIS_OK */
	size_t arena_used;
	char arena[AD_ARENA];
};

/* Parses an autodiscover body (as the HTTP layer decoded it) in format fmt into *out (reset
 * first). Reads body[0..len); a leading UTF-8 BOM is skipped; only the first AD_MAX_BODY bytes
 * are read.
 * XML: element names match by local name, case-insensitively, any namespace prefix ignored;
 * attributes are skipped except Type/type (POX <Protocol Type=...>, autoconfig
 * <incomingServer type=...>); comments, processing instructions and DOCTYPE skipped (entities
 * it declares are not expanded); CDATA and the five predefined and numeric character
 * references are decoded. Servers come from POX Protocol (Type, Server, Port, LoginName, SSL,
 * Encryption and the *Url elements), mobilesync Settings/Server (Type, Url), autoconfig
 * incomingServer/outgoingServer (hostname, port, socketType, username), and RedirectUrl
 * anywhere; mailboxes from EMailAddress, AutoDiscoverSMTPAddress, RedirectAddr, Redirect and
 * any LoginName/username that is an address.
 * JSON: every object, at any depth up to AD_MAX_DEPTH, is read for protocol/type/service,
 * hostname/host/server, port, encryption, username, url-like fields, redirect fields, email
 * fields and ErrorCode (keys case-insensitive); invalid UTF-8 is read as '?' rather than
 * failing the whole document; a port given as a digit string is accepted.
 * Returns DIS_OK when the whole document parsed; DIS_SHORT when it ends early (cut by the
 * stream depth or by AD_MAX_BODY) or is empty; DIS_MALFORMED when it is not well-formed or
 * exceeds AD_MAX_DEPTH / AD_MAX_ELEMENTS / the JSON parser's depth. In all three cases *out
 * holds what was found (for XML, everything before the point of failure; for JSON, nothing
 * when jansson rejects the text, what the walk found before a limit otherwise) and
 * out->reason says why when not DIS_OK.
 * A value longer than AD_MAX_TEXT is cut: a cut host, address or port is dropped (counted in
 * ignored), a cut URL keeps its host when the host ended before the cut.
 * Uses jansson, which seeds its hash function on first use: call json_object_seed() once
 * before starting threads.
 * fmt AD_NONE gives DIS_MALFORMED. */
enum dis_status autodiscover_parse(const uint8_t *body, size_t len, enum ad_format fmt,
				   struct ad_result *out);

/* True when a request-target is an autodiscover / autodetect / autoconfig one: /autodiscover
 * and everything under /autodiscover/ (autodiscover.xml, autodiscover.json..., autodiscover.svc),
 * /autodetect/detect[/...], /.well-known/autoconfig/mail/config-v1.1.xml, /mail/config-v1.1.xml;
 * case-insensitive, any query or fragment ignored, absolute-form (http://host/...) accepted. */
bool autodiscover_path(const char *path, size_t len);

/* The format to parse a body of this request path with, from its Content-Type (media type
 * only, parameters ignored): text/xml, application/xml and *+xml give AD_XML; application/json,
 * text/json and *+json give AD_JSON; an empty, text/plain or application/octet-stream one falls
 * back to the path (.xml and .svc -> AD_XML, autodiscover.json and autodetect -> AD_JSON). AD_NONE when the path is not an
 * autodiscover one or the Content-Type is anything else (HTML error pages). ct may be NULL. */
enum ad_format autodiscover_format(const char *path, size_t path_len, const char *content_type,
				   size_t ct_len);

/* The mailbox a request-target names: a query parameter Email / EmailAddress (any case,
 * percent-decoded), else a path segment after autodiscover.json/ that is an address
 * (/autodiscover/autodiscover.json/v1.0/user@example.com?Protocol=...). Writes it normalised
 * (domain lower-cased, no trailing dot) and NUL-terminated to out[0..size) and returns true;
 * false, with out[0] = 0 when size > 0, when there is none or it does not fit. */
bool autodiscover_url_mailbox(const char *target, size_t len, char *out, size_t size);

#endif
